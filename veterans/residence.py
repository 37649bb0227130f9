"""Copies of a person's residence kept by other modules, moved with the person.

A module that scopes its rows by where the person lived when the row was made keeps a copy of the person's
``region_code`` (a campaign's target, a martyr's family member). Some copies are history and stay where they
were (a visit is the area's that made it); others must follow the person, or the old area keeps seeing them and
the new one never does. A module declares those once, from its ``AppConfig.ready``::

    residence.follow(ResidenceCopy(CampaignTarget, only=Q(campaign__state="open")))

and ``veterans.services.veteran_update`` moves them in the same transaction as the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q


@dataclass(frozen=True)
class ResidenceCopy:
    model: type[Model]
    #: the field naming the person
    veteran_field: str = "veteran"
    #: the copy of their residence code
    field: str = "region_code"
    #: only these rows follow (e.g. an open campaign's targets; a closed one's report stays as it was)
    only: Q | None = None


COPIES: list[ResidenceCopy] = []


def follow(copy: ResidenceCopy) -> ResidenceCopy:
    """Declare a copy that moves with the person."""
    if copy not in COPIES:
        COPIES.append(copy)
    return copy


def moved(veteran: Any, code: str) -> dict[str, int]:
    """Move every declared copy of this person's residence to ``code``; how many rows of each model moved."""
    done: dict[str, int] = {}
    for copy in COPIES:
        qs = copy.model.objects.filter(**{copy.veteran_field: veteran})  # type: ignore[attr-defined]
        if copy.only is not None:
            qs = qs.filter(copy.only)
        done[copy.model._meta.label] = qs.exclude(**{copy.field: code}).update(**{copy.field: code})
    return done
