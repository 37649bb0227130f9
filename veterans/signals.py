"""Signals the registry sends, so other modules can act on a change without the registry knowing them.

The transaction contract of ``veteran_deceased``: it is sent with ``send`` (not ``send_robust``) inside
the transaction of ``veteran_mark_deceased``, after the death and its audit entry are written. A
receiver's writes are part of that transaction: the death and what follows from it (身后事, opened by
``cases``) are committed together or not at all. A receiver that cannot act (no template in use) does
nothing and says nothing; a receiver that fails makes the whole recording fail, so a death is never
recorded without what the bureau's rules open on it. Work that must not hold the transaction (a
notice, an aggregate) goes in ``transaction.on_commit`` or a domain event, never in the receiver itself.
"""

from django.dispatch import Signal

#: Sent inside the transaction that records a death: ``sender=Veteran, veteran=…, actor=…``.
veteran_deceased = Signal()
