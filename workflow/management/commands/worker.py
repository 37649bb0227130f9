"""``python manage.py worker``: the background worker, with the periodic deadline sweep.

It runs the database-backed task queue (as ``db_worker`` does: imports, letters …) and, every
``WORKFLOW_SWEEP_SECONDS`` (default 300), enqueues ``sweep_deadlines``, once at start-up too, so
a worker that was down catches up as soon as it returns. ``make run`` starts it beside the server.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

log = logging.getLogger("laobing.worker")


def schedule_sweeps(stop: threading.Event, every: float) -> None:
    from workflow.tasks import sweep_deadlines

    while not stop.is_set():
        try:
            close_old_connections()
            sweep_deadlines.enqueue()
        except Exception:  # the next tick tries again
            log.exception("could not enqueue the deadline sweep")
        finally:
            close_old_connections()
        stop.wait(every)


class Command(DbWorkerCommand):
    help = "Runs the task queue and, every WORKFLOW_SWEEP_SECONDS, the deadline sweep."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        every = float(getattr(settings, "WORKFLOW_SWEEP_SECONDS", 300))
        thread = threading.Thread(target=schedule_sweeps, args=(stop, every), name="sweep-scheduler", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
