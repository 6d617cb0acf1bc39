"""`hub audit verify|prune`: the operator's side of the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click
from rich.console import Console

from hub.settings import Settings


def register(
    main: click.Group,
    console: Console,
    settings_of: Callable[[], Settings],
    in_transaction: Callable[..., Any],
) -> None:
    @main.group()
    def audit() -> None:
        """The audit trail of reads of persons and of checks (hash-chained)."""

    @audit.command("verify")
    def audit_verify() -> None:
        """Walk the whole chain; name the first row that was changed, deleted or inserted.

        Exits 1 on a fault. Note the printed head somewhere outside the database (a ticket,
        a log server): a chain cut back to an earlier head can only be told by comparing."""
        from hub.audit.sealing import seal_batch
        from hub.audit.service import verify_chain

        settings = settings_of()
        key = _chain_key(settings)

        async def seal_everything(session: Any) -> int:
            sealed = total = await seal_batch(session, key)
            while sealed:
                sealed = await seal_batch(session, key)
                total += sealed
            return total

        # Accesses recorded but not sealed yet (a hub process stopped before its sealer
        # ran) are sealed first, so that the walk covers every recorded access.
        sealed = in_transaction(settings, seal_everything)
        if sealed:
            console.print(f"sealed {sealed} recorded accesses that were waiting")
        report = in_transaction(settings, lambda s: verify_chain(s, key))
        head = report.head
        if report.fault is not None:
            fault = report.fault
            where = f"row {fault.seq}" if fault.seq is not None else "head"
            console.print(
                f"[red]audit chain BROKEN at {where}: {fault.kind}[/red] — {fault.detail}"
            )
            console.print(f"rows verified before the fault: {report.rows}")
            raise SystemExit(1)
        if head is None or head.is_genesis:
            console.print("audit chain intact: no rows yet")
            return
        console.print(
            f"audit chain intact: {report.rows} rows, seq {head.first_seq}–{head.last_seq}"
        )
        console.print(f"head: seq {head.last_seq} hash {head.last_hash}")

    @audit.command("prune")
    @click.option("--dry-run", is_flag=True, help="Only say how many rows are past the retention.")
    def audit_prune(dry_run: bool) -> None:
        """Remove rows older than HUB_AUDIT_RETENTION_DAYS (default three years).

        The chain is verified first; a broken chain is never pruned (that would destroy
        the evidence)."""
        from hub.audit.service import prune, verify_chain
        from hub.db.base import utcnow

        settings = settings_of()
        key = _chain_key(settings)
        before = utcnow() - timedelta(days=settings.audit_retention_days)

        async def work(session: Any) -> int:
            report = await verify_chain(session, key)
            if report.fault is not None:
                raise click.ClickException(
                    f"the audit chain is broken ({report.fault.kind} at row {report.fault.seq}); "
                    "run `hub audit verify` and investigate before pruning"
                )
            return await prune(session, key, before, dry_run=dry_run)

        removed = in_transaction(settings, work)
        verb = "would remove" if dry_run else "removed"
        console.print(
            f"{verb} {removed} audit rows sealed before {before:%Y-%m-%d} "
            f"(retention {settings.audit_retention_days} days)"
        )


def _chain_key(settings: Settings) -> bytes:
    from hub.audit.chain import chain_key
    from hub.keys import load_keys

    return chain_key(load_keys(settings).pii.hmac_key)
