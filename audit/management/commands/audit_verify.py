from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 naming the first bad entry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"审计日志校验失败：第一个异常条目 #{result.bad_seq}（{result.problem}）；"
                f"已校验 {result.checked} 条。 / Audit log verification FAILED at entry "
                f"#{result.bad_seq}: {result.problem}; {result.checked} entries checked before it."
            )
        self.stdout.write(f"审计日志完整：{result.checked} 条。 / Audit log intact: {result.checked} entries.")
