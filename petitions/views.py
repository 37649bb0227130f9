from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import Target, page
from core.pickers import bind
from core.types import AuthedRequest
from core.views import apply_errors, submit_form
from petitions import selectors, services
from petitions.forms import PetitionFilterForm, PetitionForm, ReviewForm
from petitions.models import Petition
from petitions.process import PETITION, REVIEW
from petitions.register import PETITIONS
from workflow.kit import detail_page, list_page


@page(PETITION.view_capability, params=(*PetitionFilterForm.base_fields, "cursor"))
def petition_list(request: AuthedRequest) -> HttpResponse:
    form = PetitionFilterForm(request.GET or None)
    return list_page(PETITIONS, request, template="petitions/list.html", form=form)


@page(PETITION.open_capability, methods=("GET", "POST"), params=("veteran",))
def petition_new(request: AuthedRequest) -> HttpResponse:
    initial = {"veteran_id": request.GET.get("veteran") or None, "people": 1}
    form = bind(PetitionForm(request.POST or None, initial=initial), request.user)

    def action(data: dict[str, Any]) -> Petition:
        return services.petition_register(actor=request.user, data=services.PetitionInput(**data))

    petition = submit_form(request, form, action)
    if petition is not None:
        messages.success(request, _("Registered as %(number)s.") % {"number": petition.case.number})
        return redirect("petitions:detail", pk=petition.case_id)
    return render(request, "petitions/form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_extra(request: AuthedRequest) -> Any:
    def extra(petition: Petition) -> dict[str, Any]:
        case = petition.case
        letters = [
            ("acceptance", _("Acceptance notice"), bool(case.date("accepted")) and petition.level == "first"),
            ("reply", _("Written reply"), bool(case.date("replied"))),
            ("extension", _("Extension notice"), bool(petition.extension_approved)),
        ]
        may_review = case.date("replied") and petition.level != "re_review" and request.user.can(REVIEW.open_capability)
        return {
            "p": petition,
            "letters": [(k, label) for k, label, ok in letters if ok],
            "linked": selectors.petition_list(user=request.user).filter(linked_to=petition),
            "reviews": selectors.petition_list(user=request.user).filter(case__parent=case),
            "review_form": ReviewForm() if may_review else None,
        }

    return extra


@page(PETITION.view_capability, target=Target(Petition, "case_id"))
def petition_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(PETITIONS, request, pk, template="petitions/detail.html", extra=_detail_extra(request))


@page(PETITION.view_capability, target=Target(Petition, "case_id"), examples={"kind": "acceptance"})
def petition_letter(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    petition = selectors.petition_by_case(user=request.user, case_pk=pk)
    try:
        pdf = services.letter(actor=request.user, petition=petition, kind=kind)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("petitions:detail", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.case.number}-{kind}.pdf"'
    return response


@page(REVIEW.open_capability, target=Target(Petition, "case_id"), methods=("POST",))
def petition_review(request: AuthedRequest, pk: int) -> HttpResponse:
    petition = selectors.petition_by_case(user=request.user, case_pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review = services.review_request(
                actor=request.user,
                petition=petition,
                received_on=form.cleaned_data["received_on"],
                content=form.cleaned_data["content"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Registered as %(number)s.") % {"number": review.case.number})
            return redirect("petitions:detail", pk=review.case_id)
    errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    messages.error(request, errors)
    return redirect("petitions:detail", pk=pk)
