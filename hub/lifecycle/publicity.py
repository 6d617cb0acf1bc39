"""What a 信用网站 may publish (公示): government bodies' 失信信息 within their publicity
window. Never persons, never a record repaired, withdrawn or past its window; a record leaves
the list the day its window ends, whether or not `hub lifecycle run` has noted it yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.checks.facts import facts_of
from hub.checks.rules import RuleSet
from hub.checks.rules_periods import measure_last_day
from hub.db.cursors import decode_cursor, encode_cursor
from hub.db.paging import MAX_PAGE
from hub.errors import InvalidInput
from hub.lifecycle.service import PUBLISHED_CATEGORIES
from hub.records.enums import RecordCategory, RecordStatus, SubjectType
from hub.records.models import CreditRecord
from hub.subjects.models import Organization

# GB 32100-2015: a 统一社会信用代码 beginning with 1 was given by the 机构编制 authority (党政机关,
# 事业单位) — the government bodies whose 政务失信 is published.
GOVERNMENT_BODY_PREFIX = "1"


@dataclass(frozen=True)
class Published:
    record: CreditRecord
    last_day: date | None  # the last day of publicity; None: until the source ends it


@dataclass(frozen=True)
class PublicPage:
    items: list[Published]
    has_next_page: bool

    @staticmethod
    def cursor(item: Published) -> str:
        return encode_cursor("public", item.record.id)


async def public_records(
    session: AsyncSession,
    ruleset: RuleSet,
    today: date,
    *,
    category: RecordCategory | None = None,
    first: int,
    after: str | None,
) -> PublicPage:
    """The window is computed per record (the same function the checks use), so candidates
    are read in batches until the page is full."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    last_id = decode_cursor("public", after) if after else 0
    found: list[Published] = []
    while len(found) <= first:
        batch = list(await session.scalars(_candidates(today, category, last_id, first * 2)))
        for record in batch:
            last = measure_last_day(facts_of(record), ruleset.publicity, ruleset.listing)
            if last is None or today <= last:
                found.append(Published(record, last))
        if len(batch) < first * 2:
            break
        last_id = batch[-1].id
    return PublicPage(found[:first], has_next_page=len(found) > first)


def _candidates(
    today: date, category: RecordCategory | None, after_id: int, limit: int
) -> Select[Any]:
    categories = [category] if category else list(PUBLISHED_CATEGORIES)
    return (
        select(CreditRecord)
        .join(Organization, CreditRecord.organization_id == Organization.id)
        .where(
            CreditRecord.subject_type == SubjectType.ORGANIZATION,
            Organization.uscc.startswith(GOVERNMENT_BODY_PREFIX),
            CreditRecord.category.in_(categories),
            CreditRecord.status == RecordStatus.ACTIVE,
            CreditRecord.repaired_on.is_(None),
            CreditRecord.decided_at <= today,
            or_(CreditRecord.publicity_ended_on.is_(None), CreditRecord.publicity_ended_on > today),
            or_(CreditRecord.effective_until.is_(None), CreditRecord.effective_until >= today),
            CreditRecord.id > after_id,
        )
        .order_by(CreditRecord.id)
        .limit(limit)
    )
