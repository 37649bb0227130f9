"""Placeholder pages of 抚恤补助 (the pages are being written): each checks what the user may see."""

from __future__ import annotations

from django.http import HttpResponse

from benefits.models import Batch, Proposal
from core.access import Target, page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest


@page("benefits.view")
def home(request: AuthedRequest) -> HttpResponse:
    return HttpResponse("")


@page("benefits.view", target=Target(Batch, "case_id"))
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(Batch.objects.all(), request.user, case_id=pk)
    return HttpResponse(str(batch))


@page("benefits.view", target=Target(Proposal, "case_id"))
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = get_visible_or_404(Proposal.objects.all(), request.user, case_id=pk)
    return HttpResponse(str(proposal))
