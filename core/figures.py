"""What the modules' figures for the cockpit share."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` as a percentage to one decimal, rounded half up ("12.5"); None when ``whole`` is 0."""
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else None
