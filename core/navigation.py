"""The navigation bar, declared by the modules: each registers its entry (label, page, capability, order).

Adding a module never edits another app's templates or this file: it calls ``register`` from its
``AppConfig.ready``, and the header shows the entry to every user whose role grants the capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class NavEntry:
    label: Any
    url_name: str
    #: the capability that shows the entry; "" for every signed-in user
    capability: str = ""
    #: place in the bar, lowest first
    order: int = 100


ENTRIES: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> NavEntry:
    """Add (or replace, by its page) an entry of the navigation bar."""
    ENTRIES[entry.url_name] = entry
    return entry


def entries_for(user: User) -> list[NavEntry]:
    """The entries this user sees, in order."""
    return sorted(
        (e for e in ENTRIES.values() if not e.capability or user.can(e.capability)), key=lambda e: (e.order, e.url_name)
    )
