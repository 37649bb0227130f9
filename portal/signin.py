"""Signing in to the portal by a one-time SMS code, and binding an account to a registry record.

A code is six digits, sent through ``core.notify.sms_backend()`` (the log backend until a gateway is set), kept
only as a keyed hash, valid for ``PORTAL_CODE_MINUTES``. A number gets one code a minute and
``PORTAL_CODES_PER_HOUR`` an hour, an address ``PORTAL_CODES_PER_IP_HOUR``; a code dies after five wrong tries,
and a number with five wrong tries in the last half hour is locked for that half hour.

An account is bound to a registry record once: by the station (``bind_by_station``), or by the veteran, who gives
their name and ID number and the code sent to the phone on their record (``request_bind_code``,
``bind_self``). Sign-in asks for a bound account, or one authorised to act for a veteran (代办).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Proxy, SmsCode, User, phone_hash
from accounts.roles import Role
from audit.services import audit_record
from core.crypto import decrypt, keyed_hash
from core.errors import invalid
from core.notify import sms_backend
from core.validators import parse_id_number, validate_phone
from regions.models import Region
from veterans.models import Veteran
from veterans.search import id_lookup_hash

#: wrong tries that kill a code, and lock a number for ``LOCK`` when they add up within it
TRIES = 5
LOCK = dt.timedelta(minutes=30)
#: the one answer a sign-in code request gets, whether or not the number has an account (no one learns who has one)
SENT = _("If this number has an account, a code is on its way: it is valid for %(minutes)s minutes.")


def _minutes() -> int:
    return int(getattr(settings, "PORTAL_CODE_MINUTES", 5))


def _code_hash(phone_key: str, code: str) -> str:
    return keyed_hash(f"{phone_key}:{code}", "sms_code")


class TooMany(ValidationError):
    """Too many codes asked, or too many wrong tries: the caller answers 429 with the message."""


def _too_many(field: str | None, message: Any, code: str) -> TooMany:
    error = ValidationError(message, code=code)
    return TooMany({field: [error]} if field else [error])


def _check_limits(key: str, ip: str | None, now: dt.datetime) -> None:
    codes = SmsCode.objects.filter(phone_hash=key)
    if codes.filter(created_at__gt=now - dt.timedelta(seconds=60)).exists():
        raise _too_many("phone", _("A code was sent less than a minute ago: wait a minute, then ask again."),
                        "code_too_soon")  # fmt: skip
    per_hour = getattr(settings, "PORTAL_CODES_PER_HOUR", 5)
    if codes.filter(created_at__gt=now - dt.timedelta(hours=1)).count() >= per_hour:
        raise _too_many("phone", _("Too many codes for this number this hour: try again later."), "code_limit")
    per_ip = getattr(settings, "PORTAL_CODES_PER_IP_HOUR", 20)
    if ip and SmsCode.objects.filter(ip=ip, created_at__gt=now - dt.timedelta(hours=1)).count() >= per_ip:
        raise _too_many(None, _("Too many codes asked from this network this hour: try again later."),
                        "code_limit_ip")  # fmt: skip
    if _wrong_tries(codes, now) >= TRIES:
        raise _locked()


def _wrong_tries(codes: Any, now: dt.datetime) -> int:
    return int(codes.filter(created_at__gt=now - LOCK).aggregate(n=Sum("tries"))["n"] or 0)


def _locked() -> TooMany:
    return _too_many("code", _("Five wrong codes: this number is locked for 30 minutes."), "code_locked")


def _issue(key: str, purpose: str, ip: str | None, subject_id: int | None) -> str:
    """A new code for ``key`` (the earlier ones of the purpose end: one live code at a time), within the limits;
    the code, to send."""
    now = timezone.now()
    _check_limits(key, ip, now)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SmsCode.objects.filter(phone_hash=key, purpose=purpose, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now)  # fmt: skip
        SmsCode.objects.create(phone_hash=key, purpose=purpose, code_hash=_code_hash(key, code),
                               subject_id=subject_id, ip=ip, created_at=now,
                               expires_at=now + dt.timedelta(minutes=_minutes()))  # fmt: skip
    return code


def _send(phone: str, code: str, text: Any) -> None:
    message = str(text) % {"code": code, "minutes": _minutes()}
    sms_backend().send(phone, f"【老兵e家】{message}")  # the code is stored (committed) before it is sent


def _account(phone: str) -> User | None:
    """The portal account with this phone (one at most is active: a database constraint)."""
    found = User.objects.filter(phone_hash=phone_hash(phone), role=Role.VETERAN, is_active=True).first()
    return found if found is not None and (found.veteran_id is not None or found.represented_ids()) else None


def _mobile(phone: str) -> str:
    phone = validate_phone(phone)
    if not phone:
        raise invalid("phone", _("Enter your mobile number."), code="required")
    if not phone.startswith("1"):
        raise invalid("phone", _("Enter a mobile number: the code to sign in is sent to it."), code="bad_phone")
    return phone


def request_sign_in_code(*, phone: str, ip: str | None = None) -> str:
    """Send a sign-in code when the number has an account. A number without one gets a code nobody knows,
    counted and locked the same: the answers, and what a wrong code then says, are the same either way."""
    phone = _mobile(phone)
    code = _issue(phone_hash(phone), SmsCode.Purpose.SIGN_IN, ip, None)
    if _account(phone) is not None:
        _send(phone, code, _("Your sign-in code is %(code)s, valid for %(minutes)s minutes. Never give it to anyone."))
    return str(SENT) % {"minutes": _minutes()}


def _take(key: str, purpose: str, code: str) -> SmsCode:
    """The live code of this purpose for ``key``, if ``code`` is it; a wrong one counts a try, which is kept
    though the caller's answer is an error (call it outside any transaction that the error would undo). The
    key's codes are locked while they are counted: tries at once cannot pass the lock together."""
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        codes = list(SmsCode.objects.select_for_update().filter(phone_hash=key, created_at__gt=now - LOCK)
                     .order_by("-created_at"))  # fmt: skip
        wrong = sum(c.tries for c in codes)
        live = next((c for c in codes if c.purpose == purpose and c.used_at is None and c.expires_at > now
                     and c.tries < TRIES), None) if wrong < TRIES else None  # fmt: skip
        right = live is not None and len(code) == 6 and code.isdigit() and secrets.compare_digest(
            live.code_hash, _code_hash(key, code))  # fmt: skip
        if live is not None:
            if right:
                SmsCode.objects.filter(pk=live.pk).update(used_at=now)
            else:
                SmsCode.objects.filter(pk=live.pk).update(tries=F("tries") + 1)
    if wrong >= TRIES:
        raise _locked()
    if live is None:
        raise invalid("code", _("There is no code waiting for this number, or it has expired: ask for a new one."),
                      code="code_expired")  # fmt: skip
    if not right:
        left = TRIES - wrong - 1
        if left <= 0:
            raise _locked()
        raise invalid("code", _("The code is wrong: %(left)s tries left."), code="code_wrong", left=left)
    return live


def sign_in_by_code(*, phone: str, code: str) -> User:
    """The account the code was sent for (the caller logs it in)."""
    phone = validate_phone(phone)
    _take(phone_hash(phone), SmsCode.Purpose.SIGN_IN, code)
    account = _account(phone)
    if account is None:  # the account was closed after the code was sent
        raise invalid("phone", _("This number has no account: open one with your ID number first."), code="no_account")
    return account


# --- binding ---------------------------------------------------------------------------------------------------


def _record(name: str, number: str) -> Veteran | None:
    veteran = Veteran.objects.filter(id_hash=id_lookup_hash(number)).first()
    if veteran is None or veteran.name.strip() != (name or "").strip() or veteran.status != "living":
        return None
    return veteran


def bind_key(number: str) -> str:
    """What a binding code is kept and counted under: the ID number it was asked for (not the phone)."""
    return keyed_hash(number, "bind_code")


#: the one answer a request to open an account gets, whether or not the name and ID number are a record's
BIND_SENT = _("If the name and ID number are on our record with a mobile number, a code is on its way to it. "
              "Not received? Your station can open your account.")  # fmt: skip


def request_bind_code(*, name: str, id_number: str, ip: str | None = None) -> str:
    """Send a binding code to the mobile on the veteran's record when the name and ID number are one record's
    with no account. Asked, counted and limited the same whether they are or not (under the ID number and the
    address), with the same answer: nobody learns who is registered."""
    number = parse_id_number(id_number).value
    veteran = _record(name, number)
    phone = decrypt(veteran.phone_enc) if veteran is not None and veteran.phone_enc else ""
    usable = veteran is not None and phone.startswith("1") and not hasattr(veteran, "account")
    code = _issue(bind_key(number), SmsCode.Purpose.BIND, ip, veteran.pk if usable and veteran else None)
    if usable:
        _send(phone, code, _("Your code to open your 老兵e家 account is %(code)s, valid for %(minutes)s minutes."))
    return str(BIND_SENT)


@dataclass(frozen=True)
class Bound:
    user: User
    veteran: Veteran


def _phone_free(phone: str) -> None:
    """One active portal account per mobile: the number signs in to that one, never to a choice of several."""
    if phone and User.objects.filter(phone_hash=phone_hash(phone), role=Role.VETERAN, is_active=True).exists():
        raise invalid("phone", _("This number signs in to another account already: give another, or let its "
                                 "holder act for the veteran (代办)."), code="phone_taken")  # fmt: skip


def _open_account(veteran: Veteran, phone: str, actor: User | None, how: str) -> User:
    if hasattr(veteran, "account"):
        raise invalid(None, _("This record has an account already."), code="already_bound")
    _phone_free(phone)
    region = veteran.region_code
    user = User(username=f"v{veteran.pk}", role=Role.VETERAN, scope_region=Region.objects.get(code=region),
                veteran=veteran, phone=phone, display_name=veteran.name)  # fmt: skip
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise invalid(None, _("This record has an account already."), code="already_bound") from None
    audit_record(actor=actor or user, action="portal.bind", obj=user, region_code=region,
                 after={"veteran": veteran.pk, "how": how})  # fmt: skip
    return user


def bind_self(*, name: str, id_number: str, code: str) -> Bound:
    """The veteran's own binding: the code sent to the mobile on their record, for that record."""
    number = parse_id_number(id_number).value
    sent = _take(bind_key(number), SmsCode.Purpose.BIND, code)
    veteran = _record(name, number)
    phone = decrypt(veteran.phone_enc) if veteran is not None and veteran.phone_enc else ""
    if veteran is None or not phone or sent.subject_id != veteran.pk:
        raise invalid("code", _("There is no code waiting for this number, or it has expired: ask for a new one."),
                      code="code_expired")  # fmt: skip
    with transaction.atomic():
        return Bound(_open_account(veteran, phone, None, "self"), veteran)


@transaction.atomic
def bind_by_station(*, actor: User, veteran: Veteran, phone: str) -> User:
    """The station opens the veteran's account on the phone the veteran gives (their own, or a family
    member's they use): within the station's own scope."""
    from core.scoping import get_visible_or_404

    get_visible_or_404(Veteran.objects.all(), actor, "manage", pk=veteran.pk)
    phone = validate_phone(phone)
    if not phone or not phone.startswith("1"):
        raise invalid("phone", _("Enter a mobile number: the code to sign in is sent to it."), code="bad_phone")
    return _open_account(veteran, phone, actor, "station")


# --- acting for a veteran (代办) -------------------------------------------------------------------------------


@transaction.atomic
def proxy_grant(*, actor: User, veteran: Veteran, phone: str, name: str, relation: str) -> Proxy:
    """Authorise the holder of ``phone`` to act for the veteran (a family member): by the veteran's own account
    or by the station. The family member's account is opened when they have none."""
    from core.scoping import get_visible_or_404

    if actor.veteran_id != veteran.pk:
        get_visible_or_404(Veteran.objects.all(), actor, "manage", pk=veteran.pk)
    phone = validate_phone(phone)
    if not phone or not phone.startswith("1"):
        raise invalid("phone", _("Enter a mobile number: the code to sign in is sent to it."), code="bad_phone")
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise invalid("name", _("Enter the family member's name."), code="required")
    user = User.objects.filter(phone_hash=phone_hash(phone), role=Role.VETERAN, is_active=True).first()
    if user is not None and user.veteran_id == veteran.pk:
        raise invalid("phone", _("This is the veteran's own number."), code="own_number")
    if user is None:
        user = User(username=f"p{secrets.token_hex(6)}", role=Role.VETERAN, phone=phone, display_name=name,
                    scope_region=Region.objects.get(code=veteran.region_code))  # fmt: skip
        user.set_unusable_password()
        user.save()
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(veteran=veteran, user=user, relation=relation[:10], granted_by=actor)
    except IntegrityError:
        raise invalid("phone", _("This number may act for the veteran already."), code="already_proxy") from None
    audit_record(actor=actor, action="portal.proxy_grant", obj=proxy, region_code=veteran.region_code,
                 after={"veteran": veteran.pk, "user": user.pk, "relation": relation})  # fmt: skip
    return proxy


@transaction.atomic
def proxy_revoke(*, actor: User, proxy: Proxy) -> Proxy:
    """End an authorisation: by the veteran, by the family member themself, or by the station."""
    from core.scoping import get_visible_or_404

    if actor.veteran_id != proxy.veteran_id and actor.pk != proxy.user_id:
        get_visible_or_404(Veteran.objects.all(), actor, "manage", pk=proxy.veteran_id)
    locked = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at, locked.revoked_by = timezone.now(), actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action="portal.proxy_revoke", obj=locked, region_code=locked.veteran.region_code,
                 before={"user": locked.user_id}, reason="")  # fmt: skip
    return locked


# --- a government single sign-on (portal.sso) -------------------------------------------------------------------


def sign_in_by_identity(*, id_number: str, name: str, phone: str = "") -> User:
    """The account of the record a government sign-on confirmed (ID number and name): its bound account, or one
    opened for it now (on the sign-on's mobile, else the record's; none when that one is taken)."""
    try:
        number = parse_id_number(id_number).value
    except ValidationError:
        number = ""
    veteran = _record(name, number) if number else None
    if veteran is None:
        raise invalid(None, _("No veteran's record has this name and ID number: ask your service station."),
                      code="no_record")  # fmt: skip
    existing = User.objects.filter(veteran=veteran).first()
    if existing is not None:
        if not existing.is_active or existing.role != Role.VETERAN:
            raise invalid(None, _("This account is closed: ask your service station."), code="inactive")
        return existing
    choices = [phone, decrypt(veteran.phone_enc) if veteran.phone_enc else ""]
    mobile = ""
    for candidate in choices:  # a malformed or taken number from the sign-on falls back to the record's
        try:
            found = _mobile(candidate) if candidate else ""
            _phone_free(found)
        except ValidationError:
            continue
        if found:
            mobile = found
            break
    with transaction.atomic():
        return _open_account(veteran, mobile, None, "sso")
