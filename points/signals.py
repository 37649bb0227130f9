"""What the points module hears from the engine: a withdrawn entry frees its people's day for the item again."""

from __future__ import annotations

from typing import Any

from core import events


@events.subscribe("case_closed", process="points_entry")
def entry_closed(*, case: Any, state: str, **payload: Any) -> None:
    from points.entries import free_entry
    from points.models import Entry
    from workflow.models import Case

    if state == Case.State.WITHDRAWN:
        free_entry(Entry.objects.get(case=case))
