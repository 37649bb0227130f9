"""The database forks behind core.db and core.prepared, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import DateTimeField
from django.utils import timezone

from accounts.testing import Network
from core.db import Loader, Param, PostgreSQLOnly, StreamBusy, analyze, any_of, copy_into, empty, reserve_ids
from core.models import Notification
from core.prepared import Statement
from regions.models import Region, StarCriterion

pytestmark = pytest.mark.django_db

#: Every column without a default in the database (COPY, like the bulk insert, fills no other)
CRITERION = ["code", "name", "max_score", "order", "active"]


@pytest.fixture(autouse=True)
def no_criteria() -> None:
    """The migrations seed the star criteria: these tests start from none."""
    StarCriterion.objects.all().delete()


def criteria(*codes: str) -> list[tuple[str, str, Decimal, int, bool]]:
    return [(code, f"标准{code}", Decimal("10.5"), 0, True) for code in codes]


# --- loading rows --------------------------------------------------------------------------------


def test_copy_into_writes_every_row_with_its_values() -> None:
    copy_into(StarCriterion, CRITERION, criteria("a", "b", "c"))

    assert sorted(StarCriterion.objects.values_list(*CRITERION)) == criteria("a", "b", "c")


def test_a_loader_writes_rows_given_over_several_calls_and_batches() -> None:
    with Loader(StarCriterion, CRITERION, batch=2) as loader:
        loader.write(criteria("a", "b", "c"))
        loader.write(criteria("d"))
        loader.write(criteria("e", "f"))

    assert StarCriterion.objects.count() == 6


def test_a_loader_turns_items_into_rows_or_into_copy_text() -> None:
    items = [("a", 3), ("b", 4)]

    copy_into(
        StarCriterion,
        CRITERION,
        items,
        as_rows=lambda pairs: [(code, code.upper(), Decimal(score), 0, True) for code, score in pairs],
        as_text=lambda pairs: "".join(f"{code}\t{code.upper()}\t{score}\t0\tt\n" for code, score in pairs).encode(),
    )

    assert sorted(StarCriterion.objects.values_list(*CRITERION)) == [
        ("a", "A", Decimal(3), 0, True),
        ("b", "B", Decimal(4), 0, True),
    ]


def test_a_loader_prepares_values_the_driver_cannot_take_when_asked(net: Network) -> None:
    user = net.users["town_staff"]
    sent = dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC)

    columns = ["user", "key", "title", "body", "url", "created_at"]
    copy_into(Notification, columns, [(user.pk, "k", "标题", "", "", sent)], prepare=True)

    assert Notification.objects.get().created_at == sent


def test_any_other_query_is_refused_while_a_loader_holds_the_connection() -> None:
    with Loader(StarCriterion, CRITERION) as loader:
        loader.write(criteria("a"))
        with pytest.raises(StreamBusy) as refused:
            StarCriterion.objects.count()
        loader.write(criteria("b"))  # the stream itself was not harmed

    message = str(refused.value)
    assert "regions_starcriterion" in message and "prepare()" in message and "SELECT COUNT" in message
    assert StarCriterion.objects.count() == 2  # once closed, the connection is free again


def test_a_loader_that_fails_writes_nothing_and_frees_the_connection() -> None:
    from django.db import transaction

    with pytest.raises(ZeroDivisionError), transaction.atomic(), Loader(StarCriterion, CRITERION) as loader:
        loader.write(criteria("a"))
        raise ZeroDivisionError

    assert not StarCriterion.objects.exists()
    assert connection.execute_wrappers == []


def test_a_loader_not_written_to_holds_nothing() -> None:
    with Loader(StarCriterion, CRITERION):
        assert StarCriterion.objects.count() == 0


def test_reserved_ids_are_taken_by_no_later_row() -> None:
    reserved = reserve_ids(StarCriterion, 3)
    later = StarCriterion.objects.create(code="later", name="后来", max_score=1)  # after the reservation

    copy_into(
        StarCriterion,
        ["id", *CRITERION],
        [(pk, *row) for pk, row in zip(reserved, criteria("a", "b", "c"), strict=True)],
    )

    assert len(set(reserved)) == 3 and later.pk > max(reserved)
    assert sorted(StarCriterion.objects.exclude(pk=later.pk).values_list("pk", flat=True)) == sorted(reserved)


def test_ids_are_reserved_in_a_table_never_written(net: Network) -> None:
    reserved = reserve_ids(Notification, 2)

    assert Notification.objects.create(user=net.users["town_staff"], key="k", title="t").pk > max(reserved)


def test_empty_and_analyze_leave_an_empty_table_that_still_takes_rows(net: Network) -> None:
    Notification.objects.create(user=net.users["town_staff"], key="k", title="t")

    empty(Notification)
    analyze(Notification)

    assert not Notification.objects.exists()
    Notification.objects.create(user=net.users["town_staff"], key="k", title="t")


# --- one parameter for many values ---------------------------------------------------------------


@pytest.mark.parametrize(
    "codes",
    [["a", "c"], ['quote"d', "comma,d"], ["back\\slash", "{braces}"], ["NULL", "空格 名"]],
)
def test_any_of_finds_exactly_the_rows_with_one_of_the_values(codes: list[str]) -> None:
    copy_into(StarCriterion, CRITERION, criteria("other", "NULL-not", *codes))

    found = StarCriterion.objects.filter(any_of("code", [*codes, "missing", None]))

    assert sorted(found.values_list("code", flat=True)) == sorted(set(codes))


def test_any_of_sends_the_values_as_one_parameter() -> None:
    query = Region.objects.filter(any_of("code", [f"33048200{n:04d}" for n in range(500)])).query

    _sql, params = query.sql_with_params()

    assert len(params) == 1


def test_any_of_an_empty_list_finds_nothing(net: Network) -> None:
    assert not Region.objects.filter(any_of("code", [])).exists()
    assert Region.objects.exclude(any_of("code", [])).count() == Region.objects.count()


def test_any_of_compares_ids_and_dates_by_value(net: Network) -> None:
    ids = [net.village.pk, net.grid.pk]
    day = timezone.localdate(net.village.created_at)

    assert set(Region.objects.filter(any_of("id", ids))) == {net.village, net.grid}
    assert set(Region.objects.filter(any_of("parent", [net.village.pk]))) == {net.grid}
    assert Region.objects.filter(any_of("created_at__date", [day])).count() == Region.objects.count()


# --- a statement compiled once ---------------------------------------------------------------------


def test_a_statement_is_compiled_once_and_answers_each_run_with_its_values(net: Network) -> None:
    built: list[int] = []

    def build() -> Any:
        built.append(1)
        return (
            Region.objects.filter(any_of("code", Param("codes")), created_at__gt=Param("since", DateTimeField()))
            .order_by("code")
            .values_list("code", "created_at")
        )

    statement = Statement(build)
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    first = statement.rows(codes=[net.village.code, net.grid.code], since=long_ago)
    second = statement.rows(codes=[net.city.code], since=long_ago)
    none = statement.rows(codes=[net.city.code], since=net.city.created_at + dt.timedelta(days=1))

    assert [tuple(row) for row in first] == [
        (net.village.code, net.village.created_at),
        (net.grid.code, net.grid.created_at),
    ]
    assert [row[0] for row in second] == [net.city.code] and none == []
    assert isinstance(first[0][1], dt.datetime) and first[0][1].tzinfo is not None  # converted as the ORM would
    assert built == [1]


def test_a_statement_row_is_the_first_or_none(net: Network) -> None:
    statement = Statement(lambda: Region.objects.filter(code=Param("code")).values_list("name"))

    assert tuple(statement.row(code=net.city.code)) == (net.city.name,)
    assert statement.row(code="000000000000") is None


# --- a migration's PostgreSQL-only SQL -------------------------------------------------------------


class _Editor:
    """What a migration operation sees of the schema editor: its connection, and what it would run."""

    def __init__(self) -> None:
        self.connection, self.ran = connection, []

    def execute(self, sql: str, params: Any = ()) -> None:
        self.ran.append(sql)


def test_postgresql_only_sql_runs_there_and_nowhere_else() -> None:
    operation = PostgreSQLOnly(["CREATE FUNCTION f() …"], ["DROP FUNCTION f()"])
    forwards, backwards = _Editor(), _Editor()

    operation.database_forwards("core", forwards, None, None)
    operation.database_backwards("core", backwards, None, None)

    on_postgresql = connection.vendor == "postgresql"
    assert forwards.ran == (["CREATE FUNCTION f() …"] if on_postgresql else [])
    assert backwards.ran == (["DROP FUNCTION f()"] if on_postgresql else [])
