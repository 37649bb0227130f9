"""The command-line face of the import pipeline; each register's command is a few lines on top."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import ON_DUPLICATE, Register, UnreadableFile, file_digest, import_file, write_report

if TYPE_CHECKING:
    from accounts.models import User

SHOWN_ERRORS = 50


class ImportCommand(BaseCommand):
    register: Register

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an .xlsx, .xls, .ods or .csv file")
        parser.add_argument("--commit", action="store_true", help="write the rows when no row has an error")
        parser.add_argument("--report", help="write the error report (xlsx) here")
        parser.add_argument("--on-duplicate", choices=ON_DUPLICATE, default="error",
                            help="what to do with a record already registered")  # fmt: skip
        parser.add_argument("--user", help="import as this user (default: the only active city administrator)")

    def actor(self, username: str | None) -> User:
        users = get_user_model().objects
        if username:
            user = users.filter(username=username, is_active=True).select_related("scope_region").first()
            if user is None:
                raise CommandError(f"用户不存在或已停用 / no active user {username!r}")
            return user
        admins = list(users.administrators().select_related("scope_region")[:2])
        if len(admins) != 1:
            raise CommandError("请用 --user 指定导入人 / name the importing user with --user")
        return admins[0]

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        actor = self.actor(options.get("user"))
        on_duplicate = options["on_duplicate"]
        if not actor.can(self.register.capability):
            raise CommandError(f"{actor.username} 无权导入 / may not import into this register")
        write = options["commit"]
        try:
            source = {"file": path.name, "sha256": file_digest(path), "via": "command"} if write else None
            result = import_file(path, self.register, actor=actor, on_duplicate=on_duplicate, write=write,
                                 source=source)  # fmt: skip
        except (UnreadableFile, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            message = exc.message if isinstance(exc, UnreadableFile) else f"无法读取文件 / cannot read the file: {exc}"
            self.stderr.write(f"{path}: {message}")
            sys.exit(2)
        if options.get("report"):
            write_report(result, Path(options["report"]))
        self.stdout.write(f"共 {result.total} 行，错误 {len(result.errors)} 处（{result.error_rows} 行）。 / "
                          f"{result.total} rows, {len(result.errors)} errors in {result.error_rows} rows.")  # fmt: skip
        for error in result.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  第 {error.row} 行 [{error.column}] {error.value!r}: {error.message}")
        if len(result.errors) > SHOWN_ERRORS:
            self.stdout.write(f"  … 另有 {len(result.errors) - SHOWN_ERRORS} 处，见报告 / more in the report")
        if result.errors:
            self.stdout.write("未写入任何数据。 / Nothing was written.")
            sys.exit(1)
        if not write:
            self.stdout.write("校验通过；加 --commit 写入。 / Valid; add --commit to write.")
            return
        created, updated, skipped = (result.counts.get(k, 0) for k in ("created", "updated", "skipped"))
        self.stdout.write(
            f"已写入：新增 {created}，更新 {updated}，跳过 {skipped}。 / "
            f"Written: {created} created, {updated} updated, {skipped} skipped."
        )
