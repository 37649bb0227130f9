"""The portal's tests: veterans on record with phones, and the SMS codes kept in an outbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from accounts.testing import Network
from core import notify
from veterans.tests.factories import register


@dataclass
class People:
    net: Network
    own: Any  # 张三丽 in 东湖村's grid, phone 13900001111
    other: Any  # another veteran of the same grid, phone 13900002222
    far: Any  # a veteran of 乍浦镇


@pytest.fixture(autouse=True)
def outbox() -> Iterator[list[tuple[str, str]]]:
    notify.outbox.clear()
    with override_settings(SMS_BACKEND="core.notify.OutboxSmsBackend"):
        yield notify.outbox


@pytest.fixture
def people(net: Network) -> People:
    staff = net.users["city_staff"]
    own = register(staff, net.grid, name="张三丽", phone="13900001111")
    other = register(staff, net.grid, name="李四", phone="13900002222")
    far = register(staff, net.other_grid, name="王五", phone="13900003333")
    return People(net, own, other, far)


def last_code(outbox: list[tuple[str, str]], phone: str) -> str:
    """The six digits of the last message sent to the phone."""
    sent = [text for to, text in outbox if to == phone]
    assert sent, f"nothing was sent to {phone}"
    found = re.search(r"\d{6}", sent[-1])
    assert found is not None
    return found.group(0)
