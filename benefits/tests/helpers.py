"""Programs, standards and entitlements for the tests of 抚恤补助."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from accounts.testing import Network
from benefits.entitlements import EntitlementInput, entitlement_create
from benefits.models import Entitlement, Program, Standard
from regions.models import Region
from veterans.tests.factories import register as register_veteran

_accounts = itertools.count(1)


def program(code: str) -> Program:
    if not Program.objects.exists():  # a transactional test's flush empties what the migration seeded
        from django.apps import apps

        from benefits.programs import seed

        seed(apps, None)
    return Program.objects.get(code=code)


def standard(
    code: str, amount: str, since: str = "2025-01-01", *, grade: int = 0, cause: str = "", per: str = "month",
    published: dt.datetime | None = None, by: Any = None,
) -> Standard:  # fmt: skip
    values: dict[str, Any] = {
        "program": program(code), "grade": grade, "cause": cause, "amount": Decimal(amount), "per": per,
        "effective_from": dt.date.fromisoformat(since), "published_by": by,
    }  # fmt: skip
    if published is not None:
        values["published_at"] = published
    return Standard.objects.create(**values)


def new_account() -> str:
    return f"6217{next(_accounts):015d}"


def entitlement(
    net: Network, region: Region | None = None, *, code: str = "disability", grade: int | None = 6,
    cause: str = "war", since: str = "2026-01-01", veteran: Any = None, account: str = "", **overrides: Any,
) -> Entitlement:  # fmt: skip
    actor = net.users["city_staff"]
    veteran = veteran or register_veteran(actor, region or net.village)
    prog = program(code)
    data = EntitlementInput(
        veteran=veteran,
        program=prog,
        from_month=dt.date.fromisoformat(since),
        bank_name="平湖农商银行",
        account=account or new_account(),
        grade=grade if prog.by_grade else None,
        cause=cause if prog.causes else "",
        confirmed_year=overrides.pop("confirmed_year", 2026),
        **overrides,
    )
    return entitlement_create(actor=actor, data=data)
