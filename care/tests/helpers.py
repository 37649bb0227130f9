"""Visits, needs and their steps for the tests of regular contact and needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from care.models import Need, Visit
from care.services import NeedInput, VisitInput, need_raise, visit_log
from workflow.models import Task
from workflow.services import act

#: A small valid PNG (1×1), as a visit's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00000500010d0a2db40000000049454e44ae426082"
)


def photo(name: str = "走访.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def seeded() -> None:
    """The frequencies again, when a transactional test's flush emptied them."""
    from django.apps import apps

    from care.seed import seed

    seed(apps, None)


def log(actor: Any, veteran: Any, *, days_ago: int = 0, mode: str = "home", needs: list[NeedInput] | None = None,
        photos: list[Any] | None = None) -> Visit:  # fmt: skip
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    data = VisitInput(veteran_id=veteran.pk, visited_on=day, mode=mode, note="身体还好", needs=needs or [],
                      photos=photos or [])  # fmt: skip
    return visit_log(actor=actor, data=data)


def raise_need(actor: Any, veteran: Any, category: str = "medical", text: str = "住院费用报销") -> Need:
    return need_raise(actor=actor, veteran_id=veteran.pk, need=NeedInput(category, text))


def open_task(need: Need) -> Task:
    return Task.objects.get(case_id=need.case_id, status=Task.Status.OPEN)


def do(user: Any, need: Need, action: str, note: str = "", **data: Any) -> Need:
    act(actor=user, task=open_task(need), action=action, note=note, data=data)
    return Need.objects.select_related("case").get(pk=need.pk)
