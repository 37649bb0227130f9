from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import Role
from accounts.testing import TEST_PASSWORD
from regions.models import Region
from workflow.models import Case


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--veterans", "3", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_loads_one_user_per_role_and_can_be_run_again() -> None:
    first = run_demo("--password", TEST_PASSWORD)
    roles = set(User.objects.values_list("role", flat=True))
    regions, cases = Region.objects.count(), Case.objects.count()
    assert "city_admin" in first and "veteran_demo" in first and TEST_PASSWORD in first
    assert roles == set(Role.values)
    assert User.objects.get(username="city_admin").check_password(TEST_PASSWORD)

    second = run_demo()
    assert Region.objects.count() == regions and Case.objects.count() == cases
    assert TEST_PASSWORD not in second  # each run without --password gives fresh random passwords
    assert not User.objects.get(username="city_admin").check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_the_demo_refuses_a_weak_password() -> None:
    with pytest.raises(CommandError, match="password rejected"):
        run_demo("--password", "123")
    assert not User.objects.exists()
