"""checks(inputs): a screening list answered in order, errors in place, with a bounded
number of SQL statements, and the same answers as one check at a time."""

from __future__ import annotations

from factories import CHECK, CHECKS, record, submit, token_for
from sqlalchemy import event, select
from support import gql, make_id_number

from hub.audit.chain import chain_key
from hub.audit.models import AuditEvent
from hub.audit.service import verify_chain
from hub.checks.models import Check

KINDS = ["WARNING", "DEMERIT", "MAJOR_DEMERIT", "DEMOTION", "EXPULSION"]


async def seed(http, db, people=10):
    rows = [
        record(
            f"江监政处〔2025〕{i}号",
            {"idNumber": make_id_number(seq=200 + i), "name": f"周{i}"},
            kind=KINDS[i % len(KINDS)],
            severity="GENERAL",
            decided=f"2025-{1 + i % 12:02d}-15",
        )
        for i in range(people)
    ]
    assert (await submit(http, db, rows, agency_seed=51))["inserted"] == people
    return await token_for(http, db, "check:award check:hiring", agency_seed=52)


def inputs(count, purpose="AWARD"):
    return [
        {
            "purpose": purpose,
            "subject": {"idNumber": make_id_number(seq=200 + i % 500)},
            "reference": "2026年度评优评先第1批",
            "asOf": "2026-03-01",
        }
        for i in range(count)
    ]


def said(answer):
    """What an answer concludes: the verdict, and each rule with its outcome and end."""
    findings = [(f["rule"]["id"], f["outcome"], f["restrictsUntil"]) for f in answer["findings"]]
    return answer["verdict"], findings


async def test_answers_come_in_order_with_errors_in_place(http, db):
    token = await seed(http, db)
    batch = inputs(3)
    batch[1] = {**batch[1], "subject": {"idNumber": "110105194912310021"}}
    body = (await gql(http, token, CHECKS, {"i": batch})).json()
    answers = body["data"]["checks"]
    assert answers[1] is None and answers[0] is not None and answers[2] is not None
    [error] = body["errors"]
    assert error["path"] == ["checks", 1]
    assert error["extensions"] == {
        "code": "INVALID_IDENTIFIER",
        "field": "inputs.1.subject.idNumber",
    }


async def test_a_purpose_without_its_scope_fails_only_those_inputs(http, db):
    token = await seed(http, db)
    batch = inputs(2)
    batch[0] = {**batch[0], "purpose": "TRANSFER"}
    body = (await gql(http, token, CHECKS, {"i": batch})).json()
    assert body["data"]["checks"][0] is None and body["data"]["checks"][1]["verdict"]
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_batch_answer_equals_the_single_answers(http, db):
    token = await seed(http, db)
    for purpose in ("AWARD", "HIRING"):
        batch = inputs(12, purpose)
        together = (await gql(http, token, CHECKS, {"i": batch})).json()["data"]["checks"]
        one_by_one = [
            (await gql(http, token, CHECK, {"i": item})).json()["data"]["check"] for item in batch
        ]
        assert [said(a) for a in together] == [said(a) for a in one_by_one]
    assert {a["verdict"] for a in together} >= {"CLEAR", "RESTRICTED"}


async def test_a_large_batch_uses_a_bounded_number_of_statements(http, db, app):
    token = await seed(http, db)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(app.runtime.engine.sync_engine, "before_cursor_execute", count)
    try:
        small = (await gql(http, token, CHECKS, {"i": inputs(10)})).json()
        small_count = len(statements)
        statements.clear()
        large = (await gql(http, token, CHECKS, {"i": inputs(2000)})).json()
        large_count = len(statements)
    finally:
        event.remove(app.runtime.engine.sync_engine, "before_cursor_execute", count)
    assert len(small["data"]["checks"]) == 10 and len(large["data"]["checks"]) == 2000
    # 200x the inputs: a few more chunked lookups and insert batches, never one per input.
    assert large_count <= small_count + 12, (small_count, large_count)


async def test_coverage_names_each_source_family_and_when_it_last_delivered(http, db):
    token = await seed(http, db)
    [answer] = (await gql(http, token, CHECKS, {"i": inputs(1)})).json()["data"]["checks"]
    coverage = {c["family"]: c["lastSyncAt"] for c in answer["coverage"]}
    assert set(coverage) == {"DISCIPLINE", "COURT", "HR", "FINANCE"}
    assert coverage["DISCIPLINE"] is not None
    assert coverage["COURT"] is None


async def test_a_large_batch_stores_every_check_and_its_audit_entry_in_the_chain(
    http, db, app, keys
):
    # 2,000 rows of each: PostgreSQL streams them (hub.db.bulk's COPY), SQLite inserts them.
    token = await seed(http, db)
    answers = (await gql(http, token, CHECKS, {"i": inputs(2000)})).json()["data"]["checks"]
    await app.runtime.sealer.seal_all()
    async with db.sessions() as session:
        stored = set(await session.scalars(select(Check.id)))
        audited = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.operation == "check"))
        )
        report = await verify_chain(session, chain_key(keys.pii.hmac_key))
    assert {a["id"] for a in answers} <= stored and len(answers) == 2000
    assert sorted(e.result.rsplit(" ", 1)[1] for e in audited) == sorted(a["id"] for a in answers)
    assert report.intact
