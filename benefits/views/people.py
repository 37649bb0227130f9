"""The people's side of 抚恤补助: who receives what (entitlements), new ones proposed and approved on the kit,
and the station's annual confirmation (年度确认), made for a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from benefits import entitlements as services
from benefits.forms import (
    ConfirmationYearForm,
    ConfirmForm,
    EndForm,
    EntitlementFilterForm,
    ProposalFilterForm,
    ProposalForm,
    ResumeForm,
    RevealAccountForm,
    SuspendForm,
)
from benefits.models import (
    Batch,
    Entitlement,
    EntitlementStatus,
    Overpayment,
    PaymentLine,
    Program,
    Proposal,
)
from benefits.process import PROPOSAL
from benefits.proposals import ProposalInput, proposal_open
from benefits.register import PROPOSALS
from benefits.timeline import line_outcome
from core.access import Target, page
from core.errors import invalid
from core.pagination import keyset_page
from core.pickers import bind
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from regions.models import Region, prefix_of
from veterans.models import FamilyMember, Veteran
from workflow.kit import detail_page, list_page

PAGE_SIZE = 50
#: The newest payment lines an entitlement's page lists.
HISTORY_LINES = 120
#: The people one confirmation page lists (a town's whole roll is for the list page and the import).
CONFIRM_LIMIT = 200


# --- reads (the user's scope, always) ---------------------------------------------------------------------------


def entitlement_list(*, user: Any, action: str = "view") -> QuerySet[Entitlement]:
    return Entitlement.objects.visible_to(user, action).select_related("program", "veteran")


def entitlement_get(*, user: Any, pk: int, action: str = "view") -> Entitlement:
    return get_visible_or_404(Entitlement.objects.select_related("program", "veteran", "family_member"), user,
                              action, pk=pk)  # fmt: skip


def place_names(codes: Iterable[str]) -> dict[str, str]:
    """Each region code's name (a village, a grid), in one query."""
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def grade_words(entitlement: Any) -> str:
    return _("Grade %(n)s") % {"n": entitlement.grade} if entitlement.grade else ""


# --- entitlements -----------------------------------------------------------------------------------------------


@page("benefits.view", params=(*EntitlementFilterForm.base_fields, "cursor"))
def entitlements(request: AuthedRequest) -> HttpResponse:
    form = bind(EntitlementFilterForm(request.GET or None), request.user)
    form.is_valid()  # a malformed filter is shown at its field; the well-formed ones still apply
    data = getattr(form, "cleaned_data", {})
    qs = entitlement_list(user=request.user)
    if data.get("q"):
        qs = qs.filter(beneficiary_name__contains=data["q"])
    if data.get("program"):
        qs = qs.filter(program__code=data["program"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("town"):
        qs = qs.filter(region_code__startswith=prefix_of(data["town"]))
    status = 200
    try:
        rows, next_cursor = keyset_page(qs, key="id", cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE,
                                        descending=True)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        rows, next_cursor, status = [], None, 400
    places = place_names(r.region_code for r in rows)
    for row in rows:
        row.place = places.get(row.region_code, row.region_code)
    params = request.GET.copy()
    params.pop("cursor", None)
    params.pop("town__q", None)
    if data.get("town"):
        params["town"] = data["town"]
    context = {
        "form": form, "rows": rows, "next_cursor": next_cursor, "query": params.urlencode(),
        "can_propose": request.user.can(PROPOSAL.open_capability), "can_confirm": request.user.can("benefits.confirm"),
    }  # fmt: skip
    return render(request, "benefits/people/entitlements.html", context, status=status)


def _detail(request: AuthedRequest, entitlement: Entitlement, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    lines = list(
        PaymentLine.objects.visible_to(user)
        .filter(entitlement=entitlement)
        .select_related("batch", "outcome", "reversed_by")
        .order_by("-period", "-id")[:HISTORY_LINES]
    )
    visible_batches = set(
        Batch.objects.visible_to(user).filter(pk__in={line.batch_id for line in lines}).values_list("pk", flat=True)
    )
    history = []
    for line in lines:
        words, tone = line_outcome(line)
        url = reverse("benefits:batch", args=[line.batch.case_id]) if line.batch_id in visible_batches else ""
        history.append({"line": line, "outcome": words, "tone": tone, "batch_url": url})
    manage = user.can("benefits.manage")
    context = {
        "e": entitlement,
        "place": place_names([entitlement.region_code]).get(entitlement.region_code, entitlement.region_code),
        "grade": grade_words(entitlement),
        "confirmations": entitlement.confirmations.select_related("confirmed_by").order_by("-year"),
        "history": history,
        "more_lines": len(lines) == HISTORY_LINES,
        "overpayments": Overpayment.objects.visible_to(user).filter(entitlement=entitlement).order_by("-found_at"),
        "proposal": Proposal.objects.visible_to(user).filter(entitlement=entitlement).select_related("case").first(),
        "can_manage": manage,
        "can_reveal": user.can("benefits.reveal_account"),
        "suspend_form": SuspendForm() if manage else None,
        "resume_form": ResumeForm() if manage else None,
        "end_form": EndForm() if manage else None,
        "reveal_form": RevealAccountForm(),
        "full_account": "",
        **extra,
    }
    return render(request, "benefits/people/entitlement.html", context, status=status)


@page("benefits.view", target=Target(Entitlement), no_store=True)
def entitlement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, entitlement_get(user=request.user, pk=pk))


def _act(request: AuthedRequest, pk: int, form_class: Any, name: str, action: Any, done: str) -> HttpResponse:
    """A manager's action on an entitlement: done and said, or the page again with the refusal at its field."""
    entitlement = entitlement_get(user=request.user, pk=pk, action="manage")
    form = form_class(request.POST)
    if submit_form(request, form, lambda data: action(entitlement, data)) is not None:
        messages.success(request, done)
        return redirect("benefits:entitlement", pk=pk)
    return _detail(request, entitlement, status=400, **{name: form, "open_form": name})


@page("benefits.manage", target=Target(Entitlement), methods=("POST",))
def entitlement_suspend(request: AuthedRequest, pk: int) -> HttpResponse:
    def action(e: Entitlement, data: dict[str, Any]) -> Entitlement:
        return services.suspend(actor=request.user, entitlement=e, reason=data["reason"])

    return _act(request, pk, SuspendForm, "suspend_form", action, _("The entitlement is suspended."))


@page("benefits.manage", target=Target(Entitlement), methods=("POST",))
def entitlement_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    def action(e: Entitlement, data: dict[str, Any]) -> Entitlement:
        return services.resume(actor=request.user, entitlement=e, backpay=data["backpay"], reason=data["reason"])

    return _act(request, pk, ResumeForm, "resume_form", action, _("Payment resumes with the next batch."))


@page("benefits.manage", target=Target(Entitlement), methods=("POST",))
def entitlement_end(request: AuthedRequest, pk: int) -> HttpResponse:
    def action(e: Entitlement, data: dict[str, Any]) -> Entitlement:
        return services.end(actor=request.user, entitlement=e, last_month=data["last_month"], reason=data["reason"])

    return _act(request, pk, EndForm, "end_form", action, _("The entitlement is ended."))


@page("benefits.reveal_account", target=Target(Entitlement), methods=("POST",), no_store=True)
def entitlement_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    entitlement = entitlement_get(user=request.user, pk=pk)
    form = RevealAccountForm(request.POST)
    full = submit_form(request, form, lambda data: services.reveal_account(
        actor=request.user, entitlement=entitlement, reason=data["reason"]))  # fmt: skip
    if full is None:
        return _detail(request, entitlement, status=400, reveal_form=form, open_form="reveal_form")
    return _detail(request, entitlement, full_account=full)


# --- proposals (on the kit) -------------------------------------------------------------------------------------


@page(PROPOSAL.view_capability, params=(*ProposalFilterForm.base_fields, "cursor"))
def proposals(request: AuthedRequest) -> HttpResponse:
    form = ProposalFilterForm(request.GET or None)
    return list_page(PROPOSALS, request, template="benefits/people/proposals.html", form=form)


def _proposal_input(user: Any, data: dict[str, Any]) -> ProposalInput:
    veteran = Veteran.objects.visible_to(user).filter(pk=data["veteran_id"]).first() if data["veteran_id"] else None
    if veteran is None:
        raise invalid("veteran_id", _("Choose a veteran of your area."), code="required")
    member = None
    if data.get("family_member"):
        member = FamilyMember.objects.filter(pk=data["family_member"], veteran=veteran).first()
        if member is None:
            raise invalid("family_member", _("This is not a family member of the veteran."), code="not_family")
    program = Program.objects.get(code=data["program"])
    return ProposalInput(
        veteran=veteran, program=program, from_month=data["from_month"], bank_name=data["bank_name"],
        account=data["account"], family_member=member, id_number=data.get("id_number") or "",
        grade=data.get("grade"), cause=data.get("cause") or "", reason=data.get("reason") or "",
    )  # fmt: skip


@page(PROPOSAL.open_capability, methods=("GET", "POST"), params=("veteran",))
def proposal_new(request: AuthedRequest) -> HttpResponse:
    veteran = request.GET.get("veteran") or ""
    initial = {"veteran_id": veteran if veteran.isascii() and veteran.isdigit() and len(veteran) <= 18 else None}
    form = bind(ProposalForm(request.POST or None, initial=initial, user=request.user), request.user)

    def action(data: dict[str, Any]) -> Proposal:
        return proposal_open(actor=request.user, data=_proposal_input(request.user, data))

    proposal = submit_form(request, form, action)
    if proposal is not None:
        messages.success(request, _("Proposed as %(number)s; the town station checks it next.")
                         % {"number": proposal.case.number})  # fmt: skip
        return redirect("benefits:proposal", pk=proposal.case_id)
    return render(request, "benefits/people/proposal_form.html", {"form": form}, status=400 if form.errors else 200)


def _proposal_extra(proposal: Proposal) -> dict[str, Any]:
    return {
        "p": proposal,
        "grade": grade_words(proposal),
        "place": place_names([proposal.region_code]).get(proposal.region_code, proposal.region_code),
    }


@page(PROPOSAL.view_capability, target=Target(Proposal, "case_id"))
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(PROPOSALS, request, pk, template="benefits/people/proposal.html", extra=_proposal_extra)


# --- the annual confirmation (年度确认) ----------------------------------------------------------------------------


def confirmation_deadline(year: int) -> dt.date:
    month, day = settings.BENEFITS_CONFIRMATION_DEADLINE
    return dt.date(year, month, day)


def _people(qs: QuerySet[Entitlement]) -> list[dict[str, Any]]:
    """The entitlements grouped by beneficiary (a confirmation is for the person), first ``CONFIRM_LIMIT`` people."""
    people: dict[str, dict[str, Any]] = {}
    for e in qs.order_by("region_code", "beneficiary_name", "id").iterator(chunk_size=500):
        person = people.get(e.beneficiary_id_hash)
        if person is None:
            if len(people) == CONFIRM_LIMIT:
                break
            person = people[e.beneficiary_id_hash] = {"first": e, "entitlements": []}
        person["entitlements"].append(e)
    places = place_names(p["first"].region_code for p in people.values())
    for person in people.values():
        person["place"] = places.get(person["first"].region_code, "")
    return list(people.values())


def _confirm(request: AuthedRequest) -> HttpResponse:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the person to confirm from the list."))
        return redirect("benefits:confirmations")
    year = form.cleaned_data["year"]
    entitlement = get_visible_or_404(Entitlement.objects.all(), request.user, "confirm",
                                     pk=form.cleaned_data["entitlement"])  # fmt: skip
    try:
        count = services.confirm(actor=request.user, entitlement=entitlement, year=year)
    except ValidationError as exc:
        codes = {e.code for e in exc.error_list} if not hasattr(exc, "error_dict") else {
            e.code for errors in exc.error_dict.values() for e in errors}  # fmt: skip
        if "already_confirmed" in codes:
            messages.info(request, _("%(name)s was already confirmed for %(year)s: nothing more to do.")
                          % {"name": entitlement.beneficiary_name, "year": year})  # fmt: skip
        else:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("%(name)s confirmed for %(year)s (%(count)s entitlements).")
                         % {"name": entitlement.beneficiary_name, "year": year, "count": count})  # fmt: skip
    return redirect(f"{reverse('benefits:confirmations')}?year={year}")


@page("benefits.confirm", methods=("GET", "POST"), params=("year",))
def confirmations(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        return _confirm(request)
    today = timezone.localdate()
    form = ConfirmationYearForm(request.GET or None)
    year = today.year
    status = 200
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
        if year > today.year + 1:
            form.add_error("year", _("Confirm for this year or the last."))
            year, status = today.year, 400
    elif form.is_bound and form.errors:
        status = 400
    scope = entitlement_list(user=request.user, action="confirm").exclude(status=EntitlementStatus.ENDED)
    todo = services.unconfirmed(scope, year)
    to_confirm = todo.values("beneficiary_id_hash").distinct().count()
    done = scope.filter(confirmed_year__gte=year).values("beneficiary_id_hash").distinct().count()
    deadline = confirmation_deadline(year)
    people = _people(todo)
    context = {
        "form": form, "year": year, "people": people, "to_confirm": to_confirm, "confirmed": done,
        "shown_all": len(people) >= to_confirm, "deadline": deadline, "past_deadline": today > deadline,
        "years": [today.year, today.year - 1],
    }  # fmt: skip
    return render(request, "benefits/people/confirmations.html", context, status=status)


urlpatterns = [
    path("entitlements/", entitlements, name="entitlements"),
    path("entitlements/<id:pk>/", entitlement_detail, name="entitlement"),
    path("entitlements/<id:pk>/suspend/", entitlement_suspend, name="entitlement_suspend"),
    path("entitlements/<id:pk>/resume/", entitlement_resume, name="entitlement_resume"),
    path("entitlements/<id:pk>/end/", entitlement_end, name="entitlement_end"),
    path("entitlements/<id:pk>/reveal/", entitlement_reveal, name="entitlement_reveal"),
    path("proposals/", proposals, name="proposals"),
    path("proposals/new/", proposal_new, name="proposal_new"),
    path("proposals/<id:pk>/", proposal_detail, name="proposal"),
    path("confirmations/", confirmations, name="confirmations"),
]
