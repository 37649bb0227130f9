"""Periodic jobs, declared by the modules: each registers a task and how often the worker enqueues it.

A module calls ``register`` from its ``AppConfig.ready``; ``manage.py worker`` enqueues every
registered task once at start-up (so a worker that was down catches up as soon as it returns) and
then every ``every()`` seconds. Adding a periodic job never edits the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Periodic:
    #: a stable name, for the log and for replacing an entry
    name: str
    #: the task to enqueue (a django_tasks task with no arguments)
    task: Any
    #: seconds between two runs; read when the worker starts, so settings may decide it
    every: Callable[[], float]


PERIODIC: dict[str, Periodic] = {}


def register(name: str, task: Any, every: Callable[[], float]) -> Periodic:
    """Add (or replace, by name) a periodic job."""
    entry = Periodic(name, task, every)
    PERIODIC[name] = entry
    return entry


def registered() -> list[Periodic]:
    return sorted(PERIODIC.values(), key=lambda p: p.name)
