"""Guesses at once, on PostgreSQL with real concurrent connections: eight wrong codes sent together for one
number count five tries, no more, and the number is locked, so a burst cannot try more than five codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from accounts.models import SmsCode, phone_hash
from core.testing_db import race, server_only
from portal import signin
from portal.tests.conftest import People, last_code
from portal.tests.test_signin import bind, code_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_wrong_codes_at_once_count_five_tries_and_lock_the_number(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    server_only()
    bind(people, outbox)
    SmsCode.objects.update(created_at=SmsCode.objects.first().created_at.replace(year=2000))  # type: ignore[union-attr]
    signin.request_sign_in_code(phone="13900001111", ip="10.0.0.1")
    right = last_code(outbox, "13900001111")
    wrong = "000000" if right != "000000" else "111111"
    key = phone_hash("13900001111")

    def hold(holder: Any) -> None:  # the number's codes locked, as a guess counting its tries holds them
        holder.execute("SELECT id FROM accounts_smscode WHERE phone_hash = %s FOR UPDATE", [key])

    def guess() -> str:
        try:
            signin.sign_in_by_code(phone="13900001111", code=wrong)
        except ValidationError as exc:  # the try is kept: the guess's transaction commits
            return next(iter(code_of(exc)))
        return "signed_in"

    outcome = race(hold, *[guess for _n in range(8)])
    assert sorted(outcome) == ["code_locked"] * 4 + ["code_wrong"] * 4, outcome
    assert SmsCode.objects.filter(phone_hash=key).aggregate(n=Sum("tries"))["n"] == 5
    with pytest.raises(signin.TooMany):  # the right code is no use now
        signin.sign_in_by_code(phone="13900001111", code=right)
