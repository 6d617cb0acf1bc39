"""The two national identifiers (RULES.md §9): their alphabets, check characters and masks.

- 统一社会信用代码 (USCC), GB 32100-2015: 18 characters, check character mod 31.
- 居民身份证号码, GB 11643-1999: 18 characters, check by ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re
from datetime import date
from operator import mul

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
ID15_SHAPE = re.compile(r"^\d{15}$")  # the first-generation card: yymmdd, no check character
REGION_SHAPE = re.compile(r"^\d{6}$")
# Births the hub accepts (the RULES.md example is born 1880); later than 2100 is a typo.
FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 1800, 2100

_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015: C18 = 31 − (Σ value·weight mod 31), 31 → 0."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def id_check_char(first17: str) -> str:
    """GB 11643-1999, ISO 7064 MOD 11-2."""
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("an ID number's check character is computed over 17 digits")
    # map, not a generator expression: every check of a person computes this (a batch of
    # 10,000 spent 4 % of its time here).
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def birth_date(yyyymmdd: str) -> date | None:
    """The birth date an ID number carries, or None when it is no date or out of range."""
    try:
        day = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    return day if FIRST_BIRTH_YEAR <= day.year <= LAST_BIRTH_YEAR else None


def mask_id_number(number: str) -> str:
    """`110101********123X`: area code and last four stay, birth date and sequence hidden."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """`张*`, `欧***`: keep the first character (the surname, mostly), hide the rest."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
