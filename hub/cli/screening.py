"""`hub check --batch`: screening a list, chunk by chunk, with a progress bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.checks.purposes import Purpose
from hub.checks.service import MAX_REFERENCE
from hub.cli.context import OPERATOR, cli, console, run
from hub.runtime import Runtime
from hub.screening.lists import BatchInput, BatchItem, RowProblem, read_batch
from hub.screening.results import Answered, Screening, batch_meta, check_chunk
from hub.screening.workbook import (
    PROBLEMS_SHEET,
    BatchMeta,
    ResultRow,
    verdict_counts,
    verdict_text,
    write_results,
)

# Checks per transaction: bounded queries per chunk, and progress the officer sees.
BATCH_CHUNK = 500
SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class _BatchJob:
    source: Path
    out: Path
    screening: Screening


def screen(
    purpose: Purpose,
    source: Path,
    out: Path | None,
    reference: str | None,
    as_of: date,
    show_pii: bool,
    appraisal_year: int | None,
) -> None:
    job = _batch_job(purpose, source, out, reference, as_of, show_pii, appraisal_year)
    with console.status(f"reading {job.source.name}…"):
        batch = read_batch(job.source)
    console.print(
        f"{job.source.name} [{batch.format}]: {len(batch.items)} subject(s) to check, "
        f"{len(batch.problems)} row(s) unreadable",
        markup=False,
    )
    started = datetime.now(UTC)
    answered, version = run(lambda runtime: _run_batch(runtime, job.screening, batch.items))
    problems = sorted([*batch.problems, *answered.problems], key=lambda p: p.row)
    with console.status(f"writing {job.out.name}…"):
        write_results(
            job.out, answered.rows, problems, _meta(job, batch, started, version, answered)
        )
    _print_summary(answered.rows, problems, job)


def _batch_job(
    purpose: Purpose,
    source: Path,
    out: Path | None,
    reference: str | None,
    as_of: date,
    show_pii: bool,
    appraisal_year: int | None,
) -> _BatchJob:
    """Refuses a bad invocation before anything is read or any check is stored."""
    if out is None:
        raise click.UsageError("--batch needs --out RESULT.xlsx, the workbook to write")
    if out.suffix.lower() != ".xlsx":
        raise click.UsageError(f"--out must name an .xlsx workbook, got {out.name}")
    if out.resolve() == source.resolve():
        raise click.UsageError("--out must not overwrite the --batch list")
    if not out.resolve().parent.is_dir():
        raise click.UsageError(f"--out: the folder {out.resolve().parent} does not exist")
    reference = (reference or "").strip()
    if not reference:
        # A screening must say which 评选批次 it was for, so its checks can be accounted for.
        raise click.UsageError("--batch needs --reference, e.g. --reference 2026年度评优第1批")
    if len(reference) > MAX_REFERENCE:
        raise click.UsageError(f"--reference is longer than {MAX_REFERENCE} characters")
    screening = Screening(purpose, reference, as_of, show_pii, appraisal_year)
    return _BatchJob(source, out, screening)


async def _run_batch(
    runtime: Runtime, screening: Screening, items: list[BatchItem]
) -> tuple[Answered, str]:
    """One transaction per chunk: a long list commits as it goes instead of holding one
    transaction (and SQLite's write lock) for the whole run."""
    total = Answered()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("核查中", total=len(items))
        for start in range(0, len(items), BATCH_CHUNK):
            chunk = items[start : start + BATCH_CHUNK]
            async with runtime.transaction(cli().caller) as session:
                answered = await check_chunk(
                    session, runtime.pii, runtime.ruleset, OPERATOR, screening, chunk
                )
            total.rows.extend(answered.rows)
            total.problems.extend(answered.problems)
            total.coverage = answered.coverage or total.coverage
            progress.advance(task, len(chunk))
    return total, runtime.ruleset.version


def _meta(
    job: _BatchJob, batch: BatchInput, started: datetime, version: str, answered: Answered
) -> BatchMeta:
    source = f"{job.source.name}（{batch.format}）"
    return batch_meta(job.screening, version, started, source, answered)


def _print_summary(rows: list[ResultRow], problems: list[RowProblem], job: _BatchJob) -> None:
    table = Table("核查结论 verdict", "人数 count")
    for verdict, count in verdict_counts(rows).items():
        table.add_row(verdict_text(verdict), str(count))
    table.add_row("无法读取的行 unreadable rows", str(len(problems)))
    console.print(table)
    for problem in problems[:SHOWN_PROBLEMS]:
        where = f" [{problem.column}]" if problem.column else ""
        console.print(f"! row {problem.row}{where}: {problem.reason}", style="yellow", markup=False)
    if len(problems) > SHOWN_PROBLEMS:
        console.print(f"… {len(problems) - SHOWN_PROBLEMS} more in the sheet {PROBLEMS_SHEET}")
    console.print(f"results written to {job.out}", markup=False)
    if job.screening.show_pii:
        console.print(
            "[yellow]the workbook holds names and ID numbers in clear: personal data, "
            "keep it safe[/yellow]"
        )
