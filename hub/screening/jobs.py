"""Screening jobs: a list checked in the background, its progress and its results.
Services take a session; the caller commits (progress commits with each chunk's checks)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.base import utcnow
from hub.errors import NotFound
from hub.screening.models import ScreeningJob

RUNNING, DONE, FAILED = "RUNNING", "DONE", "FAILED"
# A chunk of 500 checks commits within a second or two; a job silent this long lost its
# process (a restart, a crash) and will not finish.
STALLED_AFTER = timedelta(minutes=2)


def new_job(
    *,
    user_id: int,
    agency_id: int,
    purpose: str,
    reference: str,
    source_name: str,
    show_pii: bool,
    total: int,
    problems: list[dict[str, Any]],
) -> ScreeningJob:
    now = utcnow()
    return ScreeningJob(
        id=str(uuid.uuid4()),
        user_id=user_id,
        agency_id=agency_id,
        purpose=purpose,
        reference=reference,
        source_name=source_name[:200],
        show_pii=show_pii,
        state=RUNNING,
        total=total,
        done=0,
        summary={"problems": problems},
        created_at=now,
        updated_at=now,
    )


async def advance(session: AsyncSession, job_id: str, done: int) -> None:
    await session.execute(
        update(ScreeningJob).where(ScreeningJob.id == job_id).values(done=done, updated_at=utcnow())
    )


async def finish(
    session: AsyncSession, job_id: str, summary: dict[str, Any], result: bytes
) -> None:
    now = utcnow()
    await session.execute(
        update(ScreeningJob)
        .where(ScreeningJob.id == job_id)
        .values(state=DONE, summary=summary, result=result, updated_at=now, finished_at=now)
    )


async def fail(session: AsyncSession, job_id: str, error: str) -> None:
    now = utcnow()
    await session.execute(
        update(ScreeningJob)
        .where(ScreeningJob.id == job_id)
        .values(state=FAILED, error=error, updated_at=now, finished_at=now)
    )


async def job_of(session: AsyncSession, job_id: str, user_id: int) -> ScreeningJob:
    """A job as its own user sees it; another user's job is not found."""
    job = await session.scalar(
        select(ScreeningJob).where(ScreeningJob.id == job_id, ScreeningJob.user_id == user_id)
    )
    if job is None:
        raise NotFound(f"no screening job {job_id}", field="job", zh="没有这个批量核查任务")
    return job


async def recent_jobs(session: AsyncSession, user_id: int, limit: int = 10) -> list[ScreeningJob]:
    rows = await session.scalars(
        select(ScreeningJob)
        .where(ScreeningJob.user_id == user_id)
        .order_by(ScreeningJob.created_at.desc())
        .limit(limit)
    )
    return list(rows)


def state_of(job: ScreeningJob, now: datetime) -> str:
    """RUNNING, DONE, FAILED, or STALLED for a running job whose process went away."""
    if job.state == RUNNING and now - job.updated_at > STALLED_AFTER:
        return "STALLED"
    return job.state
