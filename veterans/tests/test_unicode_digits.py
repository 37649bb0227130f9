"""ID numbers and phones typed in another script's digits (issue 10): one normaliser everywhere.

A decimal digit of any script (Arabic-Indic ٢, Devanagari २, full-width ２) is read as its ASCII digit,
so the same person keeps the same keyed hash; a character that passes ``str.isdigit()`` but is no
decimal digit (Ethiopic ፩, the dingbat ❶) is refused at its field, never a ValueError or a 500.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from accounts.testing import Network
from core.errors import error_items
from core.validators import normalise, parse_id_number, validate_phone
from petitions.models import Petition
from petitions.tests.helpers import petition_input
from veterans import imports as veteran_imports
from veterans.models import Veteran
from veterans.search import id_lookup_hash
from veterans.services import veteran_as_input
from veterans.tests.factories import id_number, register, valid_row

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
#: Digits that are no decimal digits: isdigit() is true and int() fails.
NOT_DECIMAL = ["፩", "❶", "⓵", "➀", "𐩀"]
#: The birth year (3-6 of the 1-based positions 7-10 sit in 6:10) and the sequence and gender digits.
POSITIONS = [2, 3, 4, 5, 6, 9, 14, 15, 16]

ALL_DIGITS = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isdigit()]


def codes(func, *args, **kwargs) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as exc:
        func(*args, **kwargs)
    return [(item["field"], item["code"]) for item in error_items(exc.value)]


def with_char(number: str, position: int, char: str) -> str:
    return number[:position] + char + number[position + 1 :]


# --- the validators -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", NOT_DECIMAL)
@pytest.mark.parametrize("position", POSITIONS)
def test_a_digit_that_is_no_decimal_digit_is_refused_at_the_field(char: str, position: int) -> None:
    number = with_char(id_number(), position, char)
    assert number[position].isdigit()
    assert codes(parse_id_number, number) in ([("id_number", "id_shape")], [("id_number", "id_region")])


@pytest.mark.parametrize("table", [ARABIC_INDIC, DEVANAGARI, FULL_WIDTH], ids=["arabic-indic", "devanagari", "fw"])
def test_another_scripts_digits_read_as_the_same_number(table: dict[int, str]) -> None:
    number = id_number()
    parsed = parse_id_number(number.translate(table))
    assert parsed.value == number and parsed.value.isascii()
    assert veteran_imports.key(number.translate(table)) == veteran_imports.key(number) == id_lookup_hash(number)
    assert validate_phone("13812345678".translate(table)) == "13812345678"


@pytest.mark.parametrize("char", NOT_DECIMAL)
def test_a_phone_with_a_digit_that_is_no_decimal_digit_is_refused(char: str) -> None:
    assert codes(validate_phone, f"138{char}2345678") == [("phone", "bad_phone")]


def test_no_digit_of_any_script_breaks_the_parsers_or_is_kept() -> None:
    """Every code point with isdigit() true, in each position of an ID number and of a phone: the
    parsers answer a value of ASCII digits or the validation error, nothing else."""
    assert len(ALL_DIGITS) > 700
    number, phone = id_number(), "13812345678"
    for char in ALL_DIGITS:
        decimal = unicodedata.decimal(char, None)
        for position in range(18):
            candidate = with_char(number, position, char)
            try:
                value = parse_id_number(candidate).value
            except ValidationError:
                continue
            assert value.isascii(), (char, position)
            if decimal is not None:
                assert value == with_char(number, position, str(decimal))
        for position in range(11):
            try:
                value = validate_phone(with_char(phone, position, char))
            except ValidationError:
                continue
            assert value.isascii() and value[position] == normalise(char), (char, position)


# --- every way in -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["፩", "❶"])
@pytest.mark.parametrize("position", [3, 15])
def test_the_form_refuses_it_at_the_field(net: Network, char: str, position: int) -> None:
    row = valid_row(net.village, discharge_type="discharged")
    row["id_number"] = with_char(row["id_number"], position, char)

    response = net.client("town_staff").post("/veterans/new/", row)

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["id_number"]] == ["id_shape"]
    assert not Veteran.objects.exists()


@pytest.mark.parametrize("char", ["፩", "❶"])
@pytest.mark.parametrize("position", [3, 15])
def test_the_api_refuses_it_at_the_field(net: Network, char: str, position: int) -> None:
    row = valid_row(net.village)
    row["id_number"] = with_char(row["id_number"], position, char)
    row["phone"] = f"138{char}2345678"

    response = net.api_client("town_staff").post("/api/v1/veterans", row, content_type="application/json")

    assert response.status_code == 400, response.content
    fields = {f["field"]: f["code"] for f in response.json()["error"]["fields"]}
    assert fields == {"id_number": "id_shape", "phone": "bad_phone"}


@pytest.mark.parametrize("char", ["፩", "❶"])
@pytest.mark.parametrize("position", [3, 4, 5, 15, 16])
def test_a_petition_registration_refuses_it_at_the_field(net: Network, char: str, position: int) -> None:
    from petitions.services import petition_register

    number = with_char("330482198010281017", position, char)
    with pytest.raises(ValidationError) as refused:
        petition_register(actor=net.users["town_staff"], data=petition_input(net, id_number=number))
    assert [e.code for e in refused.value.error_dict["id_number"]] == ["id_shape"]
    assert not Petition.objects.exists()


def test_the_issues_petition_number_is_refused_not_a_value_error(net: Network) -> None:
    from petitions.services import petition_register

    with pytest.raises(ValidationError):
        petition_register(actor=net.users["town_staff"], data=petition_input(net, id_number="330482198010281፩17"))


def test_the_same_person_in_arabic_indic_digits_is_a_duplicate(net: Network) -> None:
    vet = register(net.users["town_staff"], net.village, name="张三丽")
    number = parse_id_number(valid_row(net.village)["id_number"]).value  # a fresh one, for the API
    existing = veteran_as_input(vet)["id_number"]
    dates = {"enlisted_on": "2020-09-01", "discharged_on": "2022-12"}  # after any birth date valid_row makes
    row = valid_row(net.village, discharge_type="discharged", id_number=existing.translate(ARABIC_INDIC), **dates)

    page = net.client("town_staff").post("/veterans/new/", row)
    full_width = valid_row(net.village, id_number=existing.translate(FULL_WIDTH), **dates)
    api = net.api_client("town_staff").post("/api/v1/veterans", full_width, content_type="application/json")
    created = net.api_client("town_staff").post(
        "/api/v1/veterans",
        valid_row(net.village, id_number=number.translate(ARABIC_INDIC), phone="١٣٨١٢٣٤٥٦٧٨", **dates),
        content_type="application/json",
    )

    assert [e.code for e in page.context["form"].errors.as_data().get("id_number", [])] == ["duplicate"]
    assert {f["field"]: f["code"] for f in api.json()["error"]["fields"]} == {"id_number": "duplicate"}
    assert created.status_code == 201, created.content
    stored = Veteran.objects.get(pk=created.json()["id"])
    assert stored.id_hash == id_lookup_hash(number) and veteran_as_input(stored)["id_number"] == number
    assert stored.phone_masked == "138****5678"
    assert Veteran.objects.count() == 2


def test_the_search_box_reads_them_too(net: Network) -> None:
    vet = register(net.users["town_staff"], net.village, name="张三丽", phone="13800005678")
    number = veteran_as_input(vet)["id_number"]
    client = net.client("town_staff")

    for q in ("٥٦٧٨", "５６７８", number.translate(ARABIC_INDIC), number[-6:].translate(DEVANAGARI)):
        assert [v.name for v in client.get("/veterans/", {"q": q}).context["rows"]] == ["张三丽"], q
    assert client.get("/veterans/", {"q": "፩፪፫፬"}).status_code == 200
