"""The forms of the quarterly ranking's pages: freezing a quarter, a sub-area of a notice, raising an objection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from points.models import Kind, PointEntry
from points.quarters import previous, quarter_of
from regions.models import Level, Region


def last_ended_quarter() -> str:
    return previous(quarter_of(timezone.localdate()))


class FreezeForm(forms.Form):
    """A quarter and the area it is frozen for: the user's town, or (city staff) the city or any of its towns."""

    quarter = forms.CharField(label=_("Quarter"), max_length=10, help_text=_("Year and quarter, like 2026Q3."))
    region = forms.ChoiceField(label=_("Area"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"quarter": last_ended_quarter()})
        super().__init__(*args, **kwargs)
        areas = (
            Region.objects.visible_to(user)
            .filter(level__in=(Level.CITY, Level.TOWN))
            .order_by("code")
            .values_list("code", "name")
        )
        self.fields["region"].choices = list(areas)  # type: ignore[attr-defined]  # a ChoiceField


class WithinForm(forms.Form):
    """An area under the ranking's (a town, a village, a grid), to show its rows only (their ranks stay the
    ranking's)."""

    within = forms.ChoiceField(label=_("Part of the area"), required=False)

    def __init__(self, *args: Any, places: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["within"].choices = [("", _("The whole area")), *places]  # type: ignore[attr-defined]


def disputed_choices(veteran_id: int, quarter: str) -> list[tuple[int, str]]:
    """The veteran's awards and deductions of the quarter, as a select shows them: date, item, points."""
    rows = (
        PointEntry.objects.filter(
            veteran_id=veteran_id, quarter=quarter, kind__in=(Kind.AWARD, Kind.DEDUCTION), reverses__isnull=True
        )
        .select_related("version")
        .order_by("day", "id")
    )
    return [(r.pk, f"{r.day:%Y-%m-%d} · {r.version.name if r.version else ''} · {r.points:+d}") for r in rows]


class ObjectionForm(forms.Form):
    """What is disputed (one of the veteran's rows of the quarter) and why."""

    disputed = forms.TypedChoiceField(label=_("Disputed entry"), coerce=int)
    claim = forms.CharField(
        label=_("What is wrong"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000})
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["disputed"].choices = [("", _("Choose the entry")), *choices]  # type: ignore[attr-defined]
