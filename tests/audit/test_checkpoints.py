"""Signed checkpoints catch what the head's MAC cannot: the newest rows deleted and an older
head (with its valid MAC) put back. Done by hand with raw SQL, as someone with database
access would; `hub audit verify` alone passes, `--checkpoint` names the truncation."""

from __future__ import annotations

import json

from sqlalchemy import text
from support import run_cli
from test_audit_cli import raw, seal_rows


async def _head(db) -> dict:
    async with db.engine.connect() as connection:
        row = (await connection.execute(text("SELECT * FROM audit_head"))).mappings().one()
    return dict(row)


async def test_a_truncated_chain_with_an_old_head_put_back_is_caught_by_a_checkpoint(
    db, keys, env, tmp_path
):
    await seal_rows(db, keys, 5)
    old_head = await _head(db)
    await seal_rows(db, keys, 4)
    checkpoints = tmp_path / "checkpoints.jsonl"
    made = await run_cli(env, "audit", "checkpoint", "--out", checkpoints)
    assert made.exit_code == 0, made.output
    line = json.loads(checkpoints.read_text().splitlines()[0])
    assert line["seq"] == 9
    assert (await run_cli(env, "audit", "verify", "--checkpoint", checkpoints)).exit_code == 0

    # The newest four rows deleted, the head of five rows ago put back.
    await raw(db, "DELETE FROM audit_events WHERE seq > 5")
    await raw(
        db,
        "UPDATE audit_head SET last_seq = :last_seq, last_hash = :last_hash, mac = :mac",
        last_seq=old_head["last_seq"], last_hash=old_head["last_hash"], mac=old_head["mac"],
    )  # fmt: skip
    alone = await run_cli(env, "audit", "verify")
    assert alone.exit_code == 0  # the weakness the checkpoints exist for
    caught = await run_cli(env, "audit", "verify", "--checkpoint", checkpoints)
    assert caught.exit_code == 1
    assert "ends at seq 5, before seq 9" in caught.output and "truncated" in caught.output


async def test_a_rewritten_row_or_a_forged_checkpoint_is_named(db, keys, env, tmp_path):
    await seal_rows(db, keys, 3)
    checkpoints = tmp_path / "checkpoints.jsonl"
    await run_cli(env, "audit", "checkpoint", "--out", checkpoints)
    line = json.loads(checkpoints.read_text())
    forged = dict(line, token=line["token"][:-6] + "AAAAAA")
    checkpoints.write_text(json.dumps(forged) + "\n")
    caught = await run_cli(env, "audit", "verify", "--checkpoint", checkpoints)
    assert caught.exit_code == 1 and "cannot be trusted" in caught.output


async def test_a_chain_without_rows_has_nothing_to_checkpoint(db, env):
    answer = await run_cli(env, "audit", "checkpoint")
    assert answer.exit_code != 0 and "no rows yet" in answer.output
