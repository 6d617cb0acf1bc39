"""Parsing the two national identifiers into the hub's values, with the hub's errors
(shared/RULES.md §9). The alphabets, check characters and masks are vocabulary.identifiers,
which the connectors share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub import clock
from hub.errors import InvalidIdentifier
from vocabulary.identifiers import (
    ID_SHAPE,
    REGION_SHAPE,
    USCC_ALPHABET,
    USCC_SHAPE,
    id_check_char,
    mask_id_number,
    mask_name,
    uscc_check_char,
)

__all__ = [
    "USCC_ALPHABET",
    "IdNumber",
    "Uscc",
    "id_check_char",
    "mask_id_number",
    "mask_name",
    "parse_id_number",
    "parse_region_code",
    "parse_uscc",
    "uscc_check_char",
]


@dataclass(frozen=True)
class Uscc:
    code: str
    # Early pilot codes are legal but fail the check character; accepted, with this warning.
    warning: str | None = None

    @property
    def region_code(self) -> str:
        return self.code[2:8]


@dataclass(frozen=True)
class IdNumber:
    number: str

    @property
    def region_code(self) -> str:
        return self.number[:6]

    @property
    def birth_date(self) -> date:
        n = self.number
        return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def parse_uscc(raw: str, *, field: str = "uscc") -> Uscc:
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise InvalidIdentifier(
            f"统一社会信用代码 must be 18 characters, got {len(code)}", field=field
        )
    if not USCC_SHAPE.match(code):
        raise InvalidIdentifier(
            "统一社会信用代码 may use only digits and the letters "
            "ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z); characters 3-8 are the 行政区划码",
            field=field,
        )
    if uscc_check_char(code[:17]) != code[17]:
        return Uscc(code, warning="check character does not match (legacy pilot code accepted)")
    return Uscc(code)


def parse_id_number(raw: str, *, field: str = "idNumber", today: date | None = None) -> IdNumber:
    number = (raw or "").strip().upper()
    if not ID_SHAPE.match(number):
        raise InvalidIdentifier(
            "居民身份证号码 must be 17 digits followed by a digit or X", field=field
        )
    try:
        birth = IdNumber(number).birth_date
    except ValueError:
        raise InvalidIdentifier(
            f"居民身份证号码 has an impossible birth date {number[6:14]}", field=field
        ) from None
    if birth > (today or clock.today()) or birth.year < 1800:
        raise InvalidIdentifier(
            f"居民身份证号码 has a birth date out of range: {birth.isoformat()}", field=field
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdentifier(
            "居民身份证号码 check character is wrong; check the number for a typing error",
            field=field,
        )
    return IdNumber(number)


def parse_region_code(raw: str, *, field: str = "regionCode") -> str:
    code = (raw or "").strip()
    if not REGION_SHAPE.match(code):
        raise InvalidIdentifier("行政区划代码 must be 6 digits", field=field)
    return code
