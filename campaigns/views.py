"""The campaign pages: the list, a new campaign, one campaign's progress by area (with open, refresh, close), a
grid leader's people still to reach (phone cards at 390 px: one tap calls, one marks), the report and its PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from campaigns import selectors, services
from campaigns.figures import by_action, coverage, scoped_area
from campaigns.forms import CampaignForm, RecordForm
from campaigns.models import Campaign, CampaignTarget, State
from campaigns.pdf import render_report
from core import idempotency
from core.access import Target, page
from core.errors import explain
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from regions.models import Level, Region
from workflow.reminders import COUNT_CAP, capped_count

CAMPAIGN = Target(Campaign, "pk", "pk")
#: The most cards a grid leader's list shows (a grid has a few dozen people).
MINE_LIMIT = 300


@page("campaigns.view")
def campaign_list(request: AuthedRequest) -> HttpResponse:
    rows = list(selectors.campaigns(request.user).order_by("-starts_on", "-id")[:200])
    return render(request, "campaigns/list.html", {"rows": rows, "can_manage": request.user.can("campaigns.manage")})


@page("campaigns.manage", methods=("GET", "POST"))
def campaign_new(request: AuthedRequest) -> HttpResponse:
    areas = list(Region.objects.visible_to(request.user).filter(level__in=(Level.CITY, Level.TOWN)).order_by("code"))
    form = CampaignForm(request.POST or None, areas=areas)

    def action(data: dict[str, Any]) -> Campaign:
        return services.campaign_create(actor=request.user, data=services.CampaignInput(
            name=data["name"], kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            region_code=data["region_code"], audience=data["audience"], categories=data.get("categories") or [],
            actions=data.get("actions") or [], gift_name=data.get("gift_name") or "",
        ))  # fmt: skip

    campaign = submit_form(request, form, action)
    if campaign is not None:
        messages.success(request, _("Campaign saved as a draft: open it to assign its people to their grids."))
        return redirect("campaigns:detail", pk=campaign.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "campaigns/new.html", {"form": form}, status=status)


def _figures(request: AuthedRequest, campaign: Campaign) -> tuple[Any, dict[str, Any], list[dict[str, Any]], int]:
    status = 200
    try:
        area = scoped_area(request.user, campaign, request.GET.get("region", ""))
    except ValidationError as exc:
        messages.error(request, explain(exc))
        area, status = scoped_area(request.user, campaign, ""), 400
    total, areas = coverage(campaign, area.code)
    return area, total, areas, status


@page("campaigns.view", target=CAMPAIGN, params=("region",))
def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Progress and coverage of the campaign in the user's area (or an area under it), area by area."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    area, total, areas, status = _figures(request, campaign)
    context = {
        "campaign": campaign, "area": area, "total": total, "areas": areas, "actions": by_action(campaign, total),
        "with_leaders": bool(areas) and "leader" in areas[0],
        "can_manage": Campaign.objects.visible_to(request.user, "manage").filter(pk=campaign.pk).exists(),
        "can_record": request.user.can("campaigns.record") and campaign.state == State.OPEN,
    }  # fmt: skip
    return render(request, "campaigns/detail.html", context, status=status)


def _manage(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    try:
        if verb == "open":
            opened = services.campaign_open(actor=request.user, campaign=campaign)
            messages.success(
                request, _("Campaign opened: %(n)s people assigned to their grids.") % {"n": opened.targets}
            )
        elif verb == "refresh":
            added = services.campaign_refresh(actor=request.user, campaign=campaign)
            messages.success(request, _("People added since the campaign opened: %(n)s.") % {"n": added})
        else:
            services.campaign_close(actor=request.user, campaign=campaign)
            messages.success(request, _("Campaign closed. Its report is final."))
            return redirect("campaigns:report", pk=campaign.pk)
    except ValidationError as exc:
        messages.error(request, explain(exc))
    return redirect("campaigns:detail", pk=campaign.pk)


@page("campaigns.manage", target=CAMPAIGN, methods=("POST",))
def campaign_open(request: AuthedRequest, pk: int) -> HttpResponse:
    return _manage(request, pk, "open")


@page("campaigns.manage", target=CAMPAIGN, methods=("POST",))
def campaign_refresh(request: AuthedRequest, pk: int) -> HttpResponse:
    return _manage(request, pk, "refresh")


@page("campaigns.manage", target=CAMPAIGN, methods=("POST",))
def campaign_close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _manage(request, pk, "close")


@page("campaigns.record", target=CAMPAIGN, no_store=True)
def mine(request: AuthedRequest, pk: int) -> HttpResponse:
    """The people of the user's area the campaign has still to reach, as cards: those not visited first; one tap
    calls (the phones shown are audited, ``care.phone_shown``), one marks an action or the gift."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    rows: list[Any] = list(selectors.to_reach(request.user, campaign)[: MINE_LIMIT + 1])
    more = len(rows) > MINE_LIMIT
    rows = rows[:MINE_LIMIT]
    phones = services.phones_shown(actor=request.user, veterans=[r.veteran for r in rows]) if rows else {}
    actions = campaign.action_labels()
    for row in rows:
        row.phone = phones.get(row.veteran_id, "")
        row.left = [(key, label, RecordForm(initial={"action": key})) for key, label in actions if not row.done(key)]
        if campaign.gift_name and not row.gift_given:
            row.left.append(("gift", campaign.gift_name, RecordForm(initial={"action": "gift"})))
    # all of the area's people not yet visited (counted to 1000), not only the cards shown
    unreached = capped_count(selectors.to_reach(request.user, campaign).filter(visit_on__isnull=True), COUNT_CAP)
    context = {"campaign": campaign, "rows": rows, "unreached": unreached, "open": campaign.state == State.OPEN,
               "more": more, "limit": MINE_LIMIT, "cap": COUNT_CAP}  # fmt: skip
    return render(request, "campaigns/mine.html", context)


@page("campaigns.record", target=Target(CampaignTarget, "pk", "pk"), methods=("POST",))
def record(request: AuthedRequest, pk: int) -> HttpResponse:
    """One mark from a card (an action or the gift), sent once however often the phone sends it."""
    target = get_visible_or_404(CampaignTarget.objects.select_related("campaign", "veteran"), request.user, pk=pk)
    form = RecordForm(request.POST)

    def action(data: dict[str, Any]) -> Any:
        key = idempotency.header_key(data["once"])
        summary = {"target": target.pk, "action": data["action"], "mode": data.get("mode") or "",
                   "note": data.get("note") or ""}  # fmt: skip
        note = data.get("note") or ""

        def create() -> Any:
            if data["action"] == "gift":
                return services.gift_give(actor=request.user, target_id=target.pk, note=note)
            return services.action_record(actor=request.user, target_id=target.pk, action=data["action"],
                                          mode=data.get("mode") or "home", note=note)  # fmt: skip

        _made, new = idempotency.once(actor=request.user, key=key, request=summary, create=create)
        return new

    new = submit_form(request, form, action, aliases={"target": "action", "day": "action", "visited_on": "action"})
    if new is not None:
        messages.success(request, _("Recorded.") if new else _("This was already recorded."))
        return redirect("campaigns:mine", pk=target.campaign_id)
    context = {"campaign": target.campaign, "row": target, "form": form}
    return render(request, "campaigns/record.html", context, status=400)


def _report_figures(request: AuthedRequest, pk: int) -> tuple[Campaign, Any, dict[str, Any], list[dict[str, Any]], int]:
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    area, total, areas, status = _figures(request, campaign)
    return campaign, area, total, areas, status


@page("campaigns.view", target=CAMPAIGN, params=("region",))
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    """The campaign's report for the user's area: coverage by area and by action, gifts, people not reached."""
    campaign, area, total, areas, status = _report_figures(request, pk)
    context = {"campaign": campaign, "area": area, "total": total, "areas": areas,
               "actions": by_action(campaign, total), "with_leaders": bool(areas) and "leader" in areas[0]}  # fmt: skip
    return render(request, "campaigns/report.html", context, status=status)


@page("campaigns.view", target=CAMPAIGN, params=("region",))
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign, area, total, areas, status = _report_figures(request, pk)
    if status != 200:
        return redirect("campaigns:report", pk=campaign.pk)
    pdf = render_report(campaign, total, areas, by_action(campaign, total), area.name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="campaign-{campaign.pk}-report.pdf"'
    return response


urlpatterns = [
    path("", campaign_list, name="list"),
    path("new/", campaign_new, name="new"),
    path("<id:pk>/", campaign_detail, name="detail"),
    path("<id:pk>/open/", campaign_open, name="open"),
    path("<id:pk>/refresh/", campaign_refresh, name="refresh"),
    path("<id:pk>/close/", campaign_close, name="close"),
    path("<id:pk>/mine/", mine, name="mine"),
    path("<id:pk>/report/", report, name="report"),
    path("<id:pk>/report.pdf", report_pdf, name="report_pdf"),
    path("targets/<id:pk>/record/", record, name="record"),
]
