"""``python manage.py worker``: the background worker, with the periodic jobs the modules declare.

It runs the database-backed task queue (as ``db_worker`` does: imports, letters …) and enqueues
every job registered in ``core.periodic`` (the deadline sweep every ``WORKFLOW_SWEEP_SECONDS``, and
the others), once at start-up too, so a worker that was down catches up as soon as it returns.
``make run`` starts it beside the server (and starts it again should it ever exit).

The worker survives the database: a locked or busy database, or a lost connection, while it fetches a
task or records a task's result, is logged, the connection is dropped, and it tries again after a pause
that doubles up to a minute (``ResilientWorker``). On SQLite it waits longer for the write lock than a
web request does (``WORKER_SQLITE_BUSY_TIMEOUT``): its jobs have nobody waiting on a page.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

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


#: The database's errors the worker waits out: a lock, a busy database, a connection that was lost.
TRANSIENT = (DatabaseError, InterfaceError)
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 60.0


def _drop_connections() -> None:
    """Close every connection (a broken one too), so that the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except TRANSIENT:
            connection.connection = None


class ResilientWorker(Worker):
    """django_tasks_db's worker, which a database error no longer stops.

    Its loop lets an error escape while it fetches and claims a task (any error but a "database is
    locked", and that one too when it comes from BEGIN), and while it records a result (after three
    quick tries); either ended the process, and nothing ran again until someone restarted it."""

    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def run(self) -> None:
        pause = FIRST_PAUSE
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return  # a batch, or --max-tasks, that is done
            except TRANSIENT as exc:
                if time.monotonic() - started > LONGEST_PAUSE:
                    pause = FIRST_PAUSE  # a new outage, not the same one going on
                log.warning("database error in the worker (%s: %s); trying again in %.0f s",
                            type(exc).__name__, exc, pause)  # fmt: skip
                _drop_connections()
                self.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                self.startup_delay = False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # The task's outcome is recorded patiently: a result that cannot be saved leaves the task
        # "running" for ever, and the caller's page (an import's, say) waiting with it.
        for name in ("set_successful", "set_failed"):
            setattr(db_task_result, name, self._patient(getattr(db_task_result, name), db_task_result))
        super().run_task(db_task_result)

    def _patient(self, record: Callable[..., None], result: DBTaskResult) -> Callable[..., None]:
        def attempt(*args: Any) -> None:
            pause = FIRST_PAUSE
            while True:
                try:
                    record(*args)
                    return
                except TRANSIENT as exc:
                    log.warning("could not record the result of task %s (%s); trying again in %.0f s",
                                result.id, exc, pause)  # fmt: skip
                    _drop_connections()
                    self.sleep(pause)
                    pause = min(pause * 2, LONGEST_PAUSE)

        return attempt


def _patient_sqlite() -> None:
    """The worker's own connections wait longer for SQLite's write lock than a web request's."""
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
            settings_dict.setdefault("OPTIONS", {})["timeout"] = settings.WORKER_SQLITE_BUSY_TIMEOUT
            connections[alias].close()


class Command(DbWorkerCommand):
    help = "Runs the task queue and the periodic jobs (the deadline sweep every WORKFLOW_SWEEP_SECONDS …)."

    def handle(self, *args: Any, **options: Any) -> None:
        _patient_sqlite()
        stop = threading.Event()
        thread = threading.Thread(target=schedule, args=(stop, registered()), name="periodic-scheduler", daemon=True)
        thread.start()
        try:
            self.run_worker(**options)
        finally:
            stop.set()

    def run_worker(self, **options: Any) -> None:
        """db_worker's ``handle``, with the worker that survives the database."""
        self.configure_logging(options["verbosity"])
        reload = options["reload"] and not options["batch"]
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = ResilientWorker(
            queue_names=queue_names, interval=options["interval"], batch=options["batch"],
            backend_name=options["backend_name"], startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"], worker_id=options["worker_id"], excluded_queue_names=excluded,
        )  # fmt: skip
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
