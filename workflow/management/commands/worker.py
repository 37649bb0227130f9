"""``python manage.py worker``: the background worker, with the periodic jobs the modules declare.

It runs the database-backed task queue (as ``db_worker`` does: imports, letters …) and enqueues
every job registered in ``core.periodic`` (the deadline sweep every ``WORKFLOW_SWEEP_SECONDS``, and
the others), once at start-up too, so a worker that was down catches up as soon as it returns.
``make run`` starts it beside the server.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.periodic import Periodic, registered

log = logging.getLogger("laobing.worker")


def schedule(stop: threading.Event, jobs: list[Periodic], tick: float = 1.0) -> None:
    """Enqueue each job when it falls due; a failure is logged and tried again on the next tick."""
    due = dict.fromkeys((job.name for job in jobs), 0.0)
    while not stop.is_set():
        now = time.monotonic()
        for job in jobs:
            if now < due[job.name]:
                continue
            try:
                close_old_connections()
                job.task.enqueue()
                due[job.name] = now + job.every()
            except Exception:  # the next tick tries again
                log.exception("could not enqueue the periodic job %s", job.name)
            finally:
                close_old_connections()
        stop.wait(tick)


class Command(DbWorkerCommand):
    help = "Runs the task queue and the periodic jobs (the deadline sweep every WORKFLOW_SWEEP_SECONDS …)."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=schedule, args=(stop, registered()), name="periodic-scheduler", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
