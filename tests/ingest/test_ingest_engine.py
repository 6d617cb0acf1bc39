"""The ingest engine with a small in-test connector (a real implementation of the connector
interface over a list): chunks, cursors, idempotency, quarantine, identities, crashes."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from support import make_agency, make_id_number, make_uscc

from connectors.base import Checkpoint, ConfigError, Row, Stream, TransientError
from hub.feed.models import FeedHead
from hub.ingest.engine import RetryPolicy, Source, run_ingest
from hub.ingest.models import IngestCursor, IngestRun, QuarantinedRow
from hub.ingest.quarantine import unsealed
from hub.ingest.reader import ReaderGone
from hub.ingest.service import open_quarantine, replay
from hub.records.models import CreditRecord, RecordEvent
from hub.subjects.models import Person

STREAM = Stream("decisions", key_fields=("source_ref",))


@dataclass(frozen=True)
class ListConfig:
    rows: tuple[Mapping[str, Any], ...]
    checkpoint_every: int = 3
    fail_after: int | None = None  # raise after yielding this many rows (a dying source)
    # The first N reads fail with TransientError after `fail_after` rows (a share that went
    # away for a moment), the later ones run through.
    flaky_reads: int = 0
    # How a read without flaky_reads fails after `fail_after` rows: "raise" (RuntimeError),
    # "unpicklable" (an error that cannot cross to the hub's process as it is), "exit" (the
    # reader's process dies).
    fail_by: str = "raise"


class Unpicklable(Exception):
    """Carries a lambda, which pickle cannot send."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.callback = lambda: None


# Where each ListConnector notes its reads: they run in the reader's process
# (hub.ingest.reader), so a list on the instance would stay there. Made when the first
# connector is: each reader process imports this module too (to unpickle the connector) and
# ends without running finalizers, so a directory made at import was left behind by each.
_JOURNALS: list[tempfile.TemporaryDirectory[str]] = []


def _new_journal() -> Path:
    if not _JOURNALS:
        _JOURNALS.append(tempfile.TemporaryDirectory(prefix="hub-test-reads-"))
    handle, name = tempfile.mkstemp(dir=_JOURNALS[0].name)
    os.close(handle)
    return Path(name)


@dataclass
class ListConnector:
    name: str = "listed"
    journal: Path = field(default_factory=_new_journal)

    @property
    def reads(self) -> list[dict[str, Any]]:
        """The cursor state each read started from, in order."""
        return [json.loads(line) for line in self.journal.read_text().splitlines()]

    def spec(self) -> type[ListConfig]:
        return ListConfig

    def check(self, config: ListConfig) -> None:
        if not config.rows:
            raise ConfigError("nothing to read")

    def discover(self, config: ListConfig) -> list[Stream]:
        return [STREAM]

    def read(
        self, config: ListConfig, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]:
        with self.journal.open("a") as journal:
            journal.write(json.dumps(dict(state)) + "\n")
        # Like a file's identity: a cursor for another list means start from the top. A
        # digest, not hash(): each read runs in a reader process of its own, and str hashes
        # are salted per interpreter.
        identity = hashlib.sha256(repr(config.rows).encode()).hexdigest()
        offset = int(state.get("offset", 0)) if state.get("list") == identity else 0
        for number, record in enumerate(config.rows[offset:], start=offset + 1):
            if config.fail_after is not None and number > config.fail_after:
                if len(self.reads) <= config.flaky_reads:
                    raise TransientError("the share went away", operator_detail="ENOENT")
                if not config.flaky_reads:
                    _fail(config.fail_by)
            yield Row(stream.name, dict(record), f"list:{number}", record=record)
            if number % config.checkpoint_every == 0:
                yield Checkpoint(
                    stream.name, {"list": identity, "offset": number}, {"encoding": "UTF-8"}
                )
        yield Checkpoint(stream.name, {"list": identity, "offset": len(config.rows)})


def _fail(how: str) -> None:
    if how == "exit":
        os._exit(3)
    if how == "unpicklable":
        raise Unpicklable("the driver lost its handle")
    raise RuntimeError("the source died")


def sanction(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "source_ref": f"江监政处〔2025〕{i}号",
        "category": "政务处分",
        "sanction_kind": "记过",
        "severity": "一般",
        "subject_id_number": make_id_number(seq=500 + i),
        "subject_name": f"冯{i}",
        "decided_at": f"2025年{1 + i % 12}月{1 + i % 28}日",
        "summary": "违反工作纪律",
        **extra,
    }


async def ingest(db, pii, agency_id, config, connector=None):
    source = Source(connector or ListConnector(), config, agency_id, "test-list")
    return await run_ingest(db.sessions, pii, source, STREAM)


async def snapshot(db) -> list[tuple[Any, ...]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(
                CreditRecord.source_ref,
                CreditRecord.version,
                CreditRecord.status,
                CreditRecord.decided_at,
            ).order_by(CreditRecord.source_ref)
        )
        events = await session.scalar(select(func.count()).select_from(RecordEvent))
        quarantined = await session.scalar(select(func.count()).select_from(QuarantinedRow))
    return [*rows.all(), ("events", events), ("quarantined", quarantined)]


async def agency(db, seed=81):
    async with db.sessions.begin() as session:
        return (await make_agency(session, name="江州市监察委员会", seed=seed)).id


async def test_a_clean_run_records_counts_notes_and_the_cursor(db, pii):
    agency_id = await agency(db)
    summary = await ingest(db, pii, agency_id, ListConfig(tuple(sanction(i) for i in range(7))))
    assert (summary.status, summary.rows_read, summary.inserted, summary.quarantined) == (
        "SUCCEEDED",
        7,
        7,
        0,
    )
    assert summary.notes == {"encoding": "UTF-8"}
    async with db.sessions() as session:
        run = await session.get(IngestRun, summary.run_id)
        assert (run.status, run.inserted, run.finished_at is not None) == ("SUCCEEDED", 7, True)
        cursor = await session.scalar(select(IngestCursor))
        assert cursor.state["offset"] == 7


async def test_a_run_leaves_its_events_positioned_in_the_order_its_chunks_committed(db, pii):
    """Each chunk positions its own feed events as it commits (hub.feed.sequencer): when
    the run ends they are in the feed, with no sequencer round, and in chunk order."""
    agency_id = await agency(db)
    rows = [sanction(i) for i in range(7)]
    await ingest(db, pii, agency_id, ListConfig(tuple(rows)))
    rows[4] = {**rows[4], "summary": "违反工作纪律，情节较重"}  # one record changes
    await ingest(db, pii, agency_id, ListConfig(tuple(rows)))
    async with db.sessions() as session:
        events = (
            await session.execute(
                select(RecordEvent.position, RecordEvent.kind, CreditRecord.source_ref)
                .join(CreditRecord, CreditRecord.id == RecordEvent.record_id)
                .order_by(RecordEvent.id)
            )
        ).all()
        head = await session.scalar(select(FeedHead.last_position))
    assert [position for position, _, _ in events] == list(range(1, 9))
    assert head == 8
    assert [ref for _, _, ref in events] == [r["source_ref"] for r in rows] + [
        rows[4]["source_ref"]
    ]
    assert [kind for _, kind, _ in events] == ["CREATED"] * 7 + ["UPDATED"]


async def test_running_again_changes_nothing(db, pii):
    agency_id = await agency(db)
    config = ListConfig(tuple(sanction(i) for i in range(5)))
    await ingest(db, pii, agency_id, config)
    before = await snapshot(db)
    async with db.sessions.begin() as session:
        await session.execute(IngestCursor.__table__.delete())  # forget the cursor: re-read all
    second = await ingest(db, pii, agency_id, config)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    assert await snapshot(db) == before


async def test_a_row_repeated_in_one_file_is_upserted_once(db, pii):
    agency_id = await agency(db)
    rows = (sanction(1), sanction(2), sanction(1))
    summary = await ingest(db, pii, agency_id, ListConfig(rows, checkpoint_every=10))
    assert (summary.inserted, summary.unchanged, summary.quarantined) == (2, 1, 0)


async def test_bad_rows_are_quarantined_with_location_field_and_reason(db, pii):
    agency_id = await agency(db)
    rows = (
        sanction(1),
        sanction(2, decided_at="2025年13月1日"),
        sanction(3, sanction_kind="罚站"),
        sanction(4, subject_id_number="110105194912310021"),
        sanction(5),
    )
    summary = await ingest(db, pii, agency_id, ListConfig(rows))
    assert (summary.inserted, summary.quarantined) == (2, 3)
    async with db.sessions() as session:
        held = {
            q.location: (q.field, q.reason, unsealed(pii, q).raw["source_ref"])
            for q in await open_quarantine(session)
        }
    assert held["list:2"][0] == "decided_at" and "impossible date" in held["list:2"][1]
    assert held["list:3"][0] == "sanction_kind" and "罚站" in held["list:3"][1]
    assert held["list:4"][0] == "subject.idNumber"
    assert held["list:4"][2] == "江监政处〔2025〕4号"


async def test_a_crash_resumes_from_the_last_committed_chunk_with_nothing_lost_or_doubled(db, pii):
    agency_id = await agency(db)
    rows = tuple(sanction(i, **({"decided_at": "bad"} if i == 2 else {})) for i in range(10))
    with pytest.raises(RuntimeError):
        await ingest(db, pii, agency_id, ListConfig(rows, fail_after=7))
    connector = ListConnector()
    resumed = await ingest(db, pii, agency_id, ListConfig(rows), connector)
    # Resumed from the last checkpoint the crashed run committed.
    assert [r["offset"] for r in connector.reads] == [6]
    assert resumed.status == "SUCCEEDED"
    crashed_then_resumed = await snapshot(db)

    async with db.sessions.begin() as session:
        for table in (QuarantinedRow, IngestCursor, RecordEvent, CreditRecord, IngestRun):
            await session.execute(table.__table__.delete())
    await ingest(db, pii, agency_id, ListConfig(rows))
    assert crashed_then_resumed == await snapshot(db)
    async with db.sessions() as session:
        statuses = (await session.scalars(select(IngestRun.status).order_by(IngestRun.id))).all()
    assert statuses == ["SUCCEEDED"]


async def test_a_reader_process_that_dies_fails_the_run_and_keeps_what_was_committed(db, pii):
    """The source is read in a process of its own (hub.ingest.reader); should it die, the run
    says so and the chunks committed before stand, with their cursor."""
    agency_id = await agency(db)
    rows = tuple(sanction(i) for i in range(10))
    with pytest.raises(ReaderGone, match="exit code 3"):
        await ingest(db, pii, agency_id, ListConfig(rows, fail_after=7, fail_by="exit"))
    async with db.sessions() as session:
        run = (await session.scalars(select(IngestRun))).one()
        cursor = (await session.scalars(select(IngestCursor))).one()
        stored = await session.scalar(select(func.count()).select_from(CreditRecord))
    assert (run.status, run.error) == ("FAILED", "unexpected ReaderGone")
    assert cursor.state["offset"] == 6 and stored == 6
    connector = ListConnector()
    resumed = await ingest(db, pii, agency_id, ListConfig(rows), connector)
    assert [r["offset"] for r in connector.reads] == [6]
    assert (resumed.status, resumed.inserted) == ("SUCCEEDED", 4)


async def test_an_error_that_cannot_cross_processes_still_names_its_kind(db, pii):
    agency_id = await agency(db)
    rows = tuple(sanction(i) for i in range(5))
    config = ListConfig(rows, fail_after=4, fail_by="unpicklable")
    with pytest.raises(RuntimeError, match=r"^Unpicklable: the driver lost its handle$"):
        await ingest(db, pii, agency_id, config)
    async with db.sessions() as session:
        run = (await session.scalars(select(IngestRun))).one()
    assert (run.status, run.rows_read) == ("FAILED", 3)


async def test_an_interrupted_run_is_marked_failed_by_the_next_one(db, pii):
    agency_id = await agency(db)
    async with db.sessions.begin() as session:
        session.add(
            IngestRun(
                connector="listed",
                stream="decisions",
                agency_id=agency_id,
                source="x",
                status="RUNNING",
                notes={},
            )
        )
    await ingest(db, pii, agency_id, ListConfig((sanction(1),)))
    async with db.sessions() as session:
        runs = (
            await session.execute(select(IngestRun.status, IngestRun.error).order_by(IngestRun.id))
        ).all()
    assert runs[0][0] == "FAILED" and "interrupted" in runs[0][1]
    assert runs[1][0] == "SUCCEEDED"


async def test_a_config_error_fails_the_run_and_changes_nothing(db, pii):
    agency_id = await agency(db)
    summary = await ingest(db, pii, agency_id, ListConfig(()))
    assert summary.status == "FAILED" and "nothing to read" in summary.error
    assert await snapshot(db) == [("events", 0), ("quarantined", 0)]


async def test_a_masked_id_number_is_attached_only_to_the_one_person_it_fits(db, pii):
    agency_id = await agency(db)
    known = make_id_number(seq=601)
    await ingest(
        db, pii, agency_id, ListConfig((sanction(1, subject_id_number=known, subject_name="韩梅"),))
    )
    masked = known[:10] + "****" + known[-4:]
    listing = {
        "source_ref": "（2026）赣1202执9号",
        "category": "失信被执行人",
        "severity": "一般",
        "subject_name": "韩梅",
        "subject_id_number": masked,
        "decided_at": "20260105",
        "summary": "拒不履行",
    }
    stranger = {**listing, "source_ref": "（2026）赣1202执10号", "subject_name": "韩雪"}
    summary = await ingest(db, pii, agency_id, ListConfig((listing, stranger)))
    assert (summary.inserted, summary.quarantined) == (1, 1)
    async with db.sessions() as session:
        [held] = await open_quarantine(session)
        person = await session.scalar(
            select(Person).where(Person.id_hash == pii.lookup_hash(known))
        )
        listed = await session.scalar(
            select(CreditRecord).where(CreditRecord.source_ref == "（2026）赣1202执9号")
        )
    assert held.field == "subject_id_number" and "unresolved identity" in held.reason
    assert listed.person_id == person.id


async def test_replay_accepts_a_row_once_the_reference_data_is_there(db, pii):
    agency_id = await agency(db)
    masked_row = {
        "source_ref": "（2026）赣1202执11号",
        "category": "JUDGMENT_DEFAULTER",
        "severity": "GENERAL",
        "subject_name": "秦岚",
        "subject_id_number": make_id_number(seq=603)[:10] + "****" + make_id_number(seq=603)[-4:],
        "decided_at": "2026-01-05",
        "summary": "拒不履行",
    }
    first = await ingest(db, pii, agency_id, ListConfig((masked_row,)))
    assert first.quarantined == 1
    # The HR roster arrives later: now the person is known.
    await ingest(
        db,
        pii,
        agency_id,
        ListConfig((sanction(9, subject_id_number=make_id_number(seq=603), subject_name="秦岚"),)),
    )
    async with db.sessions.begin() as session:
        held = await open_quarantine(session)
        [result] = await replay(session, pii, held, date(2026, 11, 1))
    assert (result.replayed, result.accepted, result.still_quarantined) == (1, 1, 0)
    async with db.sessions() as session:
        assert await open_quarantine(session) == []
        assert await session.scalar(select(func.count()).select_from(CreditRecord)) == 2


async def test_a_nine_character_organization_code_finds_the_body(db, pii):
    agency_id = await agency(db)
    uscc = make_uscc(seed=91)
    named = {
        "source_ref": "R-1",
        "category": "拖欠账款",
        "severity": "一般",
        "subject_uscc": uscc,
        "subject_name": "江州市某局",
        "decided_at": "2026-03-01",
        "summary": "拖欠货款",
    }
    by_code = {
        **named,
        "source_ref": "R-2",
        "subject_uscc": f"{uscc[8:16]}-{uscc[16]}",
        "subject_name": None,
    }
    summary = await ingest(db, pii, agency_id, ListConfig((named, by_code), checkpoint_every=1))
    assert (summary.inserted, summary.quarantined) == (2, 0)


# --- the runner acts on the kinds of error a connector raises --------------------------------


class Waits:
    """Records the waits instead of sleeping them (the test stays fast; the policy is real)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


async def test_a_transient_failure_is_read_again_from_the_committed_cursor(db, pii, caplog):
    agency_id = await agency(db)
    rows = tuple(sanction(i) for i in range(7))
    connector, waits = ListConnector(), Waits()
    flaky = ListConfig(rows, fail_after=4, flaky_reads=2)
    source = Source(connector, flaky, agency_id, "test-list")
    policy = RetryPolicy(attempts=3, first_wait=0.5)
    summary = await run_ingest(db.sessions, pii, source, STREAM, retry=policy, sleep=waits)
    assert (summary.status, summary.inserted, summary.notes["retries"]) == ("SUCCEEDED", 7, "2")
    # Rows 1–3 were committed with their cursor; each retry read from offset 3.
    assert [read.get("offset", 0) for read in connector.reads] == [0, 3, 3]
    # The first failure came after progress (count 1), the second without (count 2).
    assert waits.seconds == [0.5, 1.0]
    assert "ENOENT" in caplog.text and "TransientError" in caplog.text
    clean = await snapshot(db)
    assert ("events", 7) in clean and ("quarantined", 0) in clean


async def test_a_source_that_stays_away_fails_the_run_after_the_retries(db, pii):
    agency_id = await agency(db)
    rows = tuple(sanction(i) for i in range(7))
    waits = Waits()
    always = ListConfig(rows, fail_after=4, flaky_reads=99)
    source = Source(ListConnector(), always, agency_id, "test-list")
    summary = await run_ingest(
        db.sessions, pii, source, STREAM, retry=RetryPolicy(attempts=2), sleep=waits
    )
    assert summary.status == "FAILED"
    assert summary.error == "TransientError: the share went away"
    assert len(waits.seconds) == 2 and summary.inserted == 3


async def test_a_config_error_stops_the_run_without_retrying(db, pii):
    agency_id = await agency(db)
    connector, waits = ListConnector(), Waits()
    source = Source(connector, ListConfig(()), agency_id, "test-list")
    summary = await run_ingest(db.sessions, pii, source, STREAM, sleep=waits)
    assert (summary.status, summary.error) == ("FAILED", "ConfigError: nothing to read")
    assert waits.seconds == [] and connector.reads == []
