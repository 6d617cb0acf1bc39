"""`hub objections list`, `hub repairs list`, `hub lifecycle run`: the operator's view of
the workflows after ingest, and the job that notes the end of publicity."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from rich.table import Table

from hub import clock
from hub.cli.context import OPERATOR, all_pages, console, run
from hub.garbage import collected_for_bulk_work
from hub.objections.rules import OpenObjection, due, overdue
from hub.objections.service import ObjectionFilter, list_objections
from hub.records.enums import ObjectionState, RepairState
from hub.records.models import CreditRecord
from hub.repairs.service import RepairFilter, list_repairs
from hub.runtime import Runtime, note_publicity, raise_warnings
from hub.subjects.service import rows_by


@click.group()
def objections() -> None:
    """Objections (异议) to records and their deadlines."""


@objections.command("list")
@click.option("--overdue", "only_overdue", is_flag=True, help="Only those past their deadline.")
@click.option(
    "--state", type=click.Choice([s.value for s in ObjectionState]), help="Only this state."
)
@click.option("--limit", default=200, show_default=True, type=int)
def objections_list(only_overdue: bool, state: str | None, limit: int) -> None:
    """Every agency's objections, oldest first, with the deadline running now."""
    flt = ObjectionFilter(state=ObjectionState(state) if state else None, overdue=only_overdue)

    async def work(runtime: Runtime) -> tuple[list[Any], dict[int, CreditRecord], date]:
        today = runtime.today()
        async with runtime.sessions() as session:
            rows = await all_pages(
                lambda first, after: list_objections(
                    session, OPERATOR, flt, today, first=first, after=after
                ),
                limit,
            )
            records = await rows_by(session, CreditRecord.id, [r.record_id for r in rows])
        return rows, records, today

    rows, records, today = run(work)
    table = Table("id", "record", "kind", "state", "filed", "due", "overdue")
    for row in rows:
        item = OpenObjection.of(row)
        record = records.get(row.record_id)
        table.add_row(
            str(row.id),
            f"{row.record_id} {record.source_ref if record else ''}",
            row.kind.label,
            row.state.label,
            str(clock.china_date(row.filed_at)),
            str(due(item)),
            "逾期" if overdue(item, today) else "",
        )
    console.print(table)
    console.print(f"{len(rows)} objection(s)" + (" (limit reached)" if len(rows) == limit else ""))


@click.group()
def repairs() -> None:
    """信用修复 applications and their decisions."""


@repairs.command("list")
@click.option("--state", type=click.Choice([s.value for s in RepairState]), help="Only this state.")
@click.option("--limit", default=200, show_default=True, type=int)
def repairs_list(state: str | None, limit: int) -> None:
    """Every agency's repair applications, oldest first."""
    flt = RepairFilter(state=RepairState(state) if state else None)

    async def work(runtime: Runtime) -> tuple[list[Any], date]:
        async with runtime.sessions() as session:
            rows = await all_pages(
                lambda first, after: list_repairs(session, OPERATOR, flt, first=first, after=after),
                limit,
            )
        return rows, runtime.today()

    rows, today = run(work)
    table = Table("id", "record", "state", "applied", "decide by", "overdue", "reason")
    for row in rows:
        late = row.state is RepairState.PENDING and row.decide_by < today
        table.add_row(
            str(row.id),
            str(row.record_id),
            row.state.label,
            str(clock.china_date(row.applied_at)),
            str(row.decide_by),
            "逾期" if late else "",
            row.reason or "",
        )
    console.print(table)
    console.print(
        f"{len(rows)} application(s)" + (" (limit reached)" if len(rows) == limit else "")
    )


@click.group()
def lifecycle() -> None:
    """Jobs of the records' lifecycle."""


@lifecycle.command("run")
def lifecycle_run() -> None:
    """Notes the end of publicity of every record whose window has closed (an event each,
    for the change feed), then raises today's 监测预警 warnings. Idempotent: safe from cron
    every few minutes and at start-up."""

    async def work(runtime: Runtime) -> tuple[int, int]:
        return await note_publicity(runtime), await raise_warnings(runtime)

    with collected_for_bulk_work():
        ended, raised = run(work)
    console.print(f"publicity ended for {ended} record(s); {raised} new warning(s)")
