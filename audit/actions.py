"""What each audit action code means, in words: the one registry the audit page, its API and the timeline read.

A service writes ``audit_record(action="veteran.reveal_id", …)``; staff read 查看完整身份证号. Codes that are
built from a declaration are worded from it by a resolver: a register's ``<register>.import`` here, and a
process's ``<process>.open``, ``<process>.withdraw`` and ``<process>.<action>`` (the action's own label) by
the workflow app, which registers its resolver when Django starts.
``audit/tests/test_actions.py`` fails when a code written anywhere in the project has no words here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Any] = {
    # accounts
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "user.create": _("User created"),
    "user.update": _("User changed"),
    "user.set_password": _("Password set"),
    "user.unlock": _("Account unlocked"),
    "token.issue": _("API token issued"),
    "token.revoke": _("API token revoked"),
    # the veterans' portal
    "portal.bind": _("Portal account opened for a registry record"),
    "portal.proxy_grant": _("Family member authorised to act for a veteran (代办)"),
    "portal.proxy_revoke": _("Authorisation to act for a veteran revoked"),
    "portal.correction_request": _("Record correction requested (资料更正)"),
    # the registry
    "veteran.create": _("Record created"),
    "veteran.update": _("Record changed"),
    "veteran.reveal_id": _("Full ID number viewed"),
    "veteran.mark_deceased": _("Recorded as deceased"),
    "veteran.export": _("Registry exported"),
    "export.download": _("Export file downloaded"),
    "veteran.family_add": _("Family member added"),
    "veteran.family_remove": _("Family member removed"),
    # the service network
    "region.create": _("Region created"),
    "region.update": _("Region changed"),
    "station.create": _("Station created"),
    "station.update": _("Station changed"),
    "station.designate": _("Station designated"),
    "station.star_rating": _("Station star rating"),
    "grid.leader_appoint": _("Grid leader appointed"),
    "grid.leader_end": _("Grid leader's term ended"),
    # the workflow
    "task.claim": _("Task taken"),
    "task.overdue": _("Task overdue"),
    "task.escalate": _("Task escalated"),
    "holiday.add": _("Holiday added"),
    "holiday.delete": _("Holiday deleted"),
    "case.attach": _("Attachment added"),
    "case.attachment_download": _("Attachment downloaded"),
    "case.view_person": _("Person's data viewed for a task"),
    "case_template.update": _("一件事 template changed"),
    "petition.register": _("Petition registered"),
    "petition.review_request": _("Petition review requested"),
    "petition.print": _("Petition letter printed"),
    # 抚恤补助
    "benefits.standard_publish": _("Standard published"),
    "benefits.entitlement_start": _("Entitlement started"),
    "benefits.entitlement_suspend": _("Entitlement suspended"),
    "benefits.entitlement_resume": _("Entitlement resumed"),
    "benefits.entitlement_end": _("Entitlement ended"),
    "benefits.confirm": _("Annual confirmation recorded"),
    "benefits.overpayment_found": _("Overpayment found"),
    "benefits.overpayment_settle": _("Overpayment settled"),
    "benefits.batch_generate": _("Payment batch generated"),
    "benefits.line_reverse": _("Payment line reversed"),
    "benefits.batch_export": _("Bank file exported"),
    "benefits.return_import": _("Bank return file imported"),
    "benefits.reveal_account": _("Full bank account viewed"),
    # “老兵本色” points
    "points.submit": _("Points entry submitted"),
    "points.book": _("Points booked"),
    "points.correct": _("Points row reversed"),
    "points.redeem": _("Points redeemed"),
    "points.cancel_redemption": _("Redemption cancelled"),
    "points.freeze": _("Quarterly ranking frozen"),
    "points.publish": _("Final ranking published"),
    "points.catalog.version": _("Points item changed (new version)"),
    "points.catalog.add_item": _("Points item added"),
    "points.catalog.withdraw": _("Points item withdrawn"),
    "points.catalog.aspect": _("Points aspect changed"),
    "points.reward.add": _("Reward added"),
    "points.reward.change": _("Reward changed"),
    # 帮扶援助 and the 帮扶基金
    "aid.propose": _("Hardship aid proposed"),
    "aid.donate": _("Donation to the aid fund recorded"),
    "aid.reverse": _("Aid fund ledger row reversed"),
    "aid.ceremony": _("Disbursement ceremony held: grants paid"),
    # regular contact and needs (care)
    "care.visit_log": _("Visit logged"),
    "care.need_raise": _("Need raised"),
    "care.assign": _("Contact person named"),
    "care.frequency_set": _("Contact frequency changed"),
    "care.phone_shown": _("Phones shown to the contact person"),
    "care.photo_open": _("Visit photo opened"),
    # martyrs and their families
    "martyrs.martyr_create": _("Martyr registered"),
    "martyrs.martyr_update": _("Martyr changed"),
    "martyrs.family_link": _("Martyr's family member recorded"),
    "martyrs.record_update": _("一人一档 record updated"),
    "martyrs.record_view": _("一人一档 record opened"),
    "martyrs.responsible_assign": _("Responsible person named"),
    "martyrs.phone_shown": _("Phones shown to the responsible person"),
    "martyrs.memorial_create": _("Memorial facility registered"),
    "martyrs.memorial_update": _("Memorial facility changed"),
    "martyrs.upkeep_record": _("Upkeep record entered"),
    "martyrs.upkeep_reverse": _("Upkeep record reversed"),
    "martyrs.remembrance_record": _("Visit of remembrance recorded"),
    # festival campaigns (四全)
    "campaigns.create": _("Campaign created"),
    "campaigns.open": _("Campaign opened: its people assigned to their grids"),
    "campaigns.refresh": _("Campaign's people refreshed"),
    "campaigns.close": _("Campaign closed"),
    "campaigns.action": _("Campaign action recorded"),
    "campaigns.gift": _("Campaign gift given"),
    # the cockpit
    "cockpit.report_download": _("Annual report downloaded"),
    # imports
    "import.upload": _("Import file uploaded"),
    "import.check": _("Import file checked"),
    "import.refuse": _("Import file refused"),
    "import.confirm": _("Import confirmed"),
    "import.expire": _("Unconfirmed import file deleted"),
    # the audit log itself
    "audit.verify": _("Audit chain verified"),
    # demo data (``manage.py demo``)
    "demo.load_network": _("Demo service network loaded"),
    "demo.load_veterans": _("Demo veterans loaded"),
    "demo.user_create": _("Demo user created"),
    "demo.user_reset": _("Demo user reset"),
    "demo.user_bind": _("Demo user bound to a record"),
    "demo.backdate_notice": _("Demo ranking's objection period moved back"),
    "demo.care_visits": _("Demo visits of a year loaded"),
}


#: Functions that word the codes built from a declaration (a module's processes): ``code -> words or None``.
#: A module above the audit app registers its own in its ``AppConfig.ready`` (``workflow`` for its processes).
Resolver = Callable[[str], "str | None"]
RESOLVERS: list[Resolver] = []


def resolver(function: Resolver) -> Resolver:
    if function not in RESOLVERS:
        RESOLVERS.append(function)
    return function


@resolver
def _imported(code: str) -> str | None:
    from core.imports import REGISTERS

    prefix, _dot, suffix = code.partition(".")
    if suffix == "import" and prefix in REGISTERS:
        return gettext("%(register)s: imported") % {"register": REGISTERS[prefix].title}
    return None


#: Functions that list the codes built from declarations (every process's actions, every register's import), so
#: that the audit page can offer them in its filter beside the written ones.
CodeSource = Callable[[], "list[str]"]
CODE_SOURCES: list[CodeSource] = []


def code_source(function: CodeSource) -> CodeSource:
    if function not in CODE_SOURCES:
        CODE_SOURCES.append(function)
    return function


@code_source
def _import_codes() -> list[str]:
    from core.imports import REGISTERS

    return [f"{name}.import" for name in REGISTERS]


def action_choices() -> list[tuple[str, str]]:
    """Every action code the project writes, as (words, code), sorted by the words: the audit page's filter."""
    codes = set(LABELS).union(*(source() for source in CODE_SOURCES))
    return sorted((words, code) for code in codes if (words := action_label(code)))


def action_label(code: str) -> str | None:
    """The words for an audit action code, or None when the code has none (the page then shows the code)."""
    label = LABELS.get(code)
    if label is not None:
        return str(label)
    return next((words for words in (resolve(code) for resolve in RESOLVERS) if words), None)
