"""Validation of identity numbers and phones, shared by every register and import."""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import invalid

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}  # fmt: skip
# ASCII only: Python's \d also matches the 650 other decimal digits (Arabic-Indic ٢, Devanagari २ ...).
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit (Arabic-Indic ٢ → 2); nothing else changes.

    A digit that is no decimal digit (Ethiopic ፩, the dingbat ❶: str.isdigit() is true, int() fails)
    stays as it is, for the caller's shape check to refuse."""
    if text.isascii():
        return text
    return "".join(c if c.isascii() or (d := unicodedata.decimal(c, None)) is None else str(d) for c in text)


def normalise(value: Any) -> str:
    """Full-width digits and letters to ASCII, every script's decimal digits to ASCII, spaces out, as one
    string: the one normaliser of ID numbers, phones and every other cell, so the same number typed in
    any script is kept, hashed and looked up the same."""
    text = str(value)
    if not text.isascii():  # ASCII is already in normal form, and most cells are
        text = ascii_digits(unicodedata.normalize("NFKC", text))
    return text.strip().replace(" ", "")


#: check_digit multiplies the digits' character codes: each code is the digit plus 48.
_CODE_OFFSET = 48 * sum(_WEIGHTS)


def check_digit(first17: str) -> str:
    # In C (map over the ASCII codes) rather than a generator: it runs for every row of an import.
    if first17.isascii():
        return _CHECK[(sum(map(operator.mul, first17.encode(), _WEIGHTS)) - _CODE_OFFSET) % 11]
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-digit resident identity number (GB 11643) and what it says."""

    value: str
    birth_date: dt.date
    gender: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask_id(self.value)


def mask_id(value: str) -> str:
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}" if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """The first 3 and the last 4 of a phone (138****5678); a shorter value not at all."""
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}" if len(value) >= 11 else "*" * len(value)


#: Typed words that may be (part of) an ID number or a phone: six digits or more, in any script.
_NUMBER_LIKE = re.compile(r"\d{6,}")


def holds_number(words: str) -> bool:
    """Whether typed words (a search) may be an ID number or a phone."""
    return bool(_NUMBER_LIKE.search(normalise(words)))


def masked_words(words: str) -> str:
    """Typed words as a page, a message or the audit log may repeat them: an ID number or a phone masked."""
    if not holds_number(words):
        return words
    text = normalise(words).upper()
    return mask_id(text) if len(text) > 11 else mask_phone(text)


def id_text(raw: Any) -> str:
    """An ID number as typed, normalised (full-width digits, spaces, a lowercase x): what is checked and kept."""
    return normalise(raw if raw is not None else "").upper()


def parse_id_number(raw: Any, field: str = "id_number", today: dt.date | None = None) -> IdNumber:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise invalid(
            field,
            _("The ID number was stored as a number and Excel has lost digits; "
              "format the column as text and enter the number again."),
            code="id_as_number",
        )  # fmt: skip
    value = id_text(raw)
    if not value:
        raise invalid(field, _("The ID number is required."), code="required")
    if _SCIENTIFIC.match(value):
        raise invalid(
            field,
            _("The ID number %(value)s was turned into a number by Excel and has lost digits; "
              "format the column as text and enter the number again."),
            code="id_as_number",
            value=value,
        )  # fmt: skip
    if len(value) == 15 and value.isascii() and value.isdigit():
        raise invalid(field, _("This is an old 15-digit ID number; enter the 18-digit one."), code="id_old")
    # ASCII digits only (normalise has mapped every script's decimal digits): ፩ or ❶ pass isdigit()
    # but int() refuses them, and any other character is no part of an ID number.
    if not _ID_SHAPE.fullmatch(value):
        raise invalid(field, _("An ID number has 17 digits and a final digit or X."), code="id_shape")
    if value[:2] not in _PROVINCES:
        raise invalid(field, _("The ID number does not start with a province code."), code="id_region")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        # The digits are not repeated in the message: beside the masked number they would complete it.
        raise invalid(field, _("The birth date in the ID number is not a real date."), code="id_birth_date") from None
    if birth > (today or timezone.localdate()) or birth.year < 1900:
        raise invalid(field, _("The birth date in the ID number is impossible."), code="id_birth_date")
    if check_digit(value[:17]) != value[17]:
        raise invalid(field, _("The ID number's check digit is wrong; check every digit."), code="id_checksum")
    return IdNumber(value=value, birth_date=birth, gender="M" if int(value[16]) % 2 else "F")


def validate_phone(phone: Any, field: str = "phone") -> str:
    """A mainland mobile or landline number, normalised; empty stays empty."""
    if isinstance(phone, float) and phone.is_integer():
        phone = int(phone)  # a mobile typed into a number cell: Excel keeps all 11 digits, but as 13800001234.0
    value = normalise(phone if phone is not None else "")
    if value and not _PHONE.fullmatch(value):
        raise invalid(
            field,
            _("Enter a mainland mobile number (11 digits) or a landline such as 0573-85012345."),
            code="bad_phone",
        )
    return value


def build_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """A well-formed ID number (for demo and test data): 6-digit region, birth date, 3-digit sequence."""
    first17 = f"{region[:6]}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
