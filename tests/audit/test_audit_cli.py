"""`hub audit verify` walks the chain and names the first row changed, deleted or inserted by
hand (raw SQL, as someone with database access would); `hub audit prune` keeps the rest
verifiable. The CLI's own checks are audited too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from support import make_id_number, run_cli

from hub.audit.chain import AccessEntry, chain_key
from hub.audit.models import AuditEvent
from hub.audit.sealing import seal_batch
from hub.audit.service import Caller, note, open_trail
from hub.db.base import utcnow

SUBJECT = "f" * 64


async def seal_rows(db, keys, count, *, age_days=0):
    at = utcnow() - timedelta(days=age_days)
    async with db.sessions.begin() as session:
        open_trail(session, Caller("c_1", None, "r-1"))
        note(
            session,
            (
                AccessEntry("person", "PERSON", SUBJECT, "HIRING", f"ref-{i}", "found", at)
                for i in range(count)
            ),
        )
    async with db.sessions.begin() as session:
        assert await seal_batch(session, chain_key(keys.pii.hmac_key)) == count


async def raw(db, statement, **params):
    async with db.engine.begin() as connection:
        await connection.execute(text(statement), params)


async def test_verify_reports_an_intact_chain_with_its_head(db, env, keys):
    await seal_rows(db, keys, 5)
    result = await run_cli(env, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 5 rows, seq 1–5" in result.output
    assert "head: seq 5 hash " in result.output


async def test_verify_names_a_row_changed_through_raw_sql(db, env, keys):
    await seal_rows(db, keys, 5)
    await raw(db, "UPDATE audit_events SET purpose = 'AWARD' WHERE seq = 3")
    result = await run_cli(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at row 3: CHANGED" in result.output
    assert "rows verified before the fault: 2" in result.output


async def test_verify_names_a_row_deleted_through_raw_sql(db, env, keys):
    await seal_rows(db, keys, 5)
    await raw(db, "DELETE FROM audit_events WHERE seq = 2")
    result = await run_cli(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at row 2: DELETED" in result.output


async def test_verify_names_a_row_inserted_through_raw_sql(db, env, keys):
    await seal_rows(db, keys, 5)
    # A forger copies a real row, links it to the last one and gives it the next number.
    await raw(
        db,
        "INSERT INTO audit_events (seq, at, request_id, client_id, agency_id, operation, "
        "subject_type, subject_key, purpose, reference, result, prev_hash, hash) "
        "SELECT 6, at, request_id, client_id, agency_id, operation, subject_type, subject_key, "
        "purpose, reference, result, hash, hash FROM audit_events WHERE seq = 5",
    )
    result = await run_cli(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at row 6: INSERTED" in result.output


async def test_a_cli_check_is_audited_as_the_operator(db, env):
    from hub.checks.models import Check

    result = await run_cli(
        env,
        "check",
        "--purpose",
        "HIRING",
        "--id-number",
        make_id_number(seq=301),
        "--reference",
        "江组招-3",
    )
    assert result.exit_code == 0, result.output
    async with db.sessions() as session:
        [row] = list(await session.scalars(select(AuditEvent)))
        check = await session.scalar(select(Check))
    assert (row.client_id, row.operation, row.reference) == (None, "check", "江组招-3")
    assert row.request_id.startswith("cli-") and row.subject_key == check.subject_key
    assert (await run_cli(env, "audit", "verify")).exit_code == 0


async def test_prune_removes_rows_past_the_retention_and_the_rest_still_verifies(db, env, keys):
    await seal_rows(db, keys, 3, age_days=4 * 365)
    await seal_rows(db, keys, 2)
    dry = await run_cli(env, "audit", "prune", "--dry-run")
    assert dry.exit_code == 0 and "would remove 3 audit rows" in dry.output
    pruned = await run_cli(env, "audit", "prune")
    assert pruned.exit_code == 0 and "removed 3 audit rows" in pruned.output
    assert "retention 1096 days" in pruned.output
    async with db.sessions() as session:
        assert list(await session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq))) == [
            4,
            5,
        ]
    verified = await run_cli(env, "audit", "verify")
    assert verified.exit_code == 0 and "2 rows, seq 4–5" in verified.output
    # Rows younger than the retention are never removed.
    assert "removed 0 audit rows" in (await run_cli(env, "audit", "prune")).output


async def test_prune_refuses_to_touch_a_broken_chain(db, env, keys):
    await seal_rows(db, keys, 3, age_days=4 * 365)
    await raw(db, "UPDATE audit_events SET result = 'x' WHERE seq = 1")
    result = await run_cli(env, "audit", "prune")
    assert result.exit_code != 0 and "broken" in result.output
    async with db.sessions() as session:
        assert len(list(await session.scalars(select(AuditEvent)))) == 3


async def test_a_retention_shorter_than_three_years_is_refused(db, env):
    result = await run_cli({**env, "HUB_AUDIT_RETENTION_DAYS": "30"}, "audit", "prune")
    assert result.exit_code != 0
    assert "HUB_AUDIT_RETENTION_DAYS" in result.output and "1095" in result.output
