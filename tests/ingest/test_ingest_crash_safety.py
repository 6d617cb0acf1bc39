"""Nothing lost, nothing doubled: `hub sync court` killed with SIGKILL at several points and
run again leaves exactly the database one clean run leaves."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from processes import kill_when
from sqlalchemy import func, select
from support import make_agency, make_id_number

from connectors.court.samples import write_defaulters
from hub.agencies.models import AgencyFamily
from hub.ingest.models import IngestCursor, IngestRun, QuarantinedRow
from hub.records.models import CreditRecord, RecordEvent
from hub.subjects.models import Organization, Person

ROWS = 4000
EVERY = 100


def start_sync(env: dict[str, str], agency: str, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from hub.cli import main; main()",
            "sync",
            "court",
            "--agency",
            agency,
            "--file",
            str(path),
            "--checkpoint-every",
            str(EVERY),
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def finish(env, agency: str, path: Path) -> None:
    process = start_sync(env, agency, path)
    _, stderr = await asyncio.to_thread(process.communicate, timeout=300)
    assert process.returncode == 0, stderr.decode()[-2000:]


async def snapshot(db):
    async with db.sessions() as session:
        records = (
            await session.execute(
                # Subjects by their natural keys: row ids and uids differ between two loads.
                select(
                    CreditRecord.source_ref,
                    CreditRecord.version,
                    CreditRecord.status,
                    CreditRecord.decided_at,
                    CreditRecord.effective_until,
                    CreditRecord.summary,
                    CreditRecord.detail,
                    Person.id_hash,
                    Organization.uscc,
                )
                .outerjoin(Person, CreditRecord.person_id == Person.id)
                .outerjoin(Organization, CreditRecord.organization_id == Organization.id)
                .order_by(CreditRecord.source_ref)
            )
        ).all()
        events = (
            await session.execute(
                select(CreditRecord.source_ref, RecordEvent.version, RecordEvent.kind)
                .join(RecordEvent, RecordEvent.record_id == CreditRecord.id)
                .order_by(CreditRecord.source_ref, RecordEvent.version)
            )
        ).all()
        quarantine = (
            await session.execute(
                # The encrypted payload differs by its nonce; what it holds is tested elsewhere.
                select(
                    QuarantinedRow.location,
                    QuarantinedRow.source_ref,
                    QuarantinedRow.subject,
                    QuarantinedRow.field,
                    QuarantinedRow.reason,
                ).order_by(QuarantinedRow.location)
            )
        ).all()
        people = await session.scalar(select(func.count()).select_from(Person))
        bodies = await session.scalar(select(func.count()).select_from(Organization))
        cursor = await session.scalar(select(IngestCursor.state))
    return records, events, quarantine, people, bodies, cursor


async def wipe(db) -> None:
    async with db.sessions.begin() as session:
        for table in (
            QuarantinedRow,
            IngestCursor,
            RecordEvent,
            CreditRecord,
            IngestRun,
            Person,
            Organization,
        ):
            await session.execute(table.__table__.delete())


async def test_killing_the_sync_at_any_point_and_rerunning_equals_one_clean_run(db, env, tmp_path):
    async with db.sessions.begin() as session:
        court = await make_agency(
            session, name="江州市中级人民法院", seed=95, family=AgencyFamily.COURT
        )
    persons = [
        (f"测试人{i}", make_id_number(seq=100 + i % 800, region="361203")) for i in range(800)
    ]
    path = tmp_path / "defaulters.csv"
    write_defaulters(
        path,
        ROWS,
        format="csv",
        encoding="gbk",
        persons=persons,
        mask=False,
        organization_share=0.2,
        performed_share=0.1,
    )
    with path.open("a", encoding="gbk") as handle:  # a bad row in the middle of nothing
        handle.write("\n")

    await finish(env, court.uscc, path)
    clean = await snapshot(db)
    assert len(clean[0]) > ROWS * 0.8
    await wipe(db)

    for stop_at in (0, 7 * EVERY + 1, ROWS // 2, ROWS - EVERY):
        process = start_sync(env, court.uscc, path)
        await kill_when(db, process, stop_at)
    await finish(env, court.uscc, path)
    after = await snapshot(db)
    for part, (want, got) in enumerate(zip(clean, after, strict=True)):
        if want != got and isinstance(want, list):
            extra = [g for g in got if g not in want][:2]
            missing = [w for w in want if w not in got][:2]
            raise AssertionError(
                f"part {part}: {len(want)} vs {len(got)}; extra {extra}; missing {missing}"
            )
    assert after == clean
    async with db.sessions() as session:
        statuses = (await session.scalars(select(IngestRun.status).order_by(IngestRun.id))).all()
    assert statuses[-1] == "SUCCEEDED"
    assert "FAILED" in statuses  # the killed runs were marked interrupted


def descendants(pid: int) -> set[int]:
    """The processes started under `pid` (its reader, the fork server it comes from)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = set(), [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for whoever reaps orphans here)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


async def test_a_killed_sync_leaves_no_reader_process_behind(db, env, tmp_path):
    """The source is read in a child process (hub.ingest.reader): when `hub sync` is killed
    outright, its reader and the fork server end on their own."""
    async with db.sessions.begin() as session:
        court = await make_agency(
            session, name="江州市中级人民法院", seed=96, family=AgencyFamily.COURT
        )
    path = write_defaulters(tmp_path / "defaulters.csv", ROWS, format="csv", mask=False)
    process = start_sync(env, court.uscc, path)
    helpers: set[int] = set()
    started = time.monotonic()
    while len(helpers) < 2 and time.monotonic() - started < 60:
        assert process.poll() is None, process.stderr.read().decode()[-500:]
        helpers = descendants(process.pid)
        await asyncio.sleep(0.05)
    assert len(helpers) >= 2, "no reader process appeared"
    await kill_when(db, process, EVERY)
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not [pid for pid in helpers if running(pid)]
