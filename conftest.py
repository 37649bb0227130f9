from __future__ import annotations

import pytest

from accounts.testing import Network, build_network


@pytest.fixture
def net(db: None) -> Network:
    """A city with two towns, a village and a grid in each, and one user per role."""
    return build_network()
