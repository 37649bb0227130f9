"""The append-only ledger base, its reversing entries and the triggers behind them (on ``kit_tests.ExampleEntry``)."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.state import ProjectState
from django.test.utils import isolate_apps

from accounts.testing import UserFactory
from core.append_only import AppendOnly, append_only_triggers
from core.ledger import AppendOnlyError, AppendOnlyModel, LedgerEntry, MoneyField, reverse_entry
from kit_tests.models import ExampleEntry
from regions.testing import RegionFactory

TABLE = "kit_tests_exampleentry"


def _entry(**values) -> ExampleEntry:
    defaults = {"payee": "张三", "amount": Decimal("1234.56"), "points": 5, "booked_on": date(2026, 11, 2)}
    return ExampleEntry.objects.create(**{**defaults, **values})


def _actor():
    return UserFactory(scope_region=RegionFactory())


def _reverse(entry: ExampleEntry, actor, **overrides) -> ExampleEntry:
    with transaction.atomic():
        return reverse_entry(entry, actor=actor, reason="entered twice", **overrides)


def _codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str | None]]:
    return {field: [error.code for error in errors] for field, errors in exc.value.error_dict.items()}


@pytest.mark.django_db
def test_the_orm_never_updates_or_deletes_a_saved_entry():
    entry = _entry()
    entry.payee = "李四"
    with pytest.raises(AppendOnlyError, match="append-only"):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ExampleEntry.objects.filter(pk=entry.pk).update(payee="李四")
    with pytest.raises(AppendOnlyError):
        ExampleEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ExampleEntry.objects.bulk_update([entry], ["payee"])
    assert ExampleEntry.objects.get().payee == "张三"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    ["UPDATE kit_tests_exampleentry SET payee = 'x'", "DELETE FROM kit_tests_exampleentry"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_a_ledger_table(sql):
    _entry()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert ExampleEntry.objects.get().payee == "张三"


@pytest.mark.django_db
def test_every_append_only_model_has_its_triggers_in_the_database():
    # SQLite drops triggers when a migration rebuilds a table: this is where a lost one shows.
    expected = {"postgresql": 2, "sqlite": 2}[connection.vendor]
    models_ = [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]
    assert {m._meta.label for m in models_} >= {"audit.AuditEntry", "kit_tests.ExampleEntry"}
    for model in models_:
        assert len(append_only_triggers(model._meta.db_table)) == expected, model._meta.label


@pytest.mark.django_db
def test_a_reversal_is_the_mirror_of_the_entry():
    actor = _actor()
    entry = _entry()
    reversal = _reverse(entry, actor)
    reversal.refresh_from_db()
    assert (reversal.amount, reversal.points) == (Decimal("-1234.56"), -5)
    assert (reversal.payee, reversal.booked_on) == ("张三", date(2026, 11, 2))
    assert reversal.reverses == entry and entry.reversed_by == reversal
    assert (reversal.created_by, reversal.reason) == (actor, "entered twice")
    total = ExampleEntry.objects.aggregate(total=models.Sum("amount"), points=models.Sum("points"))
    assert total == {"total": Decimal("0.00"), "points": 0}


@pytest.mark.django_db
def test_a_reversal_takes_overrides_for_its_other_fields():
    reversal = _reverse(_entry(), _actor(), booked_on=date(2026, 12, 1))
    assert reversal.booked_on == date(2026, 12, 1)
    with pytest.raises(TypeError, match="reverses"), transaction.atomic():
        reverse_entry(_entry(), actor=_actor(), reason="x", reverses=None)


@pytest.mark.django_db
def test_an_entry_is_reversed_at_most_once():
    actor = _actor()
    entry = _entry()
    _reverse(entry, actor)
    with pytest.raises(ValidationError) as exc:
        _reverse(entry, actor)
    assert _codes(exc) == {"reverses": ["already_reversed"]}
    assert ExampleEntry.objects.filter(reverses=entry).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_reversal_the_helper_did_not_see():
    actor = _actor()
    entry = _entry()
    _reverse(entry, actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExampleEntry.objects.create(
            payee="张三",
            amount=Decimal("-1234.56"),
            booked_on=entry.booked_on,
            reverses=entry,
            created_by=actor,
            reason="x",
        )


@pytest.mark.django_db
def test_the_database_refuses_a_reversal_without_actor_or_reason():
    entry = _entry()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExampleEntry.objects.create(payee="张三", amount=Decimal(-1), booked_on=entry.booked_on, reverses=entry)


@pytest.mark.django_db
def test_a_reversal_is_not_reversed_again():
    actor = _actor()
    reversal = _reverse(_entry(), actor)
    with pytest.raises(ValidationError) as exc:
        _reverse(reversal, actor)
    assert _codes(exc) == {"reverses": ["reversal_of_reversal"]}


@pytest.mark.django_db
def test_a_reversal_needs_a_reason():
    entry = _entry()
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        reverse_entry(entry, actor=_actor(), reason="  ")
    assert _codes(exc) == {"reason": ["required"]}
    assert not ExampleEntry.objects.filter(reverses=entry).exists()


@pytest.mark.django_db(transaction=True)
def test_a_reversal_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="atomic"):
        reverse_entry(_entry(), actor=_actor(), reason="x")


def test_money_is_exact_to_the_fen_and_the_migration_keeps_it_short():
    field = ExampleEntry._meta.get_field("amount")
    assert (field.max_digits, field.decimal_places) == (14, 2)
    assert field.deconstruct()[3] == {}
    assert MoneyField(max_digits=18).deconstruct()[3] == {"max_digits": 18}


@isolate_apps("kit_tests")
def test_the_system_check_refuses_a_float_amount_and_a_lost_constraint():
    class FloatLedger(LedgerEntry):
        amount_fields = ("amount",)
        amount = models.FloatField()

        class Meta:  # not LedgerEntry.Meta: the reversal constraint is lost
            app_label = "kit_tests"

    assert {error.id for error in FloatLedger.check() if error.id.startswith("core.")} == {"core.E101", "core.E102"}


@isolate_apps("kit_tests")
def test_the_system_check_refuses_an_append_only_model_whose_manager_can_update():
    class PlainManaged(AppendOnlyModel):
        objects = models.Manager()

        class Meta:
            app_label = "kit_tests"

    assert [error.id for error in PlainManaged.check()] == ["core.E103"]


@pytest.mark.django_db(transaction=True)
def test_the_operation_backwards_removes_the_triggers_and_forwards_puts_them_back():
    operation = AppendOnly("exampleentry")
    state = ProjectState.from_apps(apps)
    try:
        with connection.schema_editor() as editor:
            operation.database_backwards("kit_tests", editor, state, state)
        assert append_only_triggers(TABLE) == set()
        entry = _entry()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE kit_tests_exampleentry SET payee = 'x' WHERE id = %s", [entry.pk])  # allowed now
    finally:
        with connection.schema_editor() as editor:
            operation.database_forwards("kit_tests", editor, state, state)
    assert len(append_only_triggers(TABLE)) == 2
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE kit_tests_exampleentry SET payee = 'y'")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_a_ledger_and_keeps_its_triggers():
    _reverse(_entry(), _actor())
    call_command("flush", interactive=False, verbosity=0)
    assert not ExampleEntry.objects.exists()
    assert len(append_only_triggers(TABLE)) == 2
    _entry()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM kit_tests_exampleentry")


def _wait_until_a_connection_waits_on_a_lock() -> None:
    """Poll from a connection of this thread until another one is blocked (the second insert, on the index)."""
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("the second transaction never waited on the first")


def _race(first, second) -> list[BaseException | None]:
    """``first`` writes and holds its transaction open until ``second`` is blocked behind it, then commits."""
    outcome: list[BaseException | None] = [None, None]
    started = threading.Event()
    release = threading.Event()

    def run(index: int, write, hold: bool) -> None:
        try:
            with transaction.atomic():
                write()
                if hold:
                    started.set()
                    release.wait(10)
        except BaseException as exc:  # reported to the main thread
            outcome[index] = exc
        finally:
            connection.close()

    one = threading.Thread(target=run, args=(0, first, True))
    one.start()
    started.wait(10)
    two = threading.Thread(target=run, args=(1, second, False))
    two.start()
    try:
        _wait_until_a_connection_waits_on_a_lock()
    finally:
        release.set()
        one.join()
        two.join()
    return outcome


@pytest.mark.django_db(transaction=True)
def test_two_reversals_racing_leave_one_and_the_other_is_told_so():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")
    actor = _actor()
    entry = _entry()

    def reverse() -> None:
        reverse_entry(ExampleEntry.objects.get(pk=entry.pk), actor=actor, reason="entered twice")

    first, second = _race(reverse, reverse)
    assert first is None
    assert isinstance(second, ValidationError) and second.error_dict["reverses"][0].code == "already_reversed"
    assert ExampleEntry.objects.filter(reverses=entry).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_raw_reversals_racing_are_refused_by_the_unique_constraint():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")
    actor = _actor()
    entry = _entry()

    def insert() -> None:
        ExampleEntry.objects.create(
            payee="张三", amount=-entry.amount, booked_on=entry.booked_on, reverses=entry, created_by=actor, reason="x"
        )

    first, second = _race(insert, insert)
    assert first is None and isinstance(second, IntegrityError)
    assert ExampleEntry.objects.filter(reverses=entry).count() == 1
