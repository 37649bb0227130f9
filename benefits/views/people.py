"""Placeholder pages of the people's side of 抚恤补助 (entitlements, proposals, confirmation)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from benefits.models import Proposal
from core.access import Target, page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest


@page("benefits.view", target=Target(Proposal, "case_id"))
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = get_visible_or_404(Proposal.objects.all(), request.user, case_id=pk)
    return HttpResponse(str(proposal))


urlpatterns = [
    path("proposals/<id:pk>/", proposal_detail, name="proposal"),
]
