"""Items, entries and approvals for the tests of “老兵本色” points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.testing import Network
from points.entries import EntryInput, entry_submit
from points.models import Entry, Item
from workflow.models import Task
from workflow.services import act

#: A small valid PNG (1×1), as the evidence photo of an entry.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00000500010d0a2db40000000049454e44ae426082"
)


def item(code: str) -> Item:
    """An item of the example catalog (seeded again if a transactional test's flush emptied it)."""
    if not Item.objects.exists():
        from django.apps import apps

        from points.seed import seed

        seed(apps, None)
    return Item.objects.get(code=code)


def photo(name: str = "活动.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def submit(
    actor: Any, people: Sequence[Any], code: str = "volunteer-service", day: dt.date | None = None,
    quantity: str | None = "3", *, evidence: bool = True, description: str = "",
) -> Entry:  # fmt: skip
    """An entry of ``code`` for these people (3 hours of volunteering by default), with a photo."""
    return entry_submit(
        actor=actor,
        data=EntryInput(
            veterans=list(people), item=item(code), day=day or timezone.localdate() - dt.timedelta(days=1),
            quantity=Decimal(quantity) if quantity is not None else None, description=description,
            evidence=[photo()] if evidence else [],
        ),
    )  # fmt: skip


def decide(entry: Entry, actor: Any, action: str = "approve", note: str = "") -> Entry:
    """Do ``action`` on the entry's open step as ``actor``."""
    task = Task.objects.get(case=entry.case, status=Task.Status.OPEN)
    act(actor=actor, task=task, action=action, note=note, data={})
    return Entry.objects.get(pk=entry.pk)


def approver(net: Network, entry: Entry) -> Any:
    """Who approves this entry: the village station, or the town for a deduction or a large award."""
    return net.users["town_staff"] if entry.town_approval else net.users["village_staff"]
