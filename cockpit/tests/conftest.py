"""The cockpit tests' seeded set: its answers are known."""

from __future__ import annotations

import pytest

from accounts.testing import Network
from cockpit import build
from veterans.tests.factories import register as register_veteran


@pytest.fixture
def seeded(net: Network) -> Network:
    """Three veterans in 当湖街道 (two in its grid, one in its village), one in 乍浦镇; the cells built."""
    staff = net.users["city_staff"]
    for region in (net.grid, net.grid, net.village, net.other_grid):
        register_veteran(staff, region)
    build.rebuild()
    return net
