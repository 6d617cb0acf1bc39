"""Registering the agencies that take part (providers and consumers). Takes a session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency, AgencyFamily, AgencyLevel
from hub.errors import InvalidInput, NotFound
from hub.subjects.identifiers import parse_region_code, parse_uscc


async def add_agency(
    session: AsyncSession,
    *,
    uscc: str,
    name: str,
    region_code: str | None,
    level: AgencyLevel,
    family: AgencyFamily,
) -> tuple[Agency, str | None]:
    """Returns the new agency and a warning (a legacy USCC that fails its check character)."""
    code = parse_uscc(uscc, field="uscc")
    region = parse_region_code(region_code or code.region_code, field="region")
    if not name.strip():
        raise InvalidInput("an agency needs its full name", field="name")
    if await session.scalar(select(Agency.id).where(Agency.uscc == code.code)) is not None:
        raise InvalidInput(f"an agency with USCC {code.code} is already registered", field="uscc")
    agency = Agency(
        uscc=code.code, name=name.strip(), region_code=region, level=level, family=family
    )
    session.add(agency)
    await session.flush()
    return agency, code.warning


async def list_agencies(session: AsyncSession) -> list[Agency]:
    return list(await session.scalars(select(Agency).order_by(Agency.region_code, Agency.name)))


async def agency_by_uscc(session: AsyncSession, uscc: str, *, field: str = "agency") -> Agency:
    agency = await session.scalar(select(Agency).where(Agency.uscc == uscc.strip().upper()))
    if agency is None:
        raise NotFound(
            f"no agency with USCC {uscc}; register it with `hub agencies add`", field=field
        )
    return agency
