"""What the 概览 dashboard shows, computed in a handful of aggregate queries. The session is
the caller's, so hub.access filters the records counted exactly as it filters reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.feeds import coverage
from hub.agencies.models import Agency, AgencyFamily
from hub.checks.models import Check
from hub.checks.purposes import Verdict
from hub.db.base import utcnow
from hub.ingest.models import QuarantinedRow
from hub.lifecycle.service import workflow_counts
from hub.records.enums import RecordCategory
from hub.records.models import CreditRecord

YEARS_SHOWN = 6
CHECKS_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Overview:
    # (year, family) → records decided that year, from sources of that family.
    records_by_year: dict[tuple[int, AgencyFamily], int]
    records_by_category: dict[RecordCategory, int]
    # This agency's checks of the last 90 days.
    verdicts: dict[Verdict, int]
    # Objections to and repairs of this agency's records.
    workflow: dict[str, int]
    freshness: dict[AgencyFamily, datetime | None]
    quarantine: dict[str, int]  # connector → open quarantined rows
    years: list[int]


async def overview(session: AsyncSession, agency_id: int | None, today: date) -> Overview:
    first_year = today.year - YEARS_SHOWN + 1
    year = func.extract("year", CreditRecord.decided_at)
    by_year = await session.execute(
        select(year, Agency.family, func.count())
        .join(Agency, Agency.id == CreditRecord.source_agency_id)
        .where(CreditRecord.decided_at >= date(first_year, 1, 1))
        .group_by(year, Agency.family)
    )
    by_category = await session.execute(
        select(CreditRecord.category, func.count()).group_by(CreditRecord.category)
    )
    verdicts = await session.execute(
        select(Check.verdict, func.count())
        .where(Check.agency_id == agency_id, Check.checked_at >= utcnow() - CHECKS_WINDOW)
        .group_by(Check.verdict)
    )
    quarantine = await session.execute(
        select(QuarantinedRow.connector, func.count())
        .where(QuarantinedRow.resolved_at.is_(None))
        .group_by(QuarantinedRow.connector)
    )
    return Overview(
        records_by_year={(int(y), AgencyFamily(f)): n for y, f, n in by_year},
        records_by_category={RecordCategory(c): n for c, n in by_category},
        verdicts={Verdict(v): n for v, n in verdicts},
        workflow=await workflow_counts(session, today, source_agency_id=agency_id),
        freshness=await coverage(session),
        quarantine={c: n for c, n in quarantine},
        years=list(range(first_year, today.year + 1)),
    )
