"""The working-day calendar's table of holidays and weekends worked in exchange (调休)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from core.errors import invalid
from core.permissions import require
from workflow.models import Holiday


@transaction.atomic
def holiday_add(*, actor: User, date: dt.date, kind: str, name: str) -> Holiday:
    require(actor, "holidays.manage")
    if Holiday.objects.filter(date=date).exists():
        raise invalid("date", _("This day is already in the table."), code="exists")
    holiday = Holiday.objects.create(date=date, kind=kind, name=name)
    audit_record(actor=actor, action="holiday.add", obj=holiday, after={"date": date, "kind": kind, "name": name})
    return holiday


@transaction.atomic
def holiday_delete(*, actor: User, holiday: Holiday) -> None:
    require(actor, "holidays.manage")
    audit_record(
        actor=actor,
        action="holiday.delete",
        obj=holiday,
        before={"date": holiday.date, "kind": holiday.kind, "name": holiday.name},
    )
    holiday.delete()


#: The years the working-day calendar may be asked about.
FIRST_YEAR, LAST_YEAR = 1949, 2100


def calendar_year(raw: object, *, default: int) -> int:
    """The year a page or call asks for (``default`` when none is given); refused at the field when malformed."""
    if raw in (None, ""):
        return default
    try:
        year = int(str(raw).strip())
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise invalid(
            "year", _("Give a year from %(first)d to %(last)d."), code="bad_year", first=FIRST_YEAR, last=LAST_YEAR
        )
    return year
