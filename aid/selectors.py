"""Every scoped read of hardship aid and its fund: the user's fund, its ledger, its donations, its ceremonies, the
applications a ceremony may pay. Each goes through ``visible_to`` (capability and region scope)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from aid.models import Application, Ceremony, EntryKind, Fund, FundEntry
from aid.services import fund_code
from core.ledger import round_fen
from regions.models import prefix_of
from workflow.models import Case


def fund_of(user: Any) -> Fund:
    """The fund of the user's city, as the user may see it; an empty one (not saved) before its first donation.
    Raises ``ValidationError`` for a user above a city (their area holds several funds)."""
    code = fund_code(user)
    found = Fund.objects.visible_to(user).filter(region_code=code).first()
    return found if found is not None else Fund(region_code=code)


def ledger(user: Any, fund: Fund, kind: str = "") -> QuerySet[FundEntry]:
    """The fund's ledger rows the user may see, newest first, with what each came from."""
    if fund.pk is None:
        return FundEntry.objects.none()
    rows = FundEntry.objects.visible_to(user).filter(fund=fund)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("donor", "application__case", "application__veteran", "ceremony", "reverses",
                               "reversed_by", "created_by").order_by("-id")  # fmt: skip


def totals(fund: Fund) -> dict[str, Decimal]:
    """What came in (donations net of their reversals) and went out (grants net of theirs), in yuan."""
    zero = Decimal("0.00")
    if fund.pk is None:
        return {"donated": zero, "granted": zero}
    sums = dict(FundEntry.objects.filter(fund=fund).values("kind").annotate(total=Sum("amount")).values_list(
        "kind", "total"))  # fmt: skip
    # SQLite's SUM gives the decimal without its places: every total is brought to the fen
    return {
        "donated": round_fen(sums.get(EntryKind.DONATION) or zero),
        "granted": round_fen(-(sums.get(EntryKind.GRANT) or zero)),
    }


def payable(user: Any, fund: Fund) -> QuerySet[Application]:
    """Applications of the fund's city the user sees that are approved and not yet paid, oldest first."""
    return (
        Application.objects.visible_to(user)
        .filter(
            case__state=Case.State.DONE,
            approved__isnull=False,
            ceremony__isnull=True,
            region_code__startswith=prefix_of(fund.region_code),
        )
        .select_related("case", "veteran")
        .order_by("case_id")
    )


def ceremonies(user: Any) -> QuerySet[Ceremony]:
    return Ceremony.objects.visible_to(user).select_related("created_by").order_by("-held_on", "-id")


def ceremony_grants(ceremony: Ceremony) -> QuerySet[FundEntry]:
    """The grants a ceremony paid, each with its application and veteran."""
    return (
        FundEntry.objects.filter(ceremony=ceremony, reverses__isnull=True)
        .select_related("application__case", "application__veteran", "reversed_by")
        .order_by("id")
    )
