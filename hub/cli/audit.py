"""`hub audit verify|prune`: the operator's side of the audit trail."""

from __future__ import annotations

from datetime import timedelta

import click

from hub.audit.chain import Verification, chain_key
from hub.audit.service import prune, verify_chain
from hub.cli.context import console, run
from hub.db.base import utcnow
from hub.runtime import Runtime


@click.group()
def audit() -> None:
    """The audit trail of reads of persons and of checks (hash-chained)."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the whole chain; name the first row that was changed, deleted or inserted.

    Exits 1 on a fault. Note the printed head somewhere outside the database (a ticket,
    a log server): a chain cut back to an earlier head can only be told by comparing."""

    async def work(runtime: Runtime) -> tuple[int, Verification]:
        # Accesses recorded but not sealed yet (a hub process stopped before its sealer
        # ran) are sealed first, so that the walk covers every recorded access.
        sealed = await runtime.sealer.seal_all()
        async with runtime.sessions() as session:
            return sealed, await verify_chain(session, chain_key(runtime.keys.pii.hmac_key))

    sealed, report = run(work)
    if sealed:
        console.print(f"sealed {sealed} recorded accesses that were waiting")
    head = report.head
    if report.fault is not None:
        fault = report.fault
        where = f"row {fault.seq}" if fault.seq is not None else "head"
        console.print(f"[red]audit chain BROKEN at {where}: {fault.kind}[/red] — {fault.detail}")
        console.print(f"rows verified before the fault: {report.rows}")
        raise SystemExit(1)
    if head is None or head.is_genesis:
        console.print("audit chain intact: no rows yet")
        return
    console.print(f"audit chain intact: {report.rows} rows, seq {head.first_seq}–{head.last_seq}")
    console.print(f"head: seq {head.last_seq} hash {head.last_hash}")


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
