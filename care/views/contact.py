"""Regular contact: the module's home (coverage by area), a contact person's people (a phone's cards), a visit
logged in three taps, the visits, the station's overdue list, a contact person named, the frequencies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import roles_with
from care import selectors, services
from care.figures import coverage, needs_figures
from care.forms import AssignForm, FrequencyForm, VisitFilterForm, VisitForm
from care.models import ContactFrequency, Visit, VisitPhoto
from core import idempotency
from core.access import Target, page
from core.ids import parse_id
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from regions.models import Level, ancestor_code, level_of
from regions.selectors import scoped_area
from veterans.models import Veteran

#: The most cards "my people" shows (a grid has a few dozen people).
MY_PEOPLE_LIMIT = 300
PAGE_SIZE = 50


@page("care.view", params=("region",))
def home(request: AuthedRequest) -> HttpResponse:
    """Coverage of the user's area (or an area under it) and of each area one level down; links to the lists."""
    error, status = "", 200
    try:
        area = scoped_area(request.user, request.GET.get("region", ""))
    except ValidationError as exc:
        error, status = exc.messages[0], 400
        area = scoped_area(request.user, "") if request.user.scope_region_id else None  # type: ignore[assignment]
    total, areas = coverage(area.code) if area is not None else (None, [])
    today = timezone.localdate()
    needs = needs_figures(area.code, today.replace(month=1, day=1), today) if area is not None else None
    can = request.user.can
    context = {"area": area, "total": total, "areas": areas, "error": error, "needs": needs,
               "can_visit": can("care.visit"), "can_frequencies": can("care.frequencies")}  # fmt: skip
    return render(request, "care/home.html", context, status=status)


@page("care.visit", no_store=True)
def mine(request: AuthedRequest) -> HttpResponse:
    """The people whose contact person the user is, as cards: overdue first; one tap calls (the phones shown are
    audited), one opens the visit form."""
    people: list[Any] = list(selectors.my_people(request.user)[:MY_PEOPLE_LIMIT])
    phones = services.phones_shown(actor=request.user, veterans=people)
    for person in people:
        person.phone = phones.get(person.pk, "")
        person.due = selectors.due_on(person)
    overdue = sum(1 for p in people if p.overdue)
    return render(request, "care/mine.html", {"people": people, "overdue": overdue})


def veteran_from_query(request: AuthedRequest) -> Veteran | None:
    raw = request.POST.get("veteran") if request.method == "POST" else request.GET.get("veteran")
    pk = parse_id(raw or "")
    if pk is None:
        return None
    return Veteran.objects.visible_to(request.user).filter(pk=pk).first()


@page("care.visit", methods=("GET", "POST"), params=("veteran",), offline=True)
def visit_new(request: AuthedRequest) -> HttpResponse:
    """A visit in three taps: the person (from their card), the way of contact, save; a photo and a need if any."""
    veteran = veteran_from_query(request)
    initial = {"veteran": veteran.pk} if veteran else {}
    form = VisitForm(request.POST or None, request.FILES or None, initial=initial)

    def action(data: dict[str, Any]) -> Visit:
        needs = []
        if data.get("need_category") or (data.get("need_description") or "").strip():
            needs = [services.NeedInput(data.get("need_category") or "", data.get("need_description") or "")]
        photo = data.get("photo")
        visit_input = services.VisitInput(
            veteran_id=data["veteran"], visited_on=data["visited_on"], mode=data["mode"], note=data.get("note") or "",
            needs=needs, photos=[photo] if photo else [],
        )  # fmt: skip
        summary = {"veteran": data["veteran"], "visited_on": str(data["visited_on"]), "mode": data["mode"],
                   "note": data.get("note") or "", "needs": [(n.category, n.description) for n in needs]}  # fmt: skip
        key = idempotency.header_key(data["once"])
        made, new = idempotency.once(
            actor=request.user, key=key, request=summary,
            create=lambda: services.visit_log(actor=request.user, data=visit_input),
        )  # fmt: skip
        made.fresh = new  # type: ignore[attr-defined]
        return made

    visit = submit_form(request, form, action, aliases={"veteran_id": "veteran", "needs.0.category": "need_category",
                                                        "needs.0.description": "need_description"})  # fmt: skip
    if visit is not None:
        if getattr(visit, "fresh", True):
            raised = visit.needs.count()
            messages.success(request, _("Visit logged.") + (" " + _("Needs raised: %(n)s.") % {"n": raised}
                                                            if raised else ""))  # fmt: skip
        else:
            messages.info(request, _("This visit was already logged."))
        return redirect("care:mine")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "care/visit_form.html", {"form": form, "veteran": veteran}, status=status)


@page("care.view", params=(*VisitFilterForm.base_fields, "cursor"))
def visits(request: AuthedRequest) -> HttpResponse:
    form = VisitFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        filters = form.cleaned_data
    within = ""
    if filters.get("region"):
        try:
            within = scoped_area(request.user, filters["region"]).prefix
        except ValidationError as exc:
            form.add_error("region", exc.messages[0])
            status, within = 400, ""
    qs = selectors.visits(request.user, veteran=filters.get("veteran"), within=within, since=filters.get("since"))
    try:
        rows, next_cursor = keyset_page(
            qs.prefetch_related("photos", "needs"), key="id", cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE, descending=True,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        rows, next_cursor, status = [], None, 400
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {"form": form, "rows": rows, "next_cursor": next_cursor, "query": params.urlencode()}
    return render(request, "care/visits.html", context, status=status)


@page("care.view", target=Target(VisitPhoto, "pk", "pk"))
def photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    found = get_visible_or_404(VisitPhoto.objects.select_related("visit"), request.user, pk=pk)
    stored = services.photo_open(actor=request.user, photo=found)
    if not stored.exists():
        raise Http404
    return FileResponse(stored.open("rb"), content_type=found.content_type or "application/octet-stream")


@page("care.view", params=("region", "cursor"))
def overdue(request: AuthedRequest) -> HttpResponse:
    """The station's list: the living people of the area whose contact is overdue, longest unseen first."""
    status = 200
    within = ""
    try:
        if request.GET.get("region"):
            within = scoped_area(request.user, request.GET["region"]).prefix
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        status = 400
    qs = selectors.overdue_contacts(request.user, within)
    try:
        rows, next_cursor = keyset_page(qs, key="id", cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        rows, next_cursor, status = [], None, 400
    for row in rows:
        row.due = selectors.due_on(row)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {"rows": rows, "next_cursor": next_cursor, "query": params.urlencode()}
    return render(request, "care/overdue.html", context, status=status)


def _contact_candidates(actor: Any, veteran: Veteran) -> list[User]:
    """Who may be this person's contact: users who log visits, scoped to the person's grid, village or town,
    within the actor's area."""
    codes = [
        ancestor_code(veteran.region_code, level)
        for level in (Level.TOWN, Level.VILLAGE, Level.GRID)
        if level_of(veteran.region_code) in (Level.VILLAGE, Level.GRID) or level == Level.TOWN
    ]
    qs = User.objects.filter(role__in=roles_with("care.visit"), is_active=True, scope_region__code__in=codes)
    prefix = actor.scope_prefix or ""
    return [u for u in qs.select_related("scope_region").order_by("username") if u.scope_prefix.startswith(prefix)]


@page("care.assign", target=Target(Veteran, "pk", "pk"), methods=("GET", "POST"))
def assign(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = get_visible_or_404(Veteran.objects.all(), request.user, pk=pk)
    users = _contact_candidates(request.user, veteran)
    form = AssignForm(request.POST or None, users=users)

    def action(data: dict[str, Any]) -> bool:
        chosen = next((u for u in users if str(u.pk) == data.get("user")), None)
        services.contact_assign(actor=request.user, veteran_id=veteran.pk, user=chosen)
        return True

    if submit_form(request, form, action):
        messages.success(request, _("Contact person saved."))
        return redirect("care:assign", pk=veteran.pk)
    person, station = selectors.contact_of(veteran)
    context = {"form": form, "veteran": veteran, "person": person, "station": station,
               "months": selectors.frequency_of(veteran)}  # fmt: skip
    return render(request, "care/assign.html", context, status=400 if form.is_bound and form.errors else 200)


@page("care.frequencies", methods=("GET", "POST"))
def frequencies(request: AuthedRequest) -> HttpResponse:
    """How often each rule's people are contacted: the administrator edits the months."""
    rules = list(ContactFrequency.objects.select_related("tag").order_by("months", "code"))
    form = FrequencyForm(request.POST or None)

    def action(data: dict[str, Any]) -> ContactFrequency:
        rule = next((r for r in rules if r.pk == data["rule"]), None)
        if rule is None:
            raise ValidationError({"rule": [_("No such rule.")]})
        return services.frequency_set(actor=request.user, rule=rule, months=data["months"])

    if submit_form(request, form, action) is not None:
        messages.success(request, _("Contact frequency saved."))
        return redirect("care:frequencies")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "care/frequencies.html", {"rules": rules, "form": form}, status=status)


urlpatterns = [
    path("", home, name="home"),
    path("mine/", mine, name="mine"),
    path("visits/", visits, name="visits"),
    path("visits/new/", visit_new, name="visit_new"),
    path("photos/<id:pk>/", photo, name="photo"),
    path("overdue/", overdue, name="overdue"),
    path("people/<id:pk>/contact/", assign, name="assign"),
    path("frequencies/", frequencies, name="frequencies"),
]
