from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from audit.services import VerifyResult, audit_verify


def _problem(result: VerifyResult, language: str) -> str:
    with translation.override(language):
        return str(result.problem)


class Command(BaseCommand):
    help = "Verify the audit log's keyed hash chain against its anchors; exit 1 naming the first bad entry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            where = f"#{result.bad_seq}" if result.bad_seq is not None else "—"
            raise CommandError(
                f"审计日志校验失败：{where}（{_problem(result, 'zh-hans')}）；已校验 {result.checked} 条。 / "
                f"Audit log verification FAILED at entry {where}: {_problem(result, 'en')}; "
                f"{result.checked} entries checked before it."
            )
        self.stdout.write(
            f"审计日志完整：{result.checked} 条，与 {result.anchors} 个外部锚点一致。 / "
            f"Audit log intact: {result.checked} entries, consistent with {result.anchors} anchors."
        )
