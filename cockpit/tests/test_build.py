"""The cockpit's cells: a full build agrees with the registers; a change after the last refresh appears after the
next one (the events mark its regions, before and after a move); what was never built, and what depends on the
day, is built by the worker's round."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from cockpit import build, kit, selectors
from cockpit.models import Built, Cell, Dirty
from cockpit.testing import disagreements
from veterans.services import scope_regions, veteran_as_input, veteran_mark_deceased, veteran_update
from veterans.tests.factories import register as register_veteran
from veterans.validation import clean_veteran

pytestmark = pytest.mark.django_db


def regions(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def count(region: Any, key: str = "veterans.living", measure: str = "count", period: str = "") -> int:
    figure = selectors.overview(region, period or str(timezone.localdate().year), [key])[0]
    return int(figure.measure(measure))


def people(net: Network) -> list[Any]:
    staff = net.users["city_staff"]
    made = [register_veteran(staff, net.grid), register_veteran(staff, net.grid), register_veteran(staff, net.village),
            register_veteran(staff, net.other_grid), register_veteran(staff, net.village)]  # fmt: skip
    # an older record placed at the town only (the registry's data-quality page lists such people)
    type(made[-1]).objects.filter(pk=made[-1].pk).update(region=net.danghu, region_code=net.danghu.code)
    return made


def move(actor: Any, veteran: Any, region: Any) -> Any:
    raw = veteran_as_input(veteran) | {"region_code": region.code}
    return veteran_update(actor=actor, veteran=veteran, data=clean_veteran(raw, regions=scope_regions(actor)))


def test_a_full_build_agrees_with_the_registers_at_every_level(net: Network) -> None:
    people(net)
    build.rebuild()
    assert disagreements(regions(net)) == []
    assert (count(net.city), count(net.danghu), count(net.zhapu), count(net.village), count(net.grid)) == (
        5, 4, 1, 3, 2
    )  # fmt: skip
    # the records registered at the town itself are a row of their own in its breakdown
    rows = selectors.breakdown(kit.INDICATORS["veterans.living"], net.danghu, "")
    assert [(r.key, int(r.values.get("count", 0))) for r in rows] == [(net.village.code, 3), (net.danghu.code, 1)]
    assert rows[0].deeper and rows[0].records and f"region={net.village.code}" in rows[0].records
    assert Built.objects.filter(indicator="veterans.living").exists()


def test_a_change_after_the_last_refresh_appears_after_the_next(
    net: Network, django_capture_on_commit_callbacks: Any
) -> None:
    staff = net.users["city_staff"]
    first, second, *_rest = people(net)
    build.rebuild()
    assert not Dirty.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        move(staff, first, net.other_grid)  # 当湖 → 乍浦: both are stale
    with django_capture_on_commit_callbacks(execute=True):
        veteran_mark_deceased(actor=staff, veteran=second, died_on=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        register_veteran(staff, net.other_village)
    marked = set(Dirty.objects.values_list("region_code", flat=True))
    assert {net.grid.code, net.other_grid.code, net.other_village.code} <= marked
    # not yet: the cells are as of the last refresh
    assert (count(net.danghu), count(net.zhapu)) == (4, 1)
    assert disagreements(regions(net)) != []
    done = build.refresh()
    assert done["veterans.living"] == 3
    assert (count(net.city), count(net.danghu), count(net.zhapu), count(net.grid)) == (5, 2, 3, 0)
    assert disagreements(regions(net)) == []
    assert not Dirty.objects.exists()


def test_a_mark_written_while_a_refresh_runs_is_left_for_the_next(net: Network) -> None:
    people(net)
    build.rebuild()
    Dirty.objects.create(indicator="veterans.living", region_code=net.grid.code)
    taken = list(Dirty.objects.values_list("pk", flat=True))
    build.refresh()
    assert not Dirty.objects.filter(pk__in=taken).exists()
    late = Dirty.objects.create(indicator="veterans.living", region_code=net.grid.code)
    assert list(Dirty.objects.values_list("pk", flat=True)) == [late.pk]


def test_the_worker_builds_what_was_never_built_and_the_day_s_figures_once_a_day(net: Network) -> None:
    people(net)
    assert not Cell.objects.exists()
    done = build.keep_current()
    assert done["veterans.living"] == -1 and count(net.city) == 5
    assert build.keep_current() == {}  # nothing new: nothing done
    Built.objects.update(built_at=timezone.now() - dt.timedelta(days=1))
    again = build.keep_current()
    daily = {i.key for i in kit.declared() if i.daily}
    assert "veterans.living" in daily and {k for k, v in again.items() if v == -1} == daily


def test_a_period_is_a_year_a_month_or_a_quarter() -> None:
    assert selectors.parse_period("2026") == "2026"
    assert selectors.parse_period("2026-03") == "2026-03"
    assert selectors.parse_period("2026Q4") == "2026Q4"
    assert selectors.parse_period("") == str(timezone.localdate().year)
    for bad in ("2026-13", "26", "2026Q5", "2026-3", "1800", "x"):
        with pytest.raises(Exception) as refused:
            selectors.parse_period(bad)
        assert "period" in str(refused.value.__dict__) or "period" in str(refused.value)


def test_a_rebuild_of_some_indicators_takes_any_iterable_of_keys(net: Network) -> None:
    people(net)
    seconds = build.rebuild(key for key in ("veterans.living", "veterans.quality"))
    assert {"veterans.living", "veterans.quality"} <= set(seconds)
    assert set(Cell.objects.values_list("indicator", flat=True)) == {"veterans.living", "veterans.quality"}
