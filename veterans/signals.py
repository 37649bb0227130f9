"""Signals the registry sends, so other modules can act on a change without the registry knowing them."""

from django.dispatch import Signal

#: Sent inside the transaction that records a death: ``sender=Veteran, veteran=…, actor=…``.
veteran_deceased = Signal()
