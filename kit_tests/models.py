"""Concrete models of the kit's abstract bases, installed only by ``laobing.settings_test``."""

from __future__ import annotations

from django.db import models

from core.ledger import LedgerEntry, MoneyField


class ExampleEntry(LedgerEntry):
    """A small ledger with both kinds of amount: money paid to a payee and points awarded."""

    amount_fields = ("amount", "points")

    payee = models.CharField(max_length=40)
    amount = MoneyField()
    points = models.IntegerField(default=0)
    booked_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"
