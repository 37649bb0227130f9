"""Django's ``flush``, able to empty append-only tables too.

Their triggers refuse DELETE (SQLite's flush) and TRUNCATE (PostgreSQL's), so
the flush runs with them lifted and puts them back in the same transaction.
Django's transactional test cases call this command after each test.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from core.append_only import append_only_lifted


class Command(flush.Command):
    help = flush.Command.help + " Append-only tables are emptied too."

    def handle(self, **options: Any) -> None:
        database = options["database"]
        if options["interactive"]:
            # Asked here, before the triggers are lifted, so no transaction waits on the answer.
            name = connections[database].settings_dict["NAME"]
            answer = input(
                f'This will IRREVERSIBLY DESTROY all data in the "{name}" database, append-only ledgers included.\n'
                "Type 'yes' to continue, or 'no' to cancel: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        with append_only_lifted(using=database):
            super().handle(**{**options, "interactive": False})
