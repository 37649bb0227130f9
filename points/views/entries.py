"""The module's home, the entries (a list and one entry on the kit) and the fast entry form of a phone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import idempotency
from core.access import Target, page
from core.errors import invalid
from core.types import AuthedRequest
from core.views import submit_form
from points import quarters
from points.catalog import is_example
from points.entries import EntryInput, catalog_on, entry_submit, submitter_of
from points.forms import EntryFilterForm, EntryForm
from points.models import Entry, Item, Participant
from points.process import ENTRY
from points.register import ENTRIES
from regions.models import Region
from veterans.choices import Status
from veterans.models import Veteran
from workflow.kit import detail_page, list_page
from workflow.models import Task

#: The most people the entry form lists at once (a search narrows a village's roll).
PEOPLE_LIMIT = 200
MAX_QUERY = 40


@page("points.view")
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    quarter = quarters.quarter_of(today)
    waiting = Task.objects.actionable_by(user).filter(case__process=ENTRY.key).count()
    pending = Entry.objects.visible_to(user).filter(case__state="open").count()
    context = {
        "quarter": quarter,
        "quarter_label": quarters.label(quarter),
        "waiting": waiting,
        "pending": pending,
        "can_submit": submitter_of(user) is not None,
        "example": is_example(today),
    }
    return render(request, "points/home.html", context)


@page(ENTRY.view_capability, params=(*EntryFilterForm.base_fields, "q", "cursor"))
def entries(request: AuthedRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET or None, versions=catalog_on())
    return list_page(ENTRIES, request, template="points/entries.html", form=form)


def _entry_extra(entry: Entry) -> dict[str, Any]:
    people = list(Participant.objects.filter(entry=entry).select_related("veteran").order_by("id"))
    return {"e": entry, "people": people, "place": Region.objects.filter(code=entry.region_code).first()}


@page(ENTRY.view_capability, target=Target(Entry, "case_id"))
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(ENTRIES, request, pk, template="points/entry.html", extra=_entry_extra)


def _query(request: AuthedRequest) -> str:
    q = (request.GET.get("q") or "").strip()
    return q[:MAX_QUERY]


def people_for(user: Any, kind: str | None, q: str = "", chosen: list[int] | None = None) -> list[Veteran]:
    """Whom the user may record an entry for: a veteran themself; staff and grid leaders, the living people of
    their scope (narrowed by ``q``), and those already ticked."""
    if kind is None:
        return []
    if kind == "veteran":
        return list(Veteran.objects.filter(pk=user.veteran_id))
    qs = Veteran.objects.visible_to(user).filter(status=Status.LIVING).order_by("name", "id")
    if q:
        qs = qs.filter(name__contains=q)
    listed = list(qs[:PEOPLE_LIMIT])
    seen = {v.pk for v in listed}
    extra = [i for i in (chosen or []) if i not in seen]
    if extra:
        listed = list(Veteran.objects.visible_to(user).filter(pk__in=extra[:PEOPLE_LIMIT]).order_by("name")) + listed
    return listed


def _chosen(request: AuthedRequest) -> list[int]:
    raw = request.POST.getlist("veterans") if request.method == "POST" else request.GET.getlist("veteran")
    return [int(v) for v in raw if v.isascii() and v.isdigit() and len(v) <= 18]


@page(("points.submit", "points.submit_own"), methods=("GET", "POST"), params=("q", "veteran"), offline=True)
def entry_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    kind = submitter_of(user)
    q = _query(request)
    chosen = _chosen(request)
    people = people_for(user, kind, q, chosen)
    versions = [v for v in catalog_on() if kind in v.submitters] if kind else []
    initial: dict[str, Any] = {}
    if kind == "veteran":
        initial["veterans"] = [user.veteran_id]
    elif chosen:
        initial["veterans"] = chosen
    form = EntryForm(request.POST or None, request.FILES or None, people=people, versions=versions, initial=initial)

    def action(data: dict[str, Any]) -> Entry:
        if kind is None:
            raise invalid(None, _("Your account may not record points entries."), code="not_submitter")
        ids = data["veterans"]
        item = Item.objects.filter(code=data["item"]).first() if data["item"] else None
        if data["item"] and item is None:
            raise invalid("item", _("Choose the item from the list."), code="bad_item")
        upload = data.get("evidence")
        entry_input = EntryInput(
            veterans=list(Veteran.objects.filter(pk__in=ids)) if len(ids) == len(set(ids)) else [],
            item=item, day=data.get("day"), quantity=data.get("quantity"),
            description=data.get("description") or "", evidence=[upload] if upload else [],
        )  # fmt: skip
        if ids and len(entry_input.veterans) != len(set(ids)):
            raise invalid("veterans", _("Some of the people chosen are not in your area."), code="not_visible")
        key = idempotency.header_key(data["once"])
        request_summary = {
            "veterans": sorted(ids), "item": data["item"], "day": str(data.get("day")),
            "quantity": str(data.get("quantity")), "description": data.get("description") or "",
        }  # fmt: skip
        made, new = idempotency.once(actor=user, key=key, request=request_summary,
                                     create=lambda: entry_submit(actor=user, data=entry_input))  # fmt: skip
        made.fresh = new  # type: ignore[attr-defined]
        return made

    entry = submit_form(request, form, action) if kind is not None or request.method == "POST" else None
    if entry is not None:
        if not getattr(entry, "fresh", True):
            messages.info(request, _("This entry was already recorded as %(number)s.") % {"number": entry.case.number})
        else:
            messages.success(request, _("Recorded as %(number)s; it waits for approval.")
                             % {"number": entry.case.number})  # fmt: skip
        if user.can(ENTRY.view_capability):
            return redirect("points:entry", pk=entry.case_id)
        return redirect("points:entry_new")
    context = {
        "form": form,
        "kind": kind,
        "q": q,
        "people": people,
        "many": kind != "veteran" and len(people) >= PEOPLE_LIMIT,
        "self_only": kind == "veteran",
        "can_view": user.can(ENTRY.view_capability),
        "search_url": reverse("points:entry_new"),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "points/entry_form.html", context, status=status)


urlpatterns = [
    path("", home, name="home"),
    path("entries/", entries, name="entries"),
    path("entries/new/", entry_new, name="entry_new"),
    path("entries/<id:pk>/", entry_detail, name="entry"),
]
