"""A veteran's request to correct their record (资料更正), on the kit: sent from the portal, checked and
answered by their station (``portal.process.CORRECTION``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import invalid, merged
from core.scoping import OWN_CAPABILITY
from portal.models import Correction, CorrectionItem
from veterans.models import Veteran
from workflow.kit import Register


@dataclass
class CorrectionInput:
    item: str
    right: str
    wrong: str = ""


def correction_request(*, actor: Any, veteran_id: int, data: CorrectionInput) -> Correction:
    """Send the request to the veteran's station: by their own account, or one acting for them (代办)."""
    from portal.process import CORRECTION
    from workflow.services import open_case

    errors: list[ValidationError] = []
    veteran = None
    if actor.can(OWN_CAPABILITY) and veteran_id in actor.represented_ids():
        veteran = Veteran.objects.filter(pk=veteran_id).first()
    if veteran is None:
        errors.append(invalid(None, _("You may ask to correct your own record only."), code="not_own"))
    if data.item not in CorrectionItem.values:
        errors.append(invalid("item", _("Choose what is wrong."), code="bad_choice"))
    right, wrong = (data.right or "").strip(), (data.wrong or "").strip()
    if not right:
        errors.append(invalid("right", _("Say what it should say."), code="required"))
    if len(right) > 500 or len(wrong) > 500:
        errors.append(invalid("right", _("At most 500 characters."), code="too_long"))
    if errors:
        raise merged(errors)
    assert veteran is not None
    with transaction.atomic():
        case = open_case(
            actor=actor, process=CORRECTION, title=f"{CorrectionItem(data.item).label} · {veteran.name}",
            region_code=veteran.region_code, owner_code=station_unit(veteran.region_code), veteran=veteran,
            subject={"item": data.item, "wrong": wrong, "right": right}, note=right, automatic=True,
        )  # fmt: skip
        subject: Correction = case.subject
        audit_record(actor=actor, action="portal.correction_request", obj=subject, region_code=subject.region_code,
                     after={"veteran": veteran.pk, "item": data.item, "number": case.number})  # fmt: skip
    return subject


def station_unit(region_code: str) -> str:
    from portal.process import station
    from workflow.models import Case

    return station(Case(region_code=region_code))[0]


def correction_out(c: Correction) -> dict[str, Any]:
    return {"id": c.pk, "case_id": c.case_id, "number": c.case.number, "veteran_id": c.case.veteran_id,
            "item": c.item, "item_label": c.get_item_display(), "wrong": c.wrong, "right": c.right,
            "answer": c.answer, "state": c.case.state, "state_label": c.case.get_state_display(),
            "region_code": c.region_code}  # fmt: skip


def corrections_register() -> Register:
    """The register of the requests, on the kit (its detail page reads it)."""
    from portal.process import CORRECTION

    return Register(model=Correction, process=CORRECTION, path="record-corrections", to_out=correction_out)
