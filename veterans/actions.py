"""Actions on this person: the buttons on a veteran's page, declared by the modules that do them.

A module registers ``PersonAction(label, url_name, capability)`` from its ``AppConfig.ready``; the page
shows the button to users whose role grants the capability, linking to the module's page with
``?veteran=<id>`` (or, with ``in_path=True``, to ``<page>/<id>/``).
The registry (like the timeline) never changes when a module is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class PersonAction:
    label: Any
    url_name: str
    capability: str
    #: whether the action fits this person at all (e.g. not for the deceased)
    applies: Callable[[Any], bool] = lambda veteran: True
    order: int = 100
    #: the page takes the person in its path (``people/<id>/…``), not as ``?veteran=<id>``
    in_path: bool = False


ACTIONS: dict[str, PersonAction] = {}


def register(action: PersonAction) -> PersonAction:
    ACTIONS[action.url_name] = action
    return action


def actions_for(user: User, veteran: Any) -> list[tuple[Any, str]]:
    """(label, url) of each action this user may start for this person."""
    chosen = sorted(
        (a for a in ACTIONS.values() if user.can(a.capability) and a.applies(veteran)), key=lambda a: a.order
    )
    return [
        (
            a.label,
            reverse(a.url_name, args=[veteran.pk]) if a.in_path else f"{reverse(a.url_name)}?veteran={veteran.pk}",
        )
        for a in chosen
    ]
