"""关爱服务 for the cockpit, as ``care.figures`` counts them: contact coverage (the living veterans contacted within
their frequency, ``care.selectors.with_contacted``), and the needs raised by month (the day their case was
opened) and category: resolved, resolved on time, followed up, satisfied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from care.figures import SATISFIED, _late
from care.models import Need, NeedCategory
from care.process import NEED_PROCESS
from care.selectors import with_contacted
from cockpit.kit import Dim, Indicator, Measure, Period, declare
from veterans.choices import Status
from veterans.models import Veteran

GROUP = _("Care (关爱服务)")
PEOPLE = _("people")
NEEDS = _("needs")


def care_page(region_code: str, filters: Mapping[str, str]) -> str | None:
    """The area's care page: its coverage, and its needs of the year (a month's or a category's are not shown
    apart there)."""
    period = filters.get("period", "")
    if set(filters) - {"period"} or (period and period != str(timezone.localdate().year)):
        return None
    return f"{reverse('care:home')}?{urlencode({'region': region_code})}"


def living_contacted() -> QuerySet[Any]:
    return with_contacted(Veteran.objects.filter(status=Status.LIVING))


declare(Indicator(
    key="care.coverage", group=GROUP, name=_("Contact coverage"), source=living_contacted,
    measures=(
        Measure("contacted", _("contacted within their frequency"), Count("id", filter=Q(contacted=True)), PEOPLE),
        Measure("living", _("living veterans"), Count("id"), PEOPLE),
    ),
    rate=("contacted", "living"), watch=("care_visit_logged", "model:veterans.Veteran"), records=care_page,
    daily=True, order=60, chart="bar",
))  # fmt: skip


def needs() -> QuerySet[Any]:
    """The needs with ``late``: a handling step passed its limit (today's, so the figures are counted daily)."""
    return Need.objects.annotate(late=_late(timezone.localdate()))


RESOLVED = Q(resolved_on__isnull=False) | Q(case__state="done")

declare(Indicator(
    key="care.needs", group=GROUP, name=_("Needs raised"), source=needs,
    measures=(
        Measure("opened", _("raised"), Count("case_id"), NEEDS),
        Measure("resolved", _("resolved"), Count("case_id", filter=RESOLVED), NEEDS),
        Measure("on_time", _("resolved on time"), Count("case_id", filter=RESOLVED & Q(late=False)), NEEDS),
        Measure("followed_up", _("followed up"), Count("case_id", filter=~Q(satisfaction="")), NEEDS),
        Measure("satisfied", _("satisfied"), Count("case_id", filter=Q(satisfaction__in=SATISFIED)), NEEDS),
    ),
    period=Period("month", "case__created_at"),
    dims=(Dim("category", _("Kind of need"), "category", dict(NeedCategory.choices)),),
    watch=(f"process:{NEED_PROCESS}",), records=care_page, daily=True, order=61, chart="bar",
))  # fmt: skip

declare(Indicator(
    key="care.satisfaction", group=GROUP, name=_("Needs: satisfied at the follow-up"), source=needs,
    measures=(
        Measure("satisfied", _("satisfied"), Count("case_id", filter=Q(satisfaction__in=SATISFIED)), NEEDS),
        Measure("followed_up", _("followed up"), Count("case_id", filter=~Q(satisfaction="")), NEEDS),
    ),
    rate=("satisfied", "followed_up"), period=Period("month", "case__created_at"),
    watch=(f"process:{NEED_PROCESS}",), records=care_page, order=62, chart="bar",
))  # fmt: skip
