"""The worker survives the database: an error while it fetches a task, or records one, is waited out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from workflow.management.commands.worker import ResilientWorker

RAN: list[str] = []
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "queue": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


@task()
def remember(value: str) -> str:
    RAN.append(value)
    return value


@pytest.fixture
def queue(transactional_db: None) -> Iterator[None]:
    RAN.clear()
    with override_settings(TASKS=TASKS):
        yield


def a_worker(pauses: list[float]) -> ResilientWorker:
    worker = ResilientWorker(queue_names=["*"], interval=0, batch=True, backend_name="queue", startup_delay=False,
                             max_tasks=None, worker_id="test-worker", excluded_queue_names=[])  # fmt: skip
    worker.sleep = pauses.append  # type: ignore[method-assign]
    return worker


def failing(times: int, error: Exception, real: Any) -> Any:
    calls = {"n": 0}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return real(*args, **kwargs)

    return wrapped


def test_it_keeps_running_when_fetching_a_task_fails_and_runs_it_afterwards(queue: None, monkeypatch: Any) -> None:
    result = remember.using(backend="queue").enqueue("after the outage")
    lost = OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", failing(3, lost, DBTaskResultQuerySet.get_locked))
    pauses: list[float] = []

    a_worker(pauses).run()

    assert RAN == ["after the outage"]
    assert pauses == [1.0, 2.0, 4.0]  # backing off
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


def test_a_locked_database_at_begin_is_waited_out(queue: None, monkeypatch: Any) -> None:
    from django_tasks_db.management.commands import db_worker

    remember.using(backend="queue").enqueue("queued while locked")
    # BEGIN EXCLUSIVE is outside the try in which db_worker ignores "database is locked": it ended the worker
    locked = OperationalError("database is locked")
    monkeypatch.setattr(db_worker, "exclusive_transaction", failing(2, locked, db_worker.exclusive_transaction))
    pauses: list[float] = []

    a_worker(pauses).run()

    assert RAN == ["queued while locked"]
    assert pauses == [1.0, 2.0]


def test_a_result_that_cannot_be_recorded_is_recorded_once_the_database_is_back(queue: None, monkeypatch: Any) -> None:
    result = remember.using(backend="queue").enqueue("done")
    gone = InterfaceError("connection already closed")
    # django_tasks_db tries three times quickly itself, then gives up: five failures outlast it
    monkeypatch.setattr("django_tasks_db.utils.time.sleep", lambda _s: None)
    real = DBTaskResult.save
    calls = {"n": 0}

    def save(self: DBTaskResult, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") and "return_value" in kwargs["update_fields"]:
            calls["n"] += 1
            if calls["n"] <= 5:
                raise gone
        real(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", save)
    pauses: list[float] = []

    a_worker(pauses).run()

    assert RAN == ["done"]  # run once, not again
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert pauses
