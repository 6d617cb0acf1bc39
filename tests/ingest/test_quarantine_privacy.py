"""A quarantined row may name a person: it is kept whole but encrypted, listed with the subject
masked, and replayed from its decrypted content. Rows quarantined in clear before revision
0005 are encrypted by `hub quarantine seal`."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, text
from support import make_agency, make_id_number, run_cli

from connectors.court.samples import DEFAULTER_HEADERS
from hub.agencies.models import AgencyFamily
from hub.db.base import utcnow
from hub.ingest.models import IngestRun, QuarantinedRow
from hub.ingest.quarantine import Content, unsealed
from hub.ingest.service import seal_clear_rows
from hub.records.models import CreditRecord
from hub.subjects.identifiers import mask_id_number, mask_name, parse_id_number
from hub.subjects.service import NewPerson, ensure_persons

# P: listed with the number masked, unknown to the hub until later; F: a minor, refused by the
# mapping; G: an impossible date, refused once mapped (the record draft holds the number too).
P_ID = make_id_number(date(1971, 2, 3), region="361202", seq=861)
F_ID = make_id_number(date(2010, 5, 6), region="361202", seq=862)
G_ID = make_id_number(date(1968, 7, 8), region="361202", seq=863)
P, F, G = "端木隔离甲", "东方隔离乙", "南宫隔离丙"
P_MASKED = P_ID[:10] + "****" + P_ID[-4:]
P_REF = f"（2025）赣12执1号/{P_MASKED}"


def defaulter(case: int, id_number: str, name: str, age: str = "55", published: str = "") -> list:
    values = {
        "被执行人姓名/名称": name,
        "身份证号码/组织机构代码": id_number,
        "年龄": age,
        "执行法院": "江州市中级人民法院",
        "案号": f"（2025）赣12执{case}号",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "违反财产报告制度",
        "发布时间": published or "2025年03月01日",
    }
    return [values.get(header, "") for header in DEFAULTER_HEADERS]


def in_clear(value: object) -> list[str]:
    """The test persons' numbers and names found in a stored value, in any spelling."""
    secrets = [P_ID, F_ID, G_ID, P, F, G]
    spellings = {s: s for s in secrets}
    spellings |= {n[:17]: n for n in (P_ID, F_ID, G_ID)}
    spellings |= {name[1:]: name for name in (P, F, G)}
    spellings |= {json.dumps(s)[1:-1]: original for s, original in list(spellings.items())}
    if isinstance(value, bytes | memoryview):
        stored = bytes(value)
        return sorted({o for s, o in spellings.items() if s.encode() in stored})
    return sorted({o for s, o in spellings.items() if s.lower() in str(value).lower()})


async def stored_rows(db) -> list[dict[str, Any]]:
    async with db.engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM quarantined_rows ORDER BY id"))
        return [dict(row) for row in result.mappings()]


@pytest.fixture
async def quarantined(db, env, tmp_path) -> tuple[str, Any]:
    """`hub sync court` of a listing whose three rows are all quarantined; the agency's USCC
    and the file, to read it again."""
    async with db.sessions.begin() as session:
        court = await make_agency(
            session, name="江州市中级人民法院", seed=86, family=AgencyFamily.COURT
        )
    path = tmp_path / "失信名单.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(DEFAULTER_HEADERS)
        writer.writerow(defaulter(1, P_MASKED, P))
        writer.writerow(defaulter(2, F_ID, F, age="15"))
        writer.writerow(defaulter(3, G_ID, G, published="2025年13月01日"))
    synced = await run_cli(env, "sync", "court", "--agency", court.uscc, "--file", path)
    assert synced.exit_code == 0 and "SUCCEEDED" in synced.output, synced.output
    return court.uscc, path


async def test_reading_the_same_file_again_does_not_quarantine_its_rows_again(db, env, quarantined):
    uscc, path = quarantined
    for _ in range(3):
        again = await run_cli(env, "sync", "court", "--agency", uscc, "--file", path)
        assert again.exit_code == 0, again.output
    assert len(await stored_rows(db)) == 3
    assert "3 open row(s)" in (await run_cli(env, "quarantine", "list")).output


async def test_a_replay_that_fails_again_leaves_one_open_row(db, env, quarantined):
    replayed = await run_cli(env, "quarantine", "replay", "--run", 1)
    assert "0 accepted, 3 still quarantined" in replayed.output, replayed.output
    rows = await stored_rows(db)
    assert (len(rows), sum(row["resolved_at"] is None for row in rows)) == (6, 3)
    assert "3 open row(s)" in (await run_cli(env, "quarantine", "list")).output


async def test_no_column_of_a_quarantined_row_holds_an_id_number_or_a_name(db, quarantined):
    rows = await stored_rows(db)
    assert len(rows) == 3
    found = {
        f"row {row['id']} {column}: {who}"
        for row in rows
        for column, value in row.items()
        for who in in_clear(value)
    }
    assert not found, found


async def test_the_row_is_kept_whole_encrypted(db, pii, quarantined):
    async with db.sessions() as session:
        held = {row.location[-2:]: row for row in await session.scalars(select(QuarantinedRow))}
    minor = unsealed(pii, held[":3"])  # the header is line 1
    assert (minor.raw["被执行人姓名/名称"], minor.raw["身份证号码/组织机构代码"]) == (F, F_ID)
    assert minor.record is None  # the mapping refused it
    dated = unsealed(pii, held[":4"])
    assert dated.record is not None and dated.record["subject_id_number"] == G_ID


async def test_the_listing_shows_the_reference_and_the_subject_masked(env, quarantined):
    listed = await run_cli(env, "quarantine", "list")
    assert listed.exit_code == 0 and "3 open row(s)" in listed.output
    assert f"{mask_name(P)} {mask_id_number(P_MASKED)}" in listed.output
    assert f"{mask_name(G)} {mask_id_number(G_ID)}" in listed.output
    assert f"（2025）赣12执3号/{G_ID[:10]}****{G_ID[-4:]}" in listed.output  # as records show it
    assert in_clear(listed.output) == []
    assert "hub quarantine seal" not in listed.output  # nothing is in clear


async def test_a_row_replayed_once_the_person_is_known_goes_in(db, pii, env, quarantined):
    async with db.sessions.begin() as session:
        people = await ensure_persons(session, pii, [NewPerson(parse_id_number(P_ID), P)])
        [person] = people.values()
        held = await session.scalar(
            select(QuarantinedRow.id).where(QuarantinedRow.source_ref == P_REF)
        )
    replayed = await run_cli(env, "quarantine", "replay", held)
    assert replayed.exit_code == 0, replayed.output
    assert "1 accepted, 0 still quarantined" in replayed.output
    async with db.sessions() as session:
        record = await session.scalar(select(CreditRecord).where(CreditRecord.source_ref == P_REF))
    assert record is not None and record.person_id == person.id


# -- rows quarantined before revision 0005 -----------------------------------------------------

LEGACY_RAW = {
    "被执行人姓名/名称": P,
    "身份证号码/组织机构代码": P_MASKED,
    "案号": "（2024）赣12执9号",
}
LEGACY_RECORD = {
    "source_ref": f"（2024）赣12执9号/{P_MASKED}",
    "category": "JUDGMENT_DEFAULTER",
    "subject_name": P,
    "subject_id_number": P_MASKED,
    "decided_at": "2024-09-01",
    "summary": "违反财产报告制度",
}


async def legacy_rows(db) -> None:
    """Two rows as revision 0004 wrote them, in clear: one open, one resolved since."""
    async with db.sessions.begin() as session:
        court = await make_agency(session, seed=87, family=AgencyFamily.COURT)
        run = IngestRun(
            connector="court",
            stream="defaulters",
            agency_id=court.id,
            source="old.csv",
            status="SUCCEEDED",
            notes={},
        )
        session.add(run)
        await session.flush()
        for resolved in (None, utcnow()):
            session.add(
                QuarantinedRow(
                    run_id=run.id,
                    agency_id=court.id,
                    connector="court",
                    stream="defaulters",
                    location="old.csv:2",
                    clear_raw=LEGACY_RAW,
                    clear_record=LEGACY_RECORD,
                    field="subject_id_number",
                    reason="unresolved identity",
                    resolved_at=resolved,
                )
            )


async def test_rows_left_in_clear_are_named_until_the_seal_command_encrypts_them(db, env):
    await legacy_rows(db)
    before = await run_cli(env, "quarantine", "list")
    assert "2 row(s) quarantined before this version" in before.output
    assert "hub quarantine seal" in before.output

    sealed = await run_cli(env, "quarantine", "seal")
    assert sealed.exit_code == 0 and "2 quarantined row(s) encrypted" in sealed.output
    # The two are one row quarantined twice, one of them resolved since: nothing to close.
    assert "0 duplicate row(s) closed" in sealed.output
    rows = await stored_rows(db)
    assert [who for row in rows for value in row.values() for who in in_clear(value)] == []
    assert all(row["payload"] is not None for row in rows)

    after = await run_cli(env, "quarantine", "list")
    assert "hub quarantine seal" not in after.output
    assert f"{mask_name(P)} {mask_id_number(P_MASKED)}" in after.output
    again = await run_cli(env, "quarantine", "seal")
    assert "0 quarantined row(s) encrypted" in again.output


async def test_sealing_keeps_what_a_replay_needs(db, pii):
    await legacy_rows(db)
    async with db.sessions.begin() as session:
        assert await seal_clear_rows(session, pii) == 2
    async with db.sessions() as session:
        held = (await session.scalars(select(QuarantinedRow))).all()
    assert [unsealed(pii, row) for row in held] == [Content(LEGACY_RAW, LEGACY_RECORD)] * 2


async def test_sealing_closes_the_duplicates_earlier_reruns_left_open(db, pii, env):
    # Before revision 0006 a re-run quarantined the same row again: two open copies.
    await legacy_rows(db)
    async with db.sessions.begin() as session:
        await session.execute(text("UPDATE quarantined_rows SET resolved_at = NULL"))
    sealed = await run_cli(env, "quarantine", "seal")
    assert "1 duplicate row(s) closed" in sealed.output, sealed.output
    rows = await stored_rows(db)
    assert len(rows) == 2  # kept, not deleted
    assert [row["resolution"] for row in rows] == [None, "duplicate"]
    assert len({row["fingerprint"] for row in rows}) == 1
    assert "1 open row(s)" in (await run_cli(env, "quarantine", "list")).output
