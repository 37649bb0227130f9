"""The navigation bar and a person's actions come from what the modules declare, shown by capability."""

from __future__ import annotations

import pytest

from accounts.testing import Network
from core import navigation
from veterans import actions
from veterans.tests.factories import register

pytestmark = pytest.mark.django_db


def test_the_bar_shows_each_declared_entry_to_the_roles_granted_its_capability(net: Network) -> None:
    for role, user in net.users.items():
        shown = {e.url_name for e in navigation.entries_for(user)}
        declared = {e.url_name for e in navigation.ENTRIES.values() if not e.capability or user.can(e.capability)}
        assert shown == declared, role
    assert "petitions:list" not in {e.url_name for e in navigation.entries_for(net.users["grid_leader"])}
    assert "petitions:list" in {e.url_name for e in navigation.entries_for(net.users["village_staff"])}


def test_a_module_adds_an_entry_without_editing_the_bar(net: Network) -> None:
    entry = navigation.register(navigation.NavEntry("样例", "workflow:holidays", "holidays.manage", 5))
    try:
        page = net.client("city_admin").get("/").content.decode()
        assert 'href="/workflow/holidays/"' in page and "样例" in page
        assert "样例" not in net.client("town_staff").get("/").content.decode()
    finally:
        del navigation.ENTRIES[entry.url_name]


def test_a_persons_page_offers_the_actions_the_user_may_start(net: Network) -> None:
    veteran = register(net.users["city_admin"], net.village)
    town = dict(actions.actions_for(net.users["town_staff"], veteran))
    # register a petition, open a 一件事 case, propose an entitlement, the points ledger, record points, log a
    # visit, name the contact person, raise a need, the 老兵e家 account (the martyr family record is offered to a
    # martyr's surviving family only)
    assert len(town) == 9
    assert f"/me/station/{veteran.pk}/" in town.values()
    assert f"/care/people/{veteran.pk}/contact/" in town.values()  # a page with the person in its path
    survivor = register(net.users["city_admin"], net.village, categories=["martyr_family"])
    assert len(actions.actions_for(net.users["town_staff"], survivor)) == 10
    assert f"/martyrs/for-person/?veteran={survivor.pk}" in dict(actions.actions_for(net.users["town_staff"],
                                                                                   survivor)).values()  # fmt: skip
    grid_leader = [url for _label, url in actions.actions_for(net.users["grid_leader"], veteran)]
    # a grid leader records points, logs visits and raises needs, nothing else
    assert all(url.startswith(("/points/", "/care/")) for url in grid_leader)
    page = net.client("town_staff").get(f"/veterans/{veteran.pk}/").content.decode()
    assert f"/petitions/new/?veteran={veteran.pk}" in page and f"/life-cases/new/?veteran={veteran.pk}" in page
    assert f"/benefits/proposals/new/?veteran={veteran.pk}" in page
    assert f"/petitions/new/?veteran={veteran.pk}" not in net.client("grid_leader").get(
        f"/veterans/{veteran.pk}/").content.decode()  # fmt: skip


def test_every_apps_tests_are_collected() -> None:
    """An app's tests that pytest's testpaths leave out would never run, in CI or anywhere."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    paths = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"])
    apps = {p.parent.parent.name for p in root.glob("*/tests/__init__.py")} | (
        {"e2e"} if (root / "e2e").is_dir() else set()
    )
    assert apps - paths == set()
