"""Roles are named in accounts/roles.py only: everything else asks for a capability or uses the Role members."""

from __future__ import annotations

import ast
from pathlib import Path

from accounts.roles import CAPABILITIES, Role, roles_with

ROOT = Path(__file__).resolve().parents[2]
#: Folders that are not the platform's code (tests and migrations keep the values they were written with).
SKIPPED = {".venv", "var", "tests", "migrations", "e2e", "bench", "node_modules", "locale", "static", "templates"}
#: The demo's and the test network's users are keyed by names that read like roles; they name people, not roles.
USERNAMES = {
    Path("home/management/commands/demo.py"),
    Path("petitions/demo.py"),
    Path("benefits/demo.py"),
    Path("accounts/testing.py"),
}
#: "veteran" is also a field's and a model's name; the other role values are never anything but roles.
AMBIGUOUS = {Role.VETERAN.value}


def _role_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    values = set(Role.values) - AMBIGUOUS
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in values
    ]


def test_no_module_names_a_role_by_its_string() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED.intersection(relative.parts) or relative == Path("accounts/roles.py") or relative in USERNAMES:
            continue
        found += _role_literals(path)
    assert not found, "use accounts.roles.Role members or a capability:\n" + "\n".join(found)


def test_a_role_set_is_derived_from_the_capabilities() -> None:
    viewers = roles_with("petitions.view")
    assert viewers == {role for role, caps in CAPABILITIES.items() if "petitions.view" in caps}
    assert Role.GRID_LEADER not in viewers and Role.VILLAGE_STAFF in viewers
    assert roles_with("no.such.capability") == frozenset()


def test_the_martyrs_register_is_the_stations() -> None:
    """Town and city stations manage it; village stations see their area and answer for their families; grid
    leaders visit martyr families through care only; auditors read."""
    stations = {Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_STAFF}
    assert roles_with("martyrs.manage") == stations
    assert roles_with("martyrs.respond") == stations | {Role.VILLAGE_STAFF}
    assert roles_with("martyrs.view") == stations | {Role.VILLAGE_STAFF, Role.AUDITOR}


def test_the_city_and_its_towns_run_campaigns_and_the_grids_record_them() -> None:
    assert roles_with("campaigns.manage") == {Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_STAFF}
    assert roles_with("campaigns.record") == {Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_STAFF, Role.VILLAGE_STAFF,
                                              Role.GRID_LEADER}  # fmt: skip
    assert roles_with("campaigns.view") == roles_with("campaigns.record") | {Role.AUDITOR}
    # whoever marks a campaign's visit logs a regular-contact visit and sees the people's phones through care
    assert roles_with("campaigns.record") <= roles_with("care.visit")
