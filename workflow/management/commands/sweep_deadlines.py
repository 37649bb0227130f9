"""``python manage.py sweep_deadlines [--today YYYY-MM-DD]``: the overdue sweep once, in the foreground."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from workflow.services import sweep


class Command(BaseCommand):
    help = "Marks overdue steps, notifies and escalates (what the worker does every few minutes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, today: dt.date | None = None, **options: Any) -> None:
        result = sweep(today)
        self.stdout.write(f"marked overdue: {result.marked}; escalated: {result.escalated}")
