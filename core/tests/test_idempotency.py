"""A create request sent twice with the same Idempotency-Key makes one object (core.idempotency)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from accounts.testing import Network
from core.errors import Conflict
from core.idempotency import header_key, once
from veterans.models import Tag


def make(code: str) -> Any:
    return lambda: Tag.objects.create(code=code, name=code)


@pytest.mark.django_db
def test_the_same_key_returns_what_the_first_request_made(net: Network) -> None:
    actor = net.users["village_staff"]
    first, new = once(actor=actor, key="k1", request={"a": 1}, create=make("t1"))
    again, again_new = once(actor=actor, key="k1", request={"a": 1}, create=make("t2"))
    assert (new, again_new, again.pk) == (True, False, first.pk)
    assert Tag.objects.filter(code__in=["t1", "t2"]).count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_refused(net: Network) -> None:
    actor = net.users["village_staff"]
    once(actor=actor, key="k1", request={"a": 1}, create=make("t1"))
    with pytest.raises(Conflict):
        once(actor=actor, key="k1", request={"a": 2}, create=make("t2"))


@pytest.mark.django_db
def test_keys_are_each_users_own_and_no_key_makes_each_time(net: Network) -> None:
    once(actor=net.users["village_staff"], key="k1", request={}, create=make("t1"))
    _tag, new = once(actor=net.users["town_staff"], key="k1", request={}, create=make("t2"))
    assert new
    once(actor=net.users["town_staff"], key="", request={}, create=make("t3"))
    once(actor=net.users["town_staff"], key="", request={}, create=make("t4"))
    assert Tag.objects.filter(code__in=["t1", "t2", "t3", "t4"]).count() == 4


@pytest.mark.parametrize("raw", ["é" * 3, "x" * 201, "a\tb"])
def test_a_malformed_key_is_refused(raw: str) -> None:
    with pytest.raises(Exception) as exc:
        header_key(raw)
    assert exc.value.error_dict["Idempotency-Key"][0].code == "bad_idempotency_key"  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_two_copies_arriving_together_make_one(net: Network) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")
    actor = net.users["village_staff"]
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def send(code: str) -> None:
        barrier.wait()
        try:
            results.append(once(actor=actor, key="same", request={}, create=make(code)))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in ("r1", "r2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(new for _tag, new in results) == [False, True]
    assert Tag.objects.filter(code__in=["r1", "r2"]).count() == 1
