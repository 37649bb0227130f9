"""The worker's scheduler enqueues every declared periodic job, and survives one that fails."""

from __future__ import annotations

import threading

from core.periodic import Periodic, registered
from workflow.management.commands.worker import schedule


class Counting:
    def __init__(self, fail_first: int = 0) -> None:
        self.calls = 0
        self.fail_first = fail_first

    def enqueue(self) -> None:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise RuntimeError("database is locked")


def test_the_modules_declare_their_periodic_jobs() -> None:
    assert "sweep_deadlines" in {job.name for job in registered()}


def test_a_job_runs_at_start_then_every_period_and_a_failure_is_retried() -> None:
    often, rare, flaky = Counting(), Counting(), Counting(fail_first=2)
    jobs = [
        Periodic("often", often, lambda: 0.0),
        Periodic("rare", rare, lambda: 3600.0),
        Periodic("flaky", flaky, lambda: 3600.0),
    ]
    stop = threading.Event()
    thread = threading.Thread(target=schedule, args=(stop, jobs, 0.01))
    thread.start()
    try:
        for _ in range(500):
            if often.calls >= 5 and flaky.calls >= 3:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert often.calls >= 5
    assert rare.calls == 1  # once at start-up, not again within the hour
    assert flaky.calls == 3  # two failures, then it was enqueued once and waits its period
