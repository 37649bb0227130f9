"""A user and an API token in a region, for the generated access test."""

from __future__ import annotations

import itertools

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.services import api_token_issue, user_create
from accounts.testing import TEST_PASSWORD, Network, sample
from regions.models import Region

_numbers = itertools.count(1)


@sample(User)
def user_in(net: Network, region: Region) -> User:
    """The grid's leader (the samples' regions are grids): seen by whoever manages accounts over it."""
    return user_create(
        actor=net.users["city_admin"],
        username=f"sample-{region.code}-{next(_numbers)}",
        password=TEST_PASSWORD,
        role=Role.GRID_LEADER,
        scope_region=region,
    )


@sample(ApiToken)
def token_in(net: Network, region: Region) -> ApiToken:
    """A token of the town staff whose town holds the region: only its holder may revoke it."""
    user = net.users["town_staff" if region.code.startswith(net.danghu.prefix) else "other_town_staff"]
    token, _raw = api_token_issue(user=user, label=f"sample {region.code}")
    return token
