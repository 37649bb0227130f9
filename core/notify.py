"""Notifications through one interface: ``notify(users, key=…, title=…)``.

In-app always (the header shows the unread count); then every channel in
``settings.NOTIFY_CHANNELS``: ``"email"`` (Django's email backend, to users with an
address), ``"sms"`` (``settings.SMS_BACKEND``, a class with ``send(phone, text)``;
the default writes to the log), or the dotted path of any class with
``deliver(user, title, body, url)``. Each (user, key) is delivered once: a job that runs
twice notifies once. Channels send after the transaction commits.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Notification

log = logging.getLogger("laobing.notify")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSmsBackend:
    """Writes the message to the log instead of sending it: the default until a gateway is configured."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s****%s: %s", phone[:3], phone[-4:], text)


#: what ``OutboxSmsBackend`` sent, (phone, text), as Django's locmem mail backend keeps ``mail.outbox``
outbox: list[tuple[str, str]] = []


class OutboxSmsBackend:
    """Keeps the messages in ``core.notify.outbox`` (for tests and a demo without a gateway) and logs them."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))
        LogSmsBackend().send(phone, text)


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(getattr(settings, "SMS_BACKEND", "core.notify.LogSmsBackend"))()
    return backend


class EmailChannel:
    """Django's email backend, to users who have an address."""

    def deliver(self, user: Any, title: str, body: str, url: str) -> None:
        if user.email:
            send_mail(f"[老兵e家] {title}", f"{body}\n{url}".strip(), None, [user.email])


class SmsChannel:
    """``settings.SMS_BACKEND``, to users who have a phone."""

    def deliver(self, user: Any, title: str, body: str, url: str) -> None:
        if user.phone and not getattr(user, "sms_opt_out", False):  # who opted out is told in the app only
            sms_backend().send(user.phone, f"【老兵e家】{title}\n{body}".strip())


#: Short names for the channels in ``settings.NOTIFY_CHANNELS``; a dotted path names any other class
#: with ``deliver(user, title, body, url)`` (a WeChat work-account channel, say).
CHANNELS: dict[str, str] = {"email": "core.notify.EmailChannel", "sms": "core.notify.SmsChannel"}


def channels() -> list[Any]:
    names = getattr(settings, "NOTIFY_CHANNELS", ["email", "sms"])
    return [import_string(CHANNELS.get(name, name))() for name in names]


def _deliver(user: Any, title: str, body: str, url: str) -> None:
    for channel in channels():
        try:
            channel.deliver(user, title, body, url)
        except Exception:  # a mail server or gateway down must not undo the work that was done
            log.exception("%s to user %s failed", type(channel).__name__, user.pk)


def notify(users: Iterable[Any], *, key: str, title: str, body: str = "", url: str = "") -> int:
    """Notify each user once per key; returns how many were new."""
    sent = 0
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, key=key[:120], title=title[:200], body=body, url=url[:300])
        except IntegrityError:
            continue  # already told
        sent += 1
        transaction.on_commit(functools.partial(_deliver, user, title, body, url))
    return sent


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own unread notifications read: those given, or all of them. Returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    wanted = list(ids or [])
    if wanted:
        qs = qs.filter(pk__in=wanted)
    return qs.update(read_at=timezone.now())


def notification_open(*, user: Any, pk: int) -> str:
    """Open one of the user's notifications (marking it read) and give the address it points to; 404 otherwise."""
    item = Notification.objects.filter(pk=pk, user=user).first()
    if item is None:
        raise Http404
    notifications_mark_read(user=user, ids=[item.pk])
    return item.url if item.url.startswith("/") and not item.url.startswith("//") else "/notifications/"
