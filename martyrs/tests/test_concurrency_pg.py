"""On PostgreSQL: two changes of one 一人一档 record at once are taken one after the other, each kept in the history
with the value the other left; and one upkeep row is reversed once however many press the button."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.testing import Network
from core.testing_db import server_only
from martyrs.models import MartyrFamily, RecordChange, Upkeep
from martyrs.services import RecordInput, record_update, upkeep_reverse
from martyrs.tests.helpers import family, memorial, upkeep


def _together(*work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(work))
    results: list[Any] = []

    def run(job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results.append(job())
        except ValidationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_changes_of_a_record_at_once_are_both_kept(net: Network) -> None:
    server_only()
    village = net.users["village_staff"]
    linked = family(net.users["town_staff"], net.grid, responsible=village)
    _together(
        lambda: record_update(actor=village, family=linked.pk, data=RecordInput(living="独居")),
        lambda: record_update(actor=net.users["town_staff"], family=linked.pk, data=RecordInput(employment="退休")),
    )
    fresh = MartyrFamily.objects.get(pk=linked.pk)
    assert (fresh.living, fresh.employment) == ("独居", "退休")
    changes = [c.changes for c in RecordChange.objects.filter(family=linked).exclude(changes__has_key="responsible")]
    assert sorted(changes, key=str) == sorted([{"living": ["", "独居"]}, {"employment": ["", "退休"]}], key=str)


@pytest.mark.django_db(transaction=True)
def test_an_upkeep_row_is_reversed_once(net: Network) -> None:
    server_only()
    staff = net.users["town_staff"]
    row = upkeep(staff, memorial(staff, net.village))
    results = _together(*(lambda: upkeep_reverse(actor=staff, entry=row.pk, reason="录错") for _n in range(2)))
    assert sum(isinstance(r, Upkeep) for r in results) == 1
    assert Upkeep.objects.filter(reverses=row).count() == 1
