"""Finding the subject a source could only half name.

Courts publish ID numbers masked (`3423011964****3224`) and bodies by 9-character
组织机构代码. A row is attached only when exactly one known subject fits; anything else is
quarantined as an unresolved identity — a wrong attachment would brand the wrong person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.subjects.models import Organization

MASK = "*"


@dataclass(frozen=True)
class Unresolved:
    field: str
    reason: str


def fits_mask(masked: str, number: str) -> bool:
    return len(masked) == len(number) and all(
        m == MASK or m.upper() == n for m, n in zip(masked, number, strict=True)
    )


def organization_code(text: str) -> str | None:
    """The 9-character 组织机构代码 in `12345678-9` or `123456789` form, else None."""
    code = text.replace("-", "").strip().upper()
    return code if len(code) == 9 and code.isalnum() else None


async def resolve_organization_codes(
    session: AsyncSession, codes: set[str]
) -> dict[str, str | Unresolved]:
    """A USCC carries the old 组织机构代码 as its characters 9–17: the USCC of each code,
    for a whole chunk in one query."""
    if not codes:
        return {}
    rows = await session.scalars(
        select(Organization.uscc).where(func.substr(Organization.uscc, 9, 9).in_(codes))
    )
    bodies: dict[str, list[str]] = {code: [] for code in codes}
    for uscc in rows:
        bodies[uscc[8:17]].append(uscc)
    return {code: _one_body(code, usccs) for code, usccs in bodies.items()}


def _one_body(code: str, usccs: list[str]) -> str | Unresolved:
    if len(usccs) == 1:
        return usccs[0]
    found = "no known body" if not usccs else f"{len(usccs)} known bodies"
    return Unresolved("subject_uscc", f"unresolved identity: {found} with 组织机构代码 {code}")
