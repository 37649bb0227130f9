"""Reminders in the inbox: what a module knows is waiting for a user without being a task.

A task is one step of one case. Some work is not a case at all: the people whose regular contact is overdue,
the people a campaign has not reached yet. A module declares such a reminder once (a label, the capability
that shows it, how many are waiting for this user, the page that lists them), from its ``AppConfig.ready``;
the inbox and the home page show every reminder with something waiting, beside the user's tasks.

Counts are capped at ``COUNT_CAP`` so a city-wide reminder stays one bounded query ("1000+").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

if TYPE_CHECKING:
    from accounts.models import User

#: a count above this shows as "1000+"
COUNT_CAP = 1000


@dataclass(frozen=True)
class Reminder:
    key: str
    #: what is waiting ("people overdue for contact")
    label: Any
    #: the capability that shows it
    capability: str
    #: how many are waiting for this user, at most ``cap`` + 1 counted (a capped queryset count)
    count: Callable[[User, int], int]
    #: the page that lists them
    url_name: str
    #: whether this user is one it concerns at all (beyond the capability), e.g. only station staff
    applies: Callable[[User], bool] = lambda user: True
    order: int = 100


REMINDERS: dict[str, Reminder] = {}


@dataclass(frozen=True)
class Shown:
    reminder: Reminder
    count: int
    url: str

    @property
    def more(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def figure(self) -> str:
        return f"{COUNT_CAP}+" if self.more else str(self.count)


def register(reminder: Reminder) -> Reminder:
    """Add (or replace, by its key) a reminder."""
    REMINDERS[reminder.key] = reminder
    return reminder


def reminders_for(user: User) -> list[Shown]:
    """The reminders with something waiting for this user, in order."""
    shown = []
    for r in sorted(REMINDERS.values(), key=lambda r: (r.order, r.key)):
        if not user.can(r.capability) or not r.applies(user):
            continue
        n = r.count(user, COUNT_CAP)
        if n:
            shown.append(Shown(r, n, reverse(r.url_name)))
    return shown


def capped_count(qs: Any, cap: int) -> int:
    """How many rows a queryset has, counting no further than ``cap`` + 1."""
    return int(qs.order_by()[: cap + 1].count())
