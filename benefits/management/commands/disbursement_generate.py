"""``python manage.py disbursement_generate --period 2026-11 --user <username>``: build (or complete) the month's
batch of the user's area, as the batches page does. Running it again adds nothing that is there already."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from benefits.generation import generate_batch


class Command(BaseCommand):
    help = "Generate the month's payment batch (抚恤补助发放批次) of a bureau."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--user", required=True, help="the bureau staff member who generates it")

    def handle(self, *args: Any, period: str, user: str, **options: Any) -> None:
        actor = User.objects.filter(username__iexact=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有此用户 / no such active user: {user}")
        try:
            result = generate_batch(actor=actor, period=period)
        except PermissionDenied as exc:
            raise CommandError(f"无权生成发放批次 / not allowed to generate a batch: {exc}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        batch = result.batch
        self.stdout.write(
            f"{batch.case.number} {batch.period:%Y-%m}: +{result.added} lines to pay ({result.total} yuan), "
            f"{result.held} held"
        )
