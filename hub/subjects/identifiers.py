"""Parsing the two national identifiers into the hub's values, with the hub's errors
(shared/RULES.md §9). The alphabets, check characters and masks are vocabulary.identifiers,
which the connectors share."""

from __future__ import annotations

import unicodedata
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


def _folded(raw: str) -> str:
    """As typed: full-width digits and letters (１１０１…Ｘ, a Chinese input method), spaces
    and a lower-case x all read as the number meant."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()


def parse_uscc(raw: str, *, field: str = "uscc") -> Uscc:
    code = _folded(raw)
    if len(code) != 18:
        raise InvalidIdentifier(
            f"a USCC must be 18 characters, got {len(code)}",
            field=field,
            zh=f"统一社会信用代码应为18位，所填为{len(code)}位",
        )
    if not USCC_SHAPE.match(code):
        raise InvalidIdentifier(
            "a USCC may use only digits and the letters ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, "
            "Z); characters 3-8 are the region code",
            field=field,
            zh="统一社会信用代码只能由数字和字母ABCDEFGHJKLMNPQRTUWXY组成（不含I、O、S、V、Z），"
            "第3至8位为行政区划码",
        )
    if uscc_check_char(code[:17]) != code[17]:
        return Uscc(code, warning="check character does not match (legacy pilot code accepted)")
    return Uscc(code)


def parse_id_number(raw: str, *, field: str = "idNumber", today: date | None = None) -> IdNumber:
    number = _folded(raw)
    if not ID_SHAPE.match(number):
        raise InvalidIdentifier(
            f"an ID number is 17 digits followed by a digit or X, got {len(number)} characters",
            field=field,
            zh=f"居民身份证号码应为17位数字加1位数字或X，所填为{len(number)}位",
        )
    try:
        birth = IdNumber(number).birth_date
    except ValueError:
        raise InvalidIdentifier(
            f"the ID number has an impossible birth date {number[6:14]}",
            field=field,
            zh=f"居民身份证号码中的出生日期{number[6:14]}不存在",
        ) from None
    if birth > (today or clock.today()) or birth.year < 1800:
        raise InvalidIdentifier(
            f"the ID number has a birth date out of range: {birth.isoformat()}",
            field=field,
            zh=f"居民身份证号码中的出生日期{birth.isoformat()}超出合理范围",
        )
    if number[17] != id_check_char(number[:17]):
        raise InvalidIdentifier(
            "the ID number's check character is wrong; check it for a typing error",
            field=field,
            zh="居民身份证号码校验位不符，请核对是否输入有误",
        )
    return IdNumber(number)


def parse_region_code(raw: str, *, field: str = "regionCode") -> str:
    code = _folded(raw)
    if not REGION_SHAPE.match(code):
        raise InvalidIdentifier(
            "a region code is 6 digits", field=field, zh="行政区划代码应为6位数字"
        )
    return code
