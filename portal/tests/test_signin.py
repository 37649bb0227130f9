"""Signing in by SMS code and binding an account: codes expire, are limited per number and per address, die
after five wrong tries; a record is bound once; a family member acts for a veteran until it is revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Proxy, SmsCode, User
from audit.models import AuditEntry
from core.crypto import decrypt
from portal import signin
from portal.tests.conftest import People, last_code
from veterans.models import Veteran

pytestmark = pytest.mark.django_db


def code_of(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors} if hasattr(error, "error_dict") else {
        e.code for e in error.error_list}  # fmt: skip


def id_of(veteran: Veteran) -> str:
    return decrypt(veteran.id_number_enc)


def bind(people: People, outbox: list[tuple[str, str]], veteran: Any | None = None) -> User:
    veteran = veteran or people.own
    signin.request_bind_code(name=veteran.name, id_number=id_of(veteran), ip="10.0.0.1")
    code = last_code(outbox, decrypt(veteran.phone_enc))
    return signin.bind_self(name=veteran.name, id_number=id_of(veteran), code=code).user


def test_a_veteran_binds_their_record_by_the_code_sent_to_its_phone_and_then_signs_in(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    said = signin.request_bind_code(name="张三丽", id_number=id_of(people.own), ip="10.0.0.1")
    assert said == str(signin.BIND_SENT) and outbox[-1][0] == "13900001111"  # the same words as for a miss
    code = last_code(outbox, "13900001111")
    assert SmsCode.objects.get().code_hash != code  # only the code's keyed hash is kept
    user = signin.bind_self(name="张三丽", id_number=id_of(people.own), code=code).user
    assert user.veteran_id == people.own.pk and user.role == "veteran" and not user.has_usable_password()
    assert user.represented_ids() == {people.own.pk}
    assert AuditEntry.objects.filter(action="portal.bind", object_id=str(user.pk)).exists()
    with pytest.raises(ValidationError):  # the code is spent
        signin.bind_self(name="张三丽", id_number=id_of(people.own), code=code)

    SmsCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    signin.request_sign_in_code(phone="139 0000 1111", ip="10.0.0.1")  # typed with spaces
    assert signin.sign_in_by_code(phone="13900001111", code=last_code(outbox, "13900001111")) == user


def test_a_wrong_name_or_an_unknown_number_says_the_same_and_sends_nothing(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    wrong = signin.request_bind_code(name="张三", id_number=id_of(people.own), ip="10.0.0.1")
    unknown = signin.request_sign_in_code(phone="13900009999", ip="10.0.0.1")
    none = signin.request_sign_in_code(phone="13900001111", ip="10.0.0.1")  # on record, but no account yet
    assert outbox == [] and wrong == str(signin.BIND_SENT) and unknown == none
    # a code for a number with no account is refused as a wrong one, counted, and locks the same
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as guessed:
            signin.sign_in_by_code(phone="13900009999", code="123456")
        assert code_of(guessed.value) == {"code_wrong"} and str(left) in guessed.value.messages[0]
    with pytest.raises(signin.TooMany):
        signin.sign_in_by_code(phone="13900009999", code="123456")
    # asking to open an account is limited whether the name and ID number are a record's or not
    SmsCode.objects.update(created_at=F_minus(2))
    signin.request_bind_code(name="张三", id_number=id_of(people.own), ip="10.0.0.1")
    with pytest.raises(signin.TooMany):  # a minute has not passed: for a wrong name as for a right one
        signin.request_bind_code(name="张三", id_number=id_of(people.own), ip="10.0.0.1")
    with pytest.raises(ValidationError) as refused:
        signin.request_bind_code(name="张三丽", id_number="330482197001010000", ip="10.0.0.1")
    assert "id_number" in refused.value.error_dict  # a malformed ID number is said at its field


def test_a_record_is_bound_once(people: People, outbox: list[tuple[str, str]]) -> None:
    bind(people, outbox)
    SmsCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    said = signin.request_bind_code(name="张三丽", id_number=id_of(people.own), ip="10.0.0.1")
    assert len(outbox) == 1 and "1111" not in said
    with pytest.raises(ValidationError) as refused:
        signin.bind_by_station(actor=people.net.users["town_staff"], veteran=people.own, phone="13800000000")
    assert code_of(refused.value) == {"already_bound"}


def test_codes_are_limited_per_number_and_address_and_expire(people: People, outbox: list[tuple[str, str]],
                                                             settings: Any) -> None:  # fmt: skip
    user = bind(people, outbox)
    signin.request_sign_in_code(phone="13900001111", ip="10.0.0.2")
    with pytest.raises(signin.TooMany) as soon:
        signin.request_sign_in_code(phone="13900001111", ip="10.0.0.2")
    assert code_of(soon.value) == {"code_too_soon"}
    for _n in range(3):
        SmsCode.objects.update(created_at=F_minus(2))
        signin.request_sign_in_code(phone="13900001111", ip="10.0.0.2")
    SmsCode.objects.update(created_at=F_minus(2))
    signin.request_sign_in_code(phone="13900001111", ip="10.0.0.2")  # the fifth of the hour
    assert SmsCode.objects.filter(expires_at__gt=timezone.now(), purpose="sign_in").count() == 1  # one live
    SmsCode.objects.update(created_at=F_minus(2))
    with pytest.raises(signin.TooMany) as hour:
        signin.request_sign_in_code(phone="13900001111", ip="10.0.0.2")
    assert code_of(hour.value) == {"code_limit"}
    # an address asking for many numbers is stopped too
    settings.PORTAL_CODES_PER_IP_HOUR = 3
    with pytest.raises(signin.TooMany) as address:
        for n in range(4):
            signin.request_sign_in_code(phone=f"1370000000{n}", ip="10.0.0.3")
    assert code_of(address.value) == {"code_limit_ip"}
    # an expired code is refused
    SmsCode.objects.update(created_at=F_minus(120))
    signin.request_sign_in_code(phone="13900001111", ip="10.0.0.4")
    code = last_code(outbox, "13900001111")
    SmsCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as expired:
        signin.sign_in_by_code(phone="13900001111", code=code)
    assert code_of(expired.value) == {"code_expired"} and user.pk


def F_minus(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_five_wrong_codes_lock_the_number(people: People, outbox: list[tuple[str, str]]) -> None:
    bind(people, outbox)
    SmsCode.objects.update(created_at=F_minus(2))
    signin.request_sign_in_code(phone="13900001111", ip="10.0.0.1")
    code = last_code(outbox, "13900001111")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as refused:
            signin.sign_in_by_code(phone="13900001111", code=wrong)
        assert code_of(refused.value) == {"code_wrong"} and str(left) in refused.value.messages[0]
    with pytest.raises(signin.TooMany):
        signin.sign_in_by_code(phone="13900001111", code=wrong)
    with pytest.raises(signin.TooMany):  # the right code is no use now
        signin.sign_in_by_code(phone="13900001111", code=code)
    with pytest.raises(signin.TooMany):  # nor is a new one, for half an hour
        SmsCode.objects.update(created_at=F_minus(2))
        signin.request_sign_in_code(phone="13900001111", ip="10.0.0.1")
    SmsCode.objects.update(created_at=F_minus(31))
    signin.request_sign_in_code(phone="13900001111", ip="10.0.0.1")
    assert signin.sign_in_by_code(phone="13900001111", code=last_code(outbox, "13900001111")).veteran_id


def test_the_station_opens_an_account_within_its_scope(people: People, outbox: list[tuple[str, str]]) -> None:
    user = signin.bind_by_station(actor=people.net.users["town_staff"], veteran=people.other, phone="13800001234")
    assert user.veteran_id == people.other.pk and user.scope_region.code == people.net.grid.code
    with pytest.raises(Exception) as out:  # 乍浦镇's veteran is not 当湖街道's station's to open
        signin.bind_by_station(actor=people.net.users["town_staff"], veteran=people.far, phone="13800005678")
    assert type(out.value).__name__ == "Http404"
    signin.request_sign_in_code(phone="13800001234", ip="10.0.0.1")
    assert signin.sign_in_by_code(phone="13800001234", code=last_code(outbox, "13800001234")) == user


def test_a_family_member_acts_for_a_veteran_until_it_is_revoked(people: People,
                                                                outbox: list[tuple[str, str]]) -> None:  # fmt: skip
    veteran_user = bind(people, outbox)
    proxy = signin.proxy_grant(actor=veteran_user, veteran=people.own, phone="13700007777", name="张小丽",
                               relation="child")  # fmt: skip
    family = proxy.user
    assert family.veteran_id is None and family.represented_ids() == {people.own.pk}
    signin.request_sign_in_code(phone="13700007777", ip="10.0.0.9")
    assert signin.sign_in_by_code(phone="13700007777", code=last_code(outbox, "13700007777")) == family
    assert set(Veteran.objects.visible_to(User.objects.get(pk=family.pk)).values_list("pk", flat=True)) == {
        people.own.pk}  # fmt: skip
    with pytest.raises(ValidationError):  # once at a time
        signin.proxy_grant(actor=veteran_user, veteran=people.own, phone="13700007777", name="张小丽",
                           relation="child")  # fmt: skip
    with pytest.raises(Exception) as other:  # nobody authorises for a veteran they are not
        signin.proxy_grant(actor=family, veteran=people.other, phone="13700008888", name="x", relation="child")
    assert type(other.value).__name__ == "Http404"
    signin.proxy_revoke(actor=veteran_user, proxy=proxy)
    assert Proxy.objects.get().revoked_at is not None
    assert User.objects.get(pk=family.pk).represented_ids() == frozenset()
    assert not Veteran.objects.visible_to(User.objects.get(pk=family.pk)).exists()
    assert AuditEntry.objects.filter(action__in=["portal.proxy_grant", "portal.proxy_revoke"]).count() == 2
    SmsCode.objects.update(created_at=F_minus(2))
    signin.request_sign_in_code(phone="13700007777", ip="10.0.0.9")
    assert [to for to, _t in outbox].count("13700007777") == 1  # no account to sign in to any more


def test_a_mobile_signs_in_to_one_account_only(people: People, outbox: list[tuple[str, str]]) -> None:
    user = bind(people, outbox)  # 13900001111 is 张三丽's
    with pytest.raises(ValidationError) as taken:
        signin.bind_by_station(actor=people.net.users["town_staff"], veteran=people.other, phone="13900001111")
    assert code_of(taken.value) == {"phone_taken"}
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        User.objects.create(username="twin", role="veteran", scope_region=people.net.village, phone="13900001111")
    assert user.is_active


def test_a_station_member_who_took_the_followup_keeps_it(people: People, outbox: list[tuple[str, str]]) -> None:
    from care.services import NeedInput, need_raise
    from care.tests.helpers import do, open_task
    from workflow.services.access import person_may_act

    user = bind(people, outbox)
    need = need_raise(actor=user, veteran_id=people.own.pk, source="veteran", need=NeedInput("housing", "漏雨"))
    need = do(people.net.users["town_staff"], need, "resolve", "已修")
    task = open_task(need)
    assert person_may_act(user, task)
    task.assignee = people.net.users["village_staff"]
    task.save(update_fields=["assignee"])
    assert not person_may_act(user, task)


def test_the_clients_address_is_the_proxys_last_hop(settings: Any) -> None:
    from django.test import RequestFactory

    from core.clients import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.9"]
    direct = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(direct) == "203.0.113.5"  # no trusted proxy in front: a forged header is not believed
    proxied = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(proxied) == "198.51.100.7"  # what the client wrote first is not believed either
