"""Users, and a small two-town network with one user per role, that every app's tests build on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import factory
from django.test import Client

from accounts.models import User
from accounts.roles import Department, Role
from regions.models import Level, Region, Station, StationKind
from regions.testing import RegionFactory

TEST_PASSWORD = "Correct-Horse-Battery-42"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CITY_STAFF
    scope_region = None
    password = factory.django.Password(TEST_PASSWORD)


@dataclass
class Network:
    city: Region
    danghu: Region
    zhapu: Region
    village: Region  # in 当湖
    other_village: Region  # in 乍浦
    grid: Region  # in the village
    other_grid: Region  # in the other village
    users: dict[str, User]

    def client(self, role: str) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client

    def api_client(self, role: str) -> Client:
        """A client that authenticates as a script does: a token from POST /api/v1/auth/token."""
        response = Client().post(
            "/api/v1/auth/token",
            {"username": self.users[role].username, "password": TEST_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")


def build_network() -> Network:
    """A small network in Pinghu's shape. Its codes below the city are made up for the tests (乍浦镇 is
    330482101000 in the official table, 东湖村 and 海湾社区 are not in it): the demo loads the real ones."""
    city = RegionFactory(code="330482000000", name="平湖市", level=Level.CITY)
    danghu = RegionFactory(code="330482001000", name="当湖街道", level=Level.TOWN, parent=city)
    zhapu = RegionFactory(code="330482100000", name="乍浦镇", level=Level.TOWN, parent=city)
    village = RegionFactory(code="330482001001", name="东湖村", level=Level.VILLAGE, parent=danghu)
    other_village = RegionFactory(code="330482100001", name="海湾社区", level=Level.VILLAGE, parent=zhapu)
    grid = RegionFactory(code="330482001001001", name="东湖村老兵壹家", level=Level.GRID, parent=village)
    other_grid = RegionFactory(code="330482100001001", name="海湾社区老兵壹家", level=Level.GRID, parent=other_village)
    for region, kind in [
        (city, StationKind.CENTRE),
        (danghu, StationKind.TOWN_STATION),
        (zhapu, StationKind.TOWN_STATION),
        (village, StationKind.VILLAGE_STATION),
        (other_village, StationKind.VILLAGE_STATION),
    ]:
        Station.objects.get_or_create(region=region, defaults={"kind": kind, "name": f"{region.name}服务站"})
    spec: dict[str, dict[str, Any]] = {
        "city_admin": {"role": Role.CITY_ADMIN, "scope_region": city},
        "city_staff": {"role": Role.CITY_STAFF, "scope_region": city},
        "town_staff": {"role": Role.TOWN_STAFF, "scope_region": danghu},
        "other_town_staff": {"role": Role.TOWN_STAFF, "scope_region": zhapu},
        "village_staff": {"role": Role.VILLAGE_STAFF, "scope_region": village},
        "grid_leader": {"role": Role.GRID_LEADER, "scope_region": grid},
        "liaison": {"role": Role.LIAISON, "scope_region": city, "department": Department.POLICE},
        "auditor": {"role": Role.AUDITOR, "scope_region": city},
        "employer": {"role": Role.EMPLOYER, "scope_region": city},
        "veteran": {"role": Role.VETERAN, "scope_region": village},
    }
    users = {name: UserFactory(username=name, **kwargs) for name, kwargs in spec.items()}
    return Network(city, danghu, zhapu, village, other_village, grid, other_grid, users)


#: How each model's tests make one object in a region, for the generated access test: ``SAMPLES[Model](net, region)``.
#: Each app registers its own in ``<app>/tests/samples.py``.
SAMPLES: dict[type, Callable[[Network, Region], Any]] = {}


def sample(model: type) -> Callable[[Callable[[Network, Region], Any]], Callable[[Network, Region], Any]]:
    def register(make: Callable[[Network, Region], Any]) -> Callable[[Network, Region], Any]:
        SAMPLES[model] = make
        return make

    return register
