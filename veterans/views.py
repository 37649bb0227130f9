from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.access import Target, page
from core.pagination import count_up_to, keyset_page
from core.pickers import bind, picker_response
from core.types import AuthedRequest
from core.views import submit_form
from veterans import selectors, services
from veterans.actions import actions_for as person_actions
from veterans.forms import DeceasedForm, FamilyMemberForm, FilterForm, RevealForm, VeteranForm
from veterans.models import FamilyMember, Veteran
from veterans.pickers import PEOPLE
from veterans.timeline import timeline
from veterans.validation import clean_veteran

PAGE_SIZE = 50


def filters_from(form: FilterForm) -> tuple[selectors.VeteranFilters, str]:
    # A malformed filter is shown at its field; the well-formed ones still apply (dropping them all
    # would list, and export, the user's whole scope).
    form.is_valid()
    data = getattr(form, "cleaned_data", {})  # an unbound form (no query at all) has none
    fields = {
        k: v for k, v in data.items() if k in selectors.VeteranFilters.__dataclass_fields__ and v not in ("", None)
    }
    return selectors.VeteranFilters(**fields), data.get("sort") or "-id"


@page("veterans.view", params=(*FilterForm.base_fields, "cursor"))
def veteran_list(request: AuthedRequest) -> HttpResponse:
    form = bind(FilterForm(request.GET or None), request.user)
    filters, sort = filters_from(form)
    qs = selectors.veteran_list(user=request.user, filters=filters)
    error = None
    try:
        rows, next_cursor = keyset_page(qs, key=selectors.SORTS[sort], cursor=request.GET.get("cursor") or None,
                                        limit=PAGE_SIZE, descending=sort == "-id")  # fmt: skip
    except ValidationError as exc:
        rows, next_cursor, error = [], None, exc.messages[0]
    total, more = count_up_to(qs)
    params = request.GET.copy()
    params.pop("cursor", None)
    # a region named by typed words is carried on (next page, export) as the code they were found to mean
    params.pop("region__q", None)
    if filters.region:
        params["region"] = filters.region
    return render(request, "veterans/list.html", {
        "form": form, "rows": rows, "next_cursor": next_cursor, "query": params.urlencode(), "error": error,
        "total": f"{total:,}", "total_more": more,
        "can_manage": request.user.can("veterans.manage"), "can_export": request.user.can("veterans.export"),
        "can_import": request.user.can("veterans.import"),
        "export_formats": [("xlsx", _("Export xlsx")), ("csv", _("Export CSV"))],
    })  # fmt: skip


@page("veterans.view", params=("q",), no_store=True)
def pick(request: AuthedRequest) -> HttpResponse:
    """The person picker's matches (name, pinyin, initials, ID tail) from the user's scope."""
    return picker_response(PEOPLE, request)


@page("veterans.view", target=Target(Veteran))
def veteran_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    return render(request, "veterans/detail.html", {
        "v": veteran, "categories": veteran.categories.all(), "family": veteran.family.all(),
        "tags": veteran.tags.all(), "timeline": timeline(veteran, request.user), "reveal_form": RevealForm(),
        "can_manage": request.user.can("veterans.manage"), "can_reveal": request.user.can("veterans.reveal_id"),
        "person_actions": person_actions(request.user, veteran),
    })  # fmt: skip


def _save(request: AuthedRequest, form: VeteranForm, veteran: Veteran | None) -> Veteran | None:
    def action(data: dict[str, Any]) -> Veteran:
        raw = dict(data)
        if veteran is not None:
            kept = services.veteran_as_input(veteran)
            for name in ("id_number", "phone"):
                if not raw.get(name):
                    raw[name] = kept[name]
        clean = clean_veteran(raw, regions=services.scope_regions(request.user, [raw.get("region_code")]))
        if veteran is None:
            return services.veteran_create(actor=request.user, data=clean)
        return services.veteran_update(actor=request.user, veteran=veteran, data=clean)

    return submit_form(request, form, action)


@page("veterans.manage", methods=("GET", "POST"))
def veteran_create(request: AuthedRequest) -> HttpResponse:
    form = bind(VeteranForm(request.POST or None), request.user)
    veteran = _save(request, form, None)
    if veteran is not None:
        messages.success(request, _("%(name)s registered.") % {"name": veteran.name})
        return redirect("veterans:detail", pk=veteran.pk)
    return render(request, "veterans/form.html", {"form": form, "title": _("Register a veteran")})


@page("veterans.manage", target=Target(Veteran), methods=("GET", "POST"))
def veteran_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    initial = services.veteran_as_input(veteran)
    initial["id_number"] = initial["phone"] = ""  # never put the full numbers into a page
    initial["tags"] = [t.code for t in veteran.tags.all()]
    form = bind(VeteranForm(request.POST or None, initial=initial, editing=True), request.user)
    saved = _save(request, form, veteran)
    if saved is not None:
        messages.success(request, _("Record saved."))
        return redirect("veterans:detail", pk=veteran.pk)
    return render(request, "veterans/form.html", {"form": form, "v": veteran,
                                                   "title": _("Edit %(name)s") % {"name": veteran.name}})  # fmt: skip


@page("veterans.reveal_id", target=Target(Veteran), methods=("POST",), no_store=True)
def veteran_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    full = submit_form(request, form, lambda data: services.veteran_reveal_id(
        actor=request.user, veteran=veteran, reason=data["reason"]))  # fmt: skip
    template = "veterans/_reveal.html" if getattr(request, "htmx", False) else "veterans/reveal.html"
    return render(request, template, {"v": veteran, "full": full, "reveal_form": form})


@page("veterans.manage", target=Target(Veteran), methods=("GET", "POST"))
def veteran_deceased(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    form = DeceasedForm(request.POST or None)
    done = submit_form(request, form, lambda data: services.veteran_mark_deceased(
        actor=request.user, veteran=veteran, died_on=data["deceased_on"], reason=data["reason"]))  # fmt: skip
    if done is not None:
        messages.success(request, _("Recorded as deceased."))
        return redirect("veterans:detail", pk=veteran.pk)
    title = _("Record the death of %(name)s") % {"name": veteran.name}
    return render(request, "veterans/form.html", {"form": form, "v": veteran, "title": title})


@page("veterans.view")
def data_quality(request: AuthedRequest) -> HttpResponse:
    from veterans import quality

    return render(request, "veterans/quality.html", {
        "duplicates": quality.suspected_duplicates(user=request.user),
        "missing": quality.missing_fields(user=request.user),
        "conflicts": quality.category_conflicts(user=request.user),
    })  # fmt: skip


@page("veterans.manage", target=Target(Veteran), methods=("GET", "POST"))
def family_add(request: AuthedRequest, pk: int) -> HttpResponse:
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    form = FamilyMemberForm(request.POST or None)
    member = submit_form(request, form, lambda data: services.family_member_add(
        actor=request.user, veteran=veteran, raw=data))  # fmt: skip
    if member is not None:
        messages.success(request, _("Family member added."))
        return redirect("veterans:detail", pk=veteran.pk)
    title = _("Add a family member of %(name)s") % {"name": veteran.name}
    return render(request, "veterans/form.html", {"form": form, "v": veteran, "title": title})


@page("veterans.manage", target=Target(FamilyMember, "veteran_id", also={"member_id": "pk"}), methods=("POST",))
def family_remove(request: AuthedRequest, pk: int, member_id: int) -> HttpResponse:
    veteran = selectors.veteran_get(user=request.user, pk=pk)
    member = get_object_or_404(veteran.family.all(), pk=member_id)
    services.family_member_remove(actor=request.user, member=member)
    messages.success(request, _("Family member removed."))
    return redirect("veterans:detail", pk=veteran.pk)
