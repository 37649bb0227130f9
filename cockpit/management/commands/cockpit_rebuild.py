"""``manage.py cockpit_rebuild [KEY …]``: every cell of the cockpit (or of the named indicators) counted afresh."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cockpit import build, kit


class Command(BaseCommand):
    help = "重建驾驶舱的全部汇总数据 / Rebuild the cockpit's aggregates from the registers"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="*", help="indicators to rebuild (all when none is named)")

    def handle(self, *args: Any, **options: Any) -> None:
        keys = options["keys"] or None
        unknown = sorted(set(keys or ()) - set(kit.INDICATORS))
        if unknown:
            raise CommandError(f"未知的指标 / unknown indicators: {', '.join(unknown)}")
        start = time.perf_counter()
        seconds = build.rebuild(keys)
        total = time.perf_counter() - start
        for key, spent in seconds.items():
            self.stdout.write(f"{key:<40} {spent:8.2f} s")
        count = len(keys) if keys else len(kit.INDICATORS)
        done = f"驾驶舱已重建 / cockpit rebuilt: {count} indicators in {total:.1f} s"
        self.stdout.write(self.style.SUCCESS(done))
