"""The periodic job: ``refresh_cockpit`` keeps the cockpit's cells current (``manage.py worker`` enqueues it)."""

from __future__ import annotations

from django_tasks import task

from cockpit import build


@task()
def refresh_cockpit() -> dict[str, int]:
    return build.keep_current()
