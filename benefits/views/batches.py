"""Placeholder pages of 抚恤补助 (the pages are being written): each checks what the user may see."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from benefits.models import Batch
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


urlpatterns = [
    path("", home, name="home"),
    path("batches/<id:pk>/", batch_detail, name="batch"),
]
