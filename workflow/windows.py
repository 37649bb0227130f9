"""Time windows: a period of N calendar or working days from an anchor, inside which (or only after which)
an action is possible.

An objection to an assignment is raised within 5 working days of it; a ranking or an honour is
publicised (公示) for 7 days, objections are heard while it runs and the decision comes after::

    NOTICE = Window("notice", _("the public notice (公示)"), 7, anchor="notice")
    Action("object", ..., within=NOTICE)
    Action("confirm", ..., after=NOTICE)

The window opens on its anchor day (a case date, or the day the task's step started) and closes
at the end of its last day, counted as deadlines are (``workflow.calendar``: the anchor day does
not count; working days skip the holidays and count the weekends worked in exchange).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.errors import invalid, lazy_format
from workflow.calendar import add_days

if TYPE_CHECKING:
    from workflow.models import Case, Task
    from workflow.process import Action


@dataclass(frozen=True)
class Window:
    #: names the window in refusal codes: ``<key>_early``, ``<key>_late``, ``<key>_not_over``
    key: str
    #: the window as a refusal names it ("the objection period")
    label: Any
    days: int
    working: bool = False
    #: a case date ("notice", set by an effect with ``set_case_date``); empty: the day the task's step started
    anchor: str = ""


@dataclass(frozen=True)
class Span:
    """A window's dates on one case: open from ``opens`` to ``closes``, both days included."""

    opens: dt.date
    closes: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes


def span(window: Window, case: Case, task: Task) -> Span | None:
    """The window's dates on this case, or None while its anchor date is not yet set."""
    if window.anchor:
        anchored = case.date(window.anchor)
        if not anchored:
            return None
        opens = dt.date.fromisoformat(anchored)
    else:
        opens = timezone.localdate(task.started_at)
    return Span(opens, add_days(opens, window.days, window.working))


def length(window: Window) -> Any:
    """The window's length ("5 working days", "7 days"), translated when shown."""
    if window.working:
        message = ngettext_lazy("%(n)s working day", "%(n)s working days", window.days)
    else:
        message = ngettext_lazy("%(n)s day", "%(n)s days", window.days)
    return lazy_format(message, {"n": window.days})


def refuse_outside(window: Window, case: Case, task: Task, today: dt.date | None = None) -> None:
    """Refuse unless today is inside the window, naming its dates."""
    today = today or timezone.localdate()
    dates = span(window, case, task)
    if dates is None:
        raise invalid(
            None,
            _("Possible only within %(window)s, which has not begun yet."),
            code=f"{window.key}_early",
            window=window.label,
        )
    if dates.contains(today):
        return
    params = {"window": window.label, "opens": dates.opens, "closes": dates.closes, "length": length(window)}
    if today < dates.opens:
        raise invalid(
            None,
            _(
                "Possible only within %(window)s: it runs from %(opens)s to %(closes)s (%(length)s) "
                "and has not begun yet."
            ),
            code=f"{window.key}_early",
            **params,
        )
    raise invalid(
        None,
        _("Possible only within %(window)s: it ran from %(opens)s to %(closes)s (%(length)s) and has closed."),
        code=f"{window.key}_late",
        **params,
    )


def refuse_until_closed(window: Window, case: Case, task: Task, today: dt.date | None = None) -> None:
    """Refuse while the window has not closed (or not even begun), naming its dates."""
    today = today or timezone.localdate()
    dates = span(window, case, task)
    if dates is None:
        raise invalid(
            None,
            _("Possible only after %(window)s, which has not begun yet."),
            code=f"{window.key}_not_over",
            window=window.label,
        )
    if today > dates.closes:
        return
    raise invalid(
        None,
        _("Possible only after %(window)s has closed: it runs from %(opens)s to %(closes)s (%(length)s)."),
        code=f"{window.key}_not_over",
        window=window.label,
        opens=dates.opens,
        closes=dates.closes,
        length=length(window),
    )


def refuse_by_windows(action: Action, case: Case, task: Task) -> None:
    """The action's declared windows: ``within`` must be open, ``after`` must have closed."""
    if action.within is not None:
        refuse_outside(action.within, case, task)
    if action.after is not None:
        refuse_until_closed(action.after, case, task)
