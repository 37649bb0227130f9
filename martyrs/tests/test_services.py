"""The martyrs' register through its services: scope, dates, the 一人一档 record and its history, who may be
responsible, the facilities' ledger, and the same visits as care's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.testing import Network
from audit.models import AuditEntry
from care.figures import coverage
from care.tests.helpers import log
from core.ledger import AppendOnlyError
from martyrs import selectors
from martyrs.figures import family_figures, memorial_conditions
from martyrs.models import Martyr, Precision, RecordChange, Upkeep
from martyrs.services import (
    MartyrInput,
    RecordInput,
    family_link,
    martyr_create,
    martyr_update,
    partial_date,
    record_update,
    responsible_assign,
    upkeep_reverse,
)
from martyrs.tests.helpers import TODAY, family, kin, martyr, memorial, remembrance, upkeep
from veterans.tests.factories import register

pytestmark = pytest.mark.django_db


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {field: errors[0].code for field, errors in exc.value.error_dict.items()}


def test_a_date_is_kept_as_far_as_it_is_known() -> None:
    assert partial_date("born", "1944") == (dt.date(1944, 1, 1), Precision.YEAR)
    assert partial_date("born", "1944-05") == (dt.date(1944, 5, 1), Precision.MONTH)
    for no_such in ("1944-00-15", "1944-05-00", "0000"):
        with pytest.raises(ValidationError):
            partial_date("born", no_such)
    assert partial_date("born", "1944-05-17") == (dt.date(1944, 5, 17), Precision.DAY)
    assert partial_date("born", "") == (None, Precision.DAY)
    with pytest.raises(ValidationError):
        partial_date("born", "1944-02-30")
    with pytest.raises(ValidationError):
        partial_date("born", "五月")


def test_a_martyr_is_registered_with_what_is_known_and_audited(net: Network) -> None:
    made = martyr(net.users["town_staff"], net.village)
    assert (made.born_shown, made.sacrificed_shown, made.region_code) == ("1920-03", "1949", net.village.code)
    assert AuditEntry.objects.filter(action="martyrs.martyr_create", object_id=str(made.pk)).exists()


def test_a_sacrifice_before_birth_or_in_the_future_is_refused(net: Network) -> None:
    staff = net.users["town_staff"]
    with pytest.raises(ValidationError) as before:
        martyr_create(actor=staff, data=MartyrInput(name="李某", region=net.village.code, born="1950",
                                                    sacrificed="1949-10"))  # fmt: skip
    assert codes(before) == {"sacrificed": "before_birth"}
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as later:
        martyr_create(actor=staff, data=MartyrInput(name="李某", region=net.village.code, born=future,
                                                    sacrificed=future))  # fmt: skip
    assert codes(later) == {"born": "future", "sacrificed": "future"}
    assert not Martyr.objects.exists()


def test_a_town_cannot_register_or_see_another_towns_martyr(net: Network) -> None:
    with pytest.raises(ValidationError) as exc:
        martyr(net.users["town_staff"], net.other_village)
    assert codes(exc) == {"region": "unknown_region"}
    theirs = martyr(net.users["other_town_staff"], net.other_village)
    assert not selectors.martyrs(net.users["town_staff"]).filter(pk=theirs.pk).exists()
    with pytest.raises(ValidationError):
        martyr_update(actor=net.users["town_staff"], martyr=theirs,
                      data=MartyrInput(name="改名", region=net.village.code))  # fmt: skip


def test_village_staff_see_but_do_not_register(net: Network) -> None:
    with pytest.raises(PermissionDenied):
        martyr(net.users["village_staff"], net.village)
    ours = martyr(net.users["town_staff"], net.village)
    assert selectors.martyrs(net.users["village_staff"]).filter(pk=ours.pk).exists()
    assert not selectors.martyrs(net.users["grid_leader"]).exists()


def test_a_family_member_is_a_martyr_family_person_of_the_registry(net: Network) -> None:
    staff = net.users["town_staff"]
    hero = martyr(staff, net.village)
    plain = register(staff, net.village)
    with pytest.raises(ValidationError) as exc:
        family_link(actor=staff, martyr=hero, veteran_id=plain.pk, relation="child")
    assert codes(exc) == {"veteran_id": "not_martyr_family"}
    elsewhere = kin(net.users["city_staff"], net.other_village)
    with pytest.raises(ValidationError) as other:
        family_link(actor=staff, martyr=hero, veteran_id=elsewhere.pk, relation="nephew")
    assert codes(other) == {"veteran_id": "not_visible", "relation": "bad_choice"}
    person = kin(staff, net.village)
    linked = family_link(actor=staff, martyr=hero, veteran_id=person.pk, relation="spouse")
    assert linked.region_code == person.region_code
    with pytest.raises(ValidationError) as twice:
        family_link(actor=staff, martyr=hero, veteran_id=person.pk, relation="spouse")
    assert codes(twice) == {"veteran_id": "already_linked"}


def test_the_responsible_person_must_be_a_station_user_of_the_persons_area(net: Network) -> None:
    staff = net.users["town_staff"]
    linked = family(staff, net.grid)
    for wrong in ("other_town_staff", "grid_leader", "auditor"):
        with pytest.raises(ValidationError) as exc:
            responsible_assign(actor=staff, family=linked, user=net.users[wrong])
        assert codes(exc) == {"responsible": "not_in_area"}, wrong
    named = responsible_assign(actor=staff, family=linked, user=net.users["village_staff"])
    assert named.responsible == net.users["village_staff"]
    assert RecordChange.objects.filter(family=linked, changes__has_key="responsible").exists()
    assert [f.pk for f in selectors.my_families(net.users["village_staff"])] == [linked.pk]


def test_the_record_is_updated_by_its_responsible_person_with_history(net: Network) -> None:
    staff = net.users["town_staff"]
    village = net.users["village_staff"]
    linked = family(staff, net.grid)
    with pytest.raises(ValidationError) as exc:
        record_update(actor=village, family=linked, data=RecordInput(living="独居"))
    assert exc.value.code == "not_responsible"
    responsible_assign(actor=staff, family=linked, user=village)
    updated = record_update(actor=village, family=linked, data=RecordInput(living="独居", schooling="孙子读初中"))
    assert (updated.living, updated.schooling, updated.employment) == ("独居", "孙子读初中", "")
    change = RecordChange.objects.get(family=linked, changed_by=village)
    assert change.changes == {"living": ["", "独居"], "schooling": ["", "孙子读初中"]}
    entry = AuditEntry.objects.get(action="martyrs.record_update")
    assert entry.actor_id == village.pk
    # nothing changed writes nothing
    record_update(actor=village, family=linked, data=RecordInput(living="独居"))
    assert RecordChange.objects.filter(family=linked, changed_by=village).count() == 1
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(ValidationError):
        record_update(actor=village, family=linked, data=RecordInput(living="长" * 1001))
    with pytest.raises(ValidationError):
        record_update(actor=net.users["other_town_staff"], family=linked, data=RecordInput(living="改"))


def test_a_visit_logged_for_a_family_member_is_cares_own(net: Network) -> None:
    """The same objects: care's visit of the person shows on their record and counts in care's coverage."""
    staff = net.users["town_staff"]
    linked = family(staff, net.grid, responsible=net.users["village_staff"])
    total_before, _areas = coverage(net.village.code)
    assert selectors.my_families(net.users["village_staff"])[0].overdue
    visit = log(net.users["village_staff"], linked.veteran)
    assert list(selectors.visits_of(staff, linked.veteran_id)) == [visit]
    total, _areas = coverage(net.village.code)
    assert total["contacted"] == total_before["contacted"] + 1
    assert not selectors.my_families(net.users["village_staff"])[0].overdue
    figures, areas = family_figures(net.danghu.code)
    assert (figures["families"], figures["with_responsible"], figures["contacted"]) == (1, 1, 1)
    assert [a["families"] for a in areas if a["code"] == net.village.code] == [1]


def test_the_upkeep_ledger_is_append_only_and_corrected_by_reversal(net: Network) -> None:
    staff = net.users["town_staff"]
    place = memorial(staff, net.village)
    row = upkeep(staff, place, "1200.50")
    assert row.cost == Decimal("1200.50")
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(ValidationError) as bad:
        upkeep(staff, place, "-1")
    assert codes(bad) == {"cost": "negative"}
    with pytest.raises(ValidationError) as fen:
        upkeep(staff, place, "1.005")
    assert codes(fen) == {"cost": "not_money"}
    for huge in ("1e30", "9" * 29):  # more digits than a quantize to the fen can hold: refused, not a 500
        with pytest.raises(ValidationError) as big:
            upkeep(staff, place, huge)
        assert codes(big) == {"cost": "too_much"}
    with pytest.raises(ValidationError) as later:
        upkeep(staff, place, "10", days_ago=-2)
    assert codes(later) == {"done_on": "future"}
    reversal = upkeep_reverse(actor=staff, entry=row, reason="金额录错")
    assert reversal.cost == Decimal("-1200.50") and reversal.reverses_id == row.pk
    with pytest.raises(ValidationError):
        upkeep_reverse(actor=staff, entry=row, reason="再冲一次")
    assert sum(u.cost for u in Upkeep.objects.filter(memorial=place)) == 0


def test_facilities_are_scoped_and_counted_by_condition(net: Network) -> None:
    ours = memorial(net.users["town_staff"], net.village, condition="repair")
    theirs = memorial(net.users["other_town_staff"], net.other_village)
    assert list(selectors.memorials(net.users["town_staff"])) == [ours]
    with pytest.raises(ValidationError):
        remembrance(net.users["town_staff"], theirs)
    with pytest.raises(ValidationError):
        remembrance(net.users["town_staff"], ours, people=0)
    remembrance(net.users["town_staff"], ours)
    counts = {c["condition"]: c["count"] for c in memorial_conditions(net.city.code)}
    assert counts == {"good": 1, "fair": 0, "repair": 1}


def test_a_family_member_who_moves_takes_their_record_to_their_new_station(net: Network) -> None:
    from martyrs.models import MartyrFamily
    from veterans.services import scope_regions, veteran_as_input, veteran_update
    from veterans.validation import clean_veteran

    staff = net.users["city_admin"]
    linked = family(staff, net.village)
    person = linked.veteran
    data = clean_veteran(veteran_as_input(person) | {"region_code": net.other_village.code},
                         regions=scope_regions(staff))  # fmt: skip
    veteran_update(actor=staff, veteran=person, data=data)
    assert MartyrFamily.objects.get(pk=linked.pk).region_code == net.other_village.code
    assert not MartyrFamily.objects.visible_to(net.users["village_staff"]).filter(pk=linked.pk).exists()
