"""`hub audit verify|checkpoint|prune`: the operator's side of the audit trail."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.chain import Head, Verification, chain_key
from hub.audit.checkpoints import judge, read_checkpoint, sign_checkpoint
from hub.audit.service import hash_at, load_head, prune, verify_chain
from hub.cli.context import console, run
from hub.db.base import utcnow
from hub.runtime import Runtime


@click.group()
def audit() -> None:
    """The audit trail of reads of persons and of checks (hash-chained)."""


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoints",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of checkpoints written by `hub audit checkpoint`: the chain must still reach "
    "each with the same hash (catches rows removed from its end).",
)
def audit_verify(checkpoints: Path | None) -> None:
    """Walk the whole chain; name the first row that was changed, deleted or inserted.

    Exits 1 on a fault. Without --checkpoint, a chain cut back to an earlier head (its newest
    rows deleted, an old head put back) still verifies: keep checkpoints outside the
    database (`hub audit checkpoint --out`, from cron) and verify against them."""

    async def work(runtime: Runtime) -> tuple[int, Verification, list[str]]:
        # Accesses recorded but not sealed yet (a hub process stopped before its sealer
        # ran) are sealed first, so that the walk covers every recorded access.
        sealed = await runtime.sealer.seal_all()
        async with runtime.sessions() as session:
            report = await verify_chain(session, chain_key(runtime.keys.pii.hmac_key))
            faults = await _against(session, runtime, report.head, checkpoints)
        return sealed, report, faults

    sealed, report, faults = run(work)
    if sealed:
        console.print(f"sealed {sealed} recorded accesses that were waiting")
    head = report.head
    if report.fault is not None:
        fault = report.fault
        where = f"row {fault.seq}" if fault.seq is not None else "head"
        console.print(f"[red]audit chain BROKEN at {where}: {fault.kind}[/red] — {fault.detail}")
        console.print(f"rows verified before the fault: {report.rows}")
        raise SystemExit(1)
    if faults:
        for fault_text in faults:
            console.print(f"[red]audit chain CONTRADICTS a checkpoint:[/red] {fault_text}")
        raise SystemExit(1)
    if head is None or head.is_genesis:
        console.print("audit chain intact: no rows yet")
        return
    console.print(f"audit chain intact: {report.rows} rows, seq {head.first_seq}–{head.last_seq}")
    console.print(f"head: seq {head.last_seq} hash {head.last_hash}")
    if checkpoints is not None:
        console.print(f"consistent with every checkpoint in {checkpoints}")


async def _against(
    session: AsyncSession, runtime: Runtime, head: Head | None, path: Path | None
) -> list[str]:
    if path is None:
        return []
    faults = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return [f"{path} holds no checkpoint"]
    for number, line in enumerate(lines, 1):
        try:
            token = json.loads(line)["token"]
        except (ValueError, KeyError, TypeError):
            faults.append(f"line {number} of {path} is not a checkpoint line")
            continue
        checkpoint = read_checkpoint(runtime.keys, token)
        if isinstance(checkpoint, str):
            faults.append(f"line {number} of {path} cannot be trusted: {checkpoint}")
            continue
        found = judge(checkpoint, head, await hash_at(session, checkpoint.seq))
        if found is not None:
            faults.append(found)
    return faults


@audit.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the checkpoint to this file (JSON lines). Keep it off the database's machine.",
)
def audit_checkpoint(out: Path | None) -> None:
    """Sign the chain's current head (seq and hash) with the hub's key and print it, or
    append it to --out. Run it from cron (e.g. every 10 minutes) onto storage the database's
    administrators cannot rewrite; `hub audit verify --checkpoint FILE` checks against it."""

    async def work(runtime: Runtime) -> tuple[Head | None, str | None]:
        await runtime.sealer.seal_all()
        async with runtime.sessions() as session:
            head = await load_head(session)
        if head is None or head.is_genesis:
            return head, None
        return head, sign_checkpoint(runtime.keys, head, runtime.settings.issuer, utcnow())

    head, token = run(work)
    if head is None or token is None:
        raise click.ClickException("the audit chain has no rows yet: nothing to checkpoint")
    line = json.dumps({"seq": head.last_seq, "hash": head.last_hash, "token": token})
    if out is None:
        click.echo(line)
        return
    with out.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    console.print(f"checkpoint at seq {head.last_seq} appended to {out}", markup=False)


@audit.command("prune")
@click.option("--dry-run", is_flag=True, help="Only say how many rows are past the retention.")
def audit_prune(dry_run: bool) -> None:
    """Remove rows older than HUB_AUDIT_RETENTION_DAYS (default three years).

    The chain is verified first; a broken chain is never pruned (that would destroy
    the evidence)."""

    async def work(runtime: Runtime) -> tuple[int, int]:
        key = chain_key(runtime.keys.pii.hmac_key)
        days = runtime.settings.audit_retention_days
        async with runtime.sessions.begin() as session:
            report = await verify_chain(session, key)
            if report.fault is not None:
                raise click.ClickException(
                    f"the audit chain is broken ({report.fault.kind} at row {report.fault.seq}); "
                    "run `hub audit verify` and investigate before pruning"
                )
            return await prune(session, key, utcnow() - timedelta(days=days), dry_run=dry_run), days

    removed, days = run(work)
    before = utcnow() - timedelta(days=days)
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"{verb} {removed} audit rows sealed before {before:%Y-%m-%d} (retention {days} days)"
    )
