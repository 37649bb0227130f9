from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.testing import UserFactory
from accounts.tests.helpers import OtherCity
from regions.models import Level
from regions.testing import RegionFactory


@pytest.fixture
def other_city(db: None) -> OtherCity:
    city = RegionFactory(code="330483000000", name="海盐县", level=Level.CITY)
    admin = UserFactory(username="haiyan_admin", role=Role.CITY_ADMIN, scope_region=city)
    return OtherCity(city=city, admin=admin)
