"""Roles, departments and what each role may do: declared once, read everywhere."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    CITY_STAFF = "city_staff", _("City bureau staff")
    TOWN_STAFF = "town_staff", _("Town service station staff")
    VILLAGE_STAFF = "village_staff", _("Village service station staff")
    GRID_LEADER = "grid_leader", _("Grid leader")
    LIAISON = "liaison", _("Department liaison")
    AUDITOR = "auditor", _("Auditor")
    EMPLOYER = "employer", _("Employer")
    VETERAN = "veteran", _("Veteran")


class Department(models.TextChoices):
    POLICE = "police", _("Public security (公安)")
    HRSS = "hrss", _("Human resources and social security (人社)")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance (医保)")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs (民政)")
    HEALTH = "health", _("Health commission (卫健)")
    FINANCE = "finance", _("Finance (财政)")
    BANK = "bank", _("Paying bank (银行)")
    ARMED_FORCES = "armed_forces", _("People's armed forces department (人武部)")


STAFF_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_STAFF, Role.VILLAGE_STAFF, Role.GRID_LEADER})
CITY_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_STAFF, Role.AUDITOR, Role.LIAISON})

#: The region level a role's scope must be at. City-wide roles may also sit
#: higher (a prefecture or province deployment).
SCOPE_LEVELS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset({"province", "prefecture", "city"}),
    Role.CITY_STAFF: frozenset({"province", "prefecture", "city"}),
    Role.AUDITOR: frozenset({"province", "prefecture", "city"}),
    Role.LIAISON: frozenset({"province", "prefecture", "city", "town"}),
    Role.TOWN_STAFF: frozenset({"town"}),
    Role.VILLAGE_STAFF: frozenset({"village"}),
    Role.GRID_LEADER: frozenset({"grid"}),
    Role.EMPLOYER: frozenset({"city", "town", "village"}),
    Role.VETERAN: frozenset({"village", "grid"}),
}

#: Capabilities by role. Views and services ask ``user.can(...)``; nothing
#: else compares role names.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(
        {
            "cockpit.view",
            "workflow.inbox",
            "workflow.stats",
            "holidays.manage",
            "petitions.view",
            "petitions.register",
            "petitions.approve_extension",
            "cases.view",
            "cases.open",
            "cases.templates",
            "regions.view",
            "regions.manage",
            "stations.manage",
            "grids.manage",
            "accounts.manage",
            "audit.view",
            "veterans.view",
            "veterans.manage",
            "veterans.reveal_id",
            "veterans.import",
            "veterans.export",
            "benefits.view",
            "benefits.propose",
            "benefits.confirm",
            "benefits.manage",
            "benefits.standards",
            "benefits.import",
            "benefits.reveal_account",
            "aid.view",
            "aid.fund",
            "aid.fund_manage",
            "points.view",
            "points.submit",
            "points.correct",
            "points.freeze",
            "points.catalog",
            "points.redeem",
            "points.object",
            "campaigns.view",
            "campaigns.manage",
            "campaigns.record",
            "care.view",
            "care.visit",
            "care.need_raise",
            "care.assign",
            "care.frequencies",
            "martyrs.view",
            "martyrs.manage",
            "martyrs.respond",
        }
    ),
    Role.CITY_STAFF: frozenset(
        {
            "cockpit.view",
            "workflow.inbox",
            "workflow.stats",
            "petitions.view",
            "petitions.register",
            "cases.view",
            "cases.open",
            "regions.view",
            "stations.manage",
            "grids.manage",
            "veterans.view",
            "veterans.manage",
            "veterans.reveal_id",
            "veterans.import",
            "veterans.export",
            "benefits.view",
            "benefits.propose",
            "benefits.confirm",
            "benefits.manage",
            "benefits.import",
            "benefits.reveal_account",
            "aid.view",
            "aid.fund",
            "aid.fund_manage",
            "points.view",
            "points.submit",
            "points.correct",
            "points.freeze",
            "points.redeem",
            "points.object",
            "campaigns.view",
            "campaigns.manage",
            "campaigns.record",
            "care.view",
            "care.visit",
            "care.need_raise",
            "care.assign",
            "martyrs.view",
            "martyrs.manage",
            "martyrs.respond",
        }
    ),
    Role.TOWN_STAFF: frozenset(
        {
            "cockpit.view",
            "workflow.inbox",
            "workflow.stats",
            "petitions.view",
            "petitions.register",
            "cases.view",
            "cases.open",
            "regions.view",
            "grids.manage",
            "veterans.view",
            "veterans.manage",
            "veterans.reveal_id",
            "veterans.import",
            "veterans.export",
            "benefits.view",
            "benefits.propose",
            "benefits.confirm",
            "benefits.import",
            "aid.view",
            "points.view",
            "points.submit",
            "points.correct",
            "points.freeze",
            "points.redeem",
            "points.object",
            "campaigns.view",
            "campaigns.manage",
            "campaigns.record",
            "care.view",
            "care.visit",
            "care.need_raise",
            "care.assign",
            "martyrs.view",
            "martyrs.manage",
            "martyrs.respond",
        }
    ),
    Role.VILLAGE_STAFF: frozenset(
        {
            "cockpit.view",
            "regions.view",
            "veterans.view",
            "veterans.manage",
            "workflow.inbox",
            "petitions.view",
            "cases.view",
            "benefits.view",
            "benefits.propose",
            "benefits.confirm",
            "aid.view",
            "aid.propose",
            "points.view",
            "points.submit",
            "points.redeem",
            "points.object",
            "campaigns.view",
            "campaigns.record",
            "care.view",
            "care.visit",
            "care.need_raise",
            "care.assign",
            "martyrs.view",
            "martyrs.respond",
        }
    ),
    Role.GRID_LEADER: frozenset(
        {
            "regions.view",
            "veterans.view",
            "workflow.inbox",
            "points.view",
            "points.submit",
            "campaigns.view",
            "campaigns.record",
            "care.view",
            "care.visit",
            "care.need_raise",
        }
    ),
    Role.LIAISON: frozenset({"workflow.inbox"}),
    Role.AUDITOR: frozenset(
        {
            "cockpit.view",
            "regions.view",
            "audit.view",
            "veterans.view",
            "veterans.export",
            "workflow.stats",
            "petitions.view",
            "cases.view",
            "benefits.view",
            "aid.view",
            "aid.fund",
            "points.view",
            "campaigns.view",
            "care.view",
            "martyrs.view",
        }
    ),
    Role.EMPLOYER: frozenset(),
    Role.VETERAN: frozenset({"me.view", "points.submit_own", "points.object_own", "points.redeem_own"}),
}


def roles_with(capability: str) -> frozenset[str]:
    """The roles whose capabilities include this one: every role set is derived here, never written by hand."""
    return frozenset(role for role, caps in CAPABILITIES.items() if capability in caps)


#: A role may act on the tasks of the roles it covers (the bureau's administrators do what its staff do).
ACTS_AS: dict[str, frozenset[str]] = {role: frozenset({role}) for role in Role}
ACTS_AS[Role.CITY_ADMIN] = frozenset({Role.CITY_ADMIN, Role.CITY_STAFF})

#: Roles that answer for the units below them: an overdue task escalates to them.
SUPERVISOR_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_STAFF, Role.VILLAGE_STAFF})
