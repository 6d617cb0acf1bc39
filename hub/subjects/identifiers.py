"""Validation of the two national identifiers (shared/RULES.md §9). Pure functions.

- 统一社会信用代码 (USCC), GB 32100-2015: 18 characters, check character mod 31.
- 居民身份证号码, GB 11643-1999: 18 characters, check by ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hub import clock
from hub.errors import InvalidIdentifier

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_REGION_SHAPE = re.compile(r"^\d{6}$")


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


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def id_check_char(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_uscc(raw: str, *, field: str = "uscc") -> Uscc:
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise InvalidIdentifier(
            f"统一社会信用代码 must be 18 characters, got {len(code)}", field=field
        )
    if not _USCC_SHAPE.match(code):
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
    if not _ID_SHAPE.match(number):
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
    if not _REGION_SHAPE.match(code):
        raise InvalidIdentifier("行政区划代码 must be 6 digits", field=field)
    return code


def mask_id_number(number: str) -> str:
    """`110101********123X`: area code and last four stay, birth date and sequence hidden."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """`张*`, `欧***`: keep the first character (the surname, mostly), hide the rest."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
