"""A register that declares no writer of its own: the pipeline's ModelWriter, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from accounts.testing import Network
from audit.models import AuditEntry
from core.db import StreamBusy
from core.errors import ErrorCollector, invalid
from core.imports import Column, Register, import_file
from core.parsing import text
from regions.models import Region, StarCriterion

pytestmark = pytest.mark.django_db


def _score(value: Any) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        score = Decimal(0)
    if not score > 0:
        raise invalid("max_score", "The maximum score is a positive number.", code="bad_score")
    return score


def clean_criterion(raw: dict[str, Any], context: Any) -> dict[str, Any]:
    errors = ErrorCollector()
    row = {
        "code": errors.check(text, raw.get("code"), "code", max_length=30, required=True),
        "name": errors.check(text, raw.get("name"), "name", max_length=100, required=True),
        "max_score": errors.check(_score, raw.get("max_score")),
    }
    errors.raise_if_any()
    return row


#: A register over a model of regions, declared in the fewest words: columns, clean, key, model.
CRITERIA = Register(
    name="star_criterion",
    title="星级评定标准",
    columns=[
        Column("代码", "code", required=True),
        Column("名称", "name", required=True),
        Column("满分", "max_score", required=True),
    ],
    clean=clean_criterion,
    key_field="code",
    model=StarCriterion,
    capability="regions.manage",
)


@pytest.fixture(autouse=True)
def no_criteria() -> None:
    """The migrations seed the star criteria: these tests start from none."""
    StarCriterion.objects.all().delete()


def criteria_file(path: Path, *rows: tuple[str, str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["代码", "名称", "满分"])
        writer.writerows(rows)
    return path


def stored() -> list[tuple[str, str, Decimal, int, bool]]:
    return sorted(StarCriterion.objects.values_list("code", "name", "max_score", "order", "active"))


def test_a_register_without_a_writer_imports_its_rows_with_one_audit_entry(net: Network, tmp_path: Path) -> None:
    path = criteria_file(tmp_path / "c.csv", ("a", "服务阵地", "20"), ("b", "队伍建设", "15.5"), (" c ", "活动", "10"))

    result = import_file(path, CRITERIA, actor=net.users["city_admin"], write=True, source={"file": "c.csv"})

    assert result.committed and result.counts["created"] == 3
    # the model's defaults for the columns the file leaves out
    assert stored() == [("a", "服务阵地", Decimal(20), 0, True), ("b", "队伍建设", Decimal("15.5"), 0, True),
                        ("c", "活动", Decimal(10), 0, True)]  # fmt: skip
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_username, entry.after["created"]) == ("star_criterion.import", "city_admin", 3)


@pytest.mark.parametrize(
    ("on_duplicate", "counts", "name"),
    [
        ("skip", {"created": 1, "updated": 0, "skipped": 1}, "旧名"),
        ("update", {"created": 1, "updated": 1, "skipped": 0}, "新名"),
    ],
)
def test_a_row_already_registered_is_skipped_or_updated(
    net: Network, tmp_path: Path, on_duplicate: str, counts: dict[str, int], name: str
) -> None:
    StarCriterion.objects.create(code="a", name="旧名", max_score=5, order=3)
    path = criteria_file(tmp_path / "c.csv", ("a", "新名", "8"), ("b", "新的", "9"))

    result = import_file(path, CRITERIA, actor=net.users["city_admin"], on_duplicate=on_duplicate, write=True)

    assert result.committed and {k: result.counts[k] for k in counts} == counts
    kept = StarCriterion.objects.get(code="a")
    assert (kept.name, kept.order) == (name, 3)  # a column the file does not have is left as it was
    assert AuditEntry.objects.count() == 1


def test_a_row_already_registered_is_an_error_by_default_and_nothing_is_written(net: Network, tmp_path: Path) -> None:
    StarCriterion.objects.create(code="a", name="旧名", max_score=5)
    path = criteria_file(tmp_path / "c.csv", ("b", "新的", "9"), ("a", "新名", "8"), ("b", "又一个", "7"))

    result = import_file(path, CRITERIA, actor=net.users["city_admin"], write=True)

    assert not result.committed
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "代码", "duplicate"),
        (4, "代码", "duplicate_in_file"),
    ]
    assert stored() == [("a", "旧名", Decimal(5), 0, True)] and not AuditEntry.objects.exists()


def test_a_bad_row_after_written_ones_leaves_nothing(net: Network, tmp_path: Path) -> None:
    path = criteria_file(tmp_path / "c.csv", ("a", "一", "1"), ("b", "二", "2"), ("c", "", "nothing"))

    result = import_file(path, CRITERIA, actor=net.users["city_admin"], write=True)

    assert [(e.row, e.column) for e in result.errors] == [(4, "名称"), (4, "满分")]
    assert stored() == [] and not AuditEntry.objects.exists()


def test_the_register_checks_its_capability(net: Network, tmp_path: Path) -> None:
    path = criteria_file(tmp_path / "c.csv", ("a", "一", "1"))

    with pytest.raises(PermissionDenied):
        import_file(path, CRITERIA, actor=net.users["town_staff"], write=True)


def test_a_check_that_queries_while_the_rows_stream_is_refused(net: Network, tmp_path: Path) -> None:
    def querying(raw: dict[str, Any], context: Any) -> dict[str, Any]:
        StarCriterion.objects.exists()  # the first row's write has opened the stream
        return clean_criterion(raw, context)

    path = criteria_file(tmp_path / "c.csv", ("a", "一", "1"), ("b", "二", "2"))

    with pytest.raises(StreamBusy, match=r"regions_starcriterion.*clean\(\) must not query"):
        import_file(path, dataclasses.replace(CRITERIA, clean=querying), actor=net.users["city_admin"], write=True)
    assert stored() == []


def test_a_scoped_models_rows_outside_the_actors_scope_are_reported_not_updated(net: Network) -> None:
    regions = dataclasses.replace(CRITERIA, name="region", model=Region, capability="")

    found = regions.find([net.village.code, net.other_village.code, "330482999999"], net.users["town_staff"])

    assert found == {net.village.code: True, net.other_village.code: False}


def test_a_register_with_neither_a_model_nor_a_writer_says_so(net: Network, tmp_path: Path) -> None:
    path = criteria_file(tmp_path / "c.csv", ("a", "一", "1"))

    with pytest.raises(ImproperlyConfigured, match="neither a model nor its own writer"):
        import_file(path, dataclasses.replace(CRITERIA, model=None), actor=net.users["city_admin"], write=True)
