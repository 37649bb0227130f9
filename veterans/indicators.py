"""The registry's indicators for the cockpit: veterans by area, category, discharge type, branch, age band and
political status; new arrivals (退役报到) by month; the Party's long-standing members; the data's quality."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cockpit.kit import Dim, Indicator, Measure, Period, declare
from veterans import choices as c
from veterans.choices import Status
from veterans.models import Veteran, VeteranCategory
from veterans.quality import KEY_FIELDS
from veterans.selectors import years_ago
from veterans.validation import PARTY

GROUP = _("Veterans")
PEOPLE = _("people")
WATCH = ("model:veterans.Veteran",)
#: age bands: (key, youngest age, oldest age or None)
AGE_BANDS = (("lt30", 0, 29), ("30-39", 30, 39), ("40-49", 40, 49), ("50-59", 50, 59), ("60-69", 60, 69),
             ("70-79", 70, 79), ("80+", 80, None))  # fmt: skip
AGE_NAMES = {"lt30": _("under 30"), "30-39": "30–39", "40-49": "40–49", "50-59": "50–59", "60-69": "60–69",
             "70-79": "70–79", "80+": _("80 and over")}  # fmt: skip
PARTY_YEARS = 50
DISABLED = "disabled_soldier"


def living() -> QuerySet[Veteran]:
    return Veteran.objects.filter(status=Status.LIVING)


def age_band(today: dt.date | None = None) -> Case:
    """The age band of a birth date, by the ages people have today."""
    today = today or timezone.localdate()
    whens = [When(birth_date__gt=years_ago(youngest + 10 if oldest is None else oldest + 1, today), then=Value(key))
             for key, youngest, oldest in AGE_BANDS if oldest is not None]  # fmt: skip
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def party_long_standing(today: dt.date | None = None) -> Q:
    return Q(political_status__in=PARTY, party_joined_on__lte=years_ago(PARTY_YEARS, today or timezone.localdate()))


def veteran_records(region_code: str, filters: Mapping[str, str]) -> str | None:
    """The registry's list for a figure: the living veterans of the area, with the dimension's filter."""
    query = {"region": region_code, "status": Status.LIVING}
    for dim, value in filters.items():
        if dim in ("discharge", "branch"):
            query["discharge_type" if dim == "discharge" else "branch"] = value
        elif dim == "category":
            query["category"] = value
        elif dim == "age":
            band = next((b for b in AGE_BANDS if b[0] == value), None)
            if band is None:
                return None
            query["age_min"] = str(band[1])
            if band[2] is not None:
                query["age_max"] = str(band[2])
        else:
            return None
    return f"{reverse('veterans:list')}?{urlencode(query)}"


declare(Indicator(
    key="veterans.living", group=GROUP, name=_("Veterans"), source=living,
    measures=(
        Measure("count", _("veterans"), Count("id"), PEOPLE),
        Measure("party", _("Party members"), Count("id", filter=Q(political_status__in=PARTY)), PEOPLE),
        Measure("party50", _("50 or more years in the Party"), lambda: Count("id", filter=party_long_standing()),
                PEOPLE),
    ),
    dims=(
        Dim("discharge", _("Discharge type"), "discharge_type", dict(c.choices(c.DISCHARGE_TYPES))),
        Dim("branch", _("Branch"), "branch", dict(c.choices(c.BRANCHES))),
        Dim("age", _("Age"), age_band, AGE_NAMES),
        Dim("political", _("Political status"), "political_status", dict(c.choices(c.POLITICAL_STATUSES))),
        Dim("gender", _("Gender"), "gender", dict(c.choices(c.GENDERS))),
    ),
    watch=WATCH, records=veteran_records, daily=True, order=10, chart="bar",
))  # fmt: skip


def in_force() -> QuerySet[VeteranCategory]:
    """The special-care categories held now (as the registry's list filters them) by the living."""
    return VeteranCategory.objects.filter(end_date__isnull=True, veteran__status=Status.LIVING)


declare(Indicator(
    key="veterans.category", group=GROUP, name=_("In special care (优抚对象)"), source=in_force,
    region="veteran__region_code",
    measures=(Measure("people", _("people in special care"), Count("veteran_id", distinct=True), PEOPLE),),
    dims=(Dim("category", _("Category"), "category", dict(c.choices(c.CATEGORIES))),),
    watch=WATCH, records=veteran_records, order=11, chart="pie",
))  # fmt: skip


def arrived_records(region_code: str, filters: Mapping[str, str]) -> str | None:
    if set(filters) - {"period"}:
        return None
    return f"{reverse('veterans:list')}?{urlencode({'region': region_code, 'sort': 'discharged_on'})}"


declare(Indicator(
    key="veterans.arrivals", group=GROUP, name=_("New arrivals (退役报到)"), source=lambda: Veteran.objects.all(),
    measures=(Measure("count", _("arrived"), Count("id"), PEOPLE),),
    period=Period("month", "discharged_on"), watch=WATCH, records=arrived_records, order=12, chart="line",
))  # fmt: skip


def _complete() -> Q:
    return Q(**{name: "" for name in KEY_FIELDS}, _connector=Q.OR)


declare(Indicator(
    key="veterans.quality", group=_("Data quality"), name=_("Complete records"), source=living,
    measures=(
        Measure("complete", _("complete records"), Count("id", filter=~_complete()), PEOPLE),
        Measure("count", _("records"), Count("id"), PEOPLE),
        Measure("no_phone", _("without a phone"), Count("id", filter=Q(phone_enc="")), PEOPLE),
        Measure("no_address", _("without an address"), Count("id", filter=Q(address="")), PEOPLE),
        Measure("not_in_grid", _("not placed in a grid"), Count("id", filter=Q(region_code__length__lt=15)), PEOPLE),
    ),
    rate=("complete", "count"), watch=WATCH, records=veteran_records, order=90,
))  # fmt: skip


def disabled_records(region_code: str, filters: Mapping[str, str]) -> str | None:
    """The registry's list of the area's disabled servicemen (the list does not filter by the certificate's
    date)."""
    if set(filters) - {"period"}:
        return None
    query = {"region": region_code, "category": DISABLED}
    return f"{reverse('veterans:list')}?{urlencode(query)}"


declare(Indicator(
    key="veterans.disabled_new", group=GROUP, name=_("New disabled servicemen's certificates"),
    source=lambda: VeteranCategory.objects.filter(category=DISABLED), region="veteran__region_code",
    measures=(Measure("count", _("certificates issued"), Count("id"), _("certificates")),),
    period=Period("month", "start_date"), watch=WATCH, records=disabled_records, order=13, chart="line",
    note=_("The demo's registry holds a few new certificates a year, not the seed page's 150: synthetic."),
))  # fmt: skip
