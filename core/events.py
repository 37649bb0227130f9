"""Domain events: what happened to a case or a module's record, told to subscribers once it is committed.

The workflow engine sends ``case_opened``, ``case_moved``, ``case_closed``, ``subject_created`` and
``subject_changed``; a module keeps something of its own current from them (the cockpit's
pre-aggregated tables, a search index) without the engine knowing it exists::

    from core import events

    @events.subscribe("case_closed", process="petition")
    def count_closed(*, case, state, **payload):
        ...

Each event is a Django signal (``events.case_closed.connect(handler, sender=Case)`` works too),
sent with ``transaction.on_commit``: a subscriber never hears of a write that was rolled back, and
hears once of each one that was committed. It runs after the commit, outside the transaction, so
its own writes are its own; a subscriber that fails is logged and the others still run (the write
that caused the event is already committed and stays so).

Payloads (all keyword arguments, ``sender`` being the model class of the case or of the subject):

- ``case_opened``: ``case``, ``actor``, ``process``
- ``case_moved``: ``case``, ``task``, ``action`` (the action's key), ``actor``, ``process``
- ``case_closed``: ``case``, ``state``, ``actor``, ``process``
- ``subject_created``: ``subject``, ``case``, ``actor``, ``process``
- ``subject_changed``: ``subject``, ``case``, ``actor``, ``process``, ``changed`` ({field: (before, after)})
- ``records_changed``: ``regions`` (the region codes of the records written, before and after a move), sent by
  a module's write that is no case's (a veteran's record, an import, a payment batch, the service network) with
  the written model as the sender

``listen_all(handler)`` hears every event, those declared later included (the cockpit's refresh marks).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

EVENTS: dict[str, Signal] = {}
#: handlers that hear every event: ``handler(name, sender, **payload)``
_ALL: list[Callable[..., Any]] = []


def declare(name: str) -> Signal:
    """A new kind of event a module sends (the engine's own are declared below)."""
    if name in EVENTS:
        raise ValueError(f"the event {name!r} is already declared")
    EVENTS[name] = Signal()
    for handler in _ALL:
        _connect_all(name, handler)
    return EVENTS[name]


def _connect_all(name: str, handler: Callable[..., Any]) -> None:
    def receive(sender: Any, signal: Signal, **payload: Any) -> None:
        handler(name, sender, **payload)

    receive.__qualname__ = f"{getattr(handler, '__qualname__', 'handler')}[{name}]"
    EVENTS[name].connect(receive, weak=False, dispatch_uid=f"all:{_uid(name, handler)}")


def listen_all(handler: Callable[..., Any]) -> None:
    """Hear every event, declared now or later: ``handler(name, sender, **payload)``, after the commit as any
    subscriber (once per handler, however often it is called)."""
    if handler in _ALL:
        return
    _ALL.append(handler)
    for name in EVENTS:
        _connect_all(name, handler)


case_opened = declare("case_opened")
case_moved = declare("case_moved")
case_closed = declare("case_closed")
subject_created = declare("subject_created")
subject_changed = declare("subject_changed")
records_changed = declare("records_changed")


def _signal(name: str) -> Signal:
    try:
        return EVENTS[name]
    except KeyError:
        raise ValueError(f"no event {name!r} is declared; declared: {', '.join(sorted(EVENTS))}") from None


def emit(name: str, *, sender: Any, using: str | None = None, **payload: Any) -> None:
    """Send the event once the current transaction commits (at once outside one); never after a rollback."""
    signal = _signal(name)
    # send_robust: a failing subscriber is logged (by django.dispatch, with its traceback) and the rest still run
    transaction.on_commit(functools.partial(signal.send_robust, sender=sender, **payload), using=using)


Handler = Callable[..., Any]


def subscribe(name: str, *, process: str = "") -> Callable[[Handler], Handler]:
    """Decorate ``handler(**payload)`` to receive the event (only for one process's cases, when given).

    The handler is held strongly and connected once per function, however often its module is imported.
    """
    signal = _signal(name)

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)  # a failure is logged under the handler's name
        def receive(sender: Any, signal: Signal, **payload: Any) -> None:
            if process and payload.get("process") != process:
                return
            handler(**payload)

        signal.connect(receive, weak=False, dispatch_uid=_uid(name, handler))
        return handler

    return decorate


def unsubscribe(name: str, handler: Handler) -> bool:
    """Undo ``subscribe`` (a test's subscriber, a module switched off); True when it was subscribed."""
    return _signal(name).disconnect(dispatch_uid=_uid(name, handler))


def _uid(name: str, handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}:{name}"
