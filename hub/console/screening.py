"""批量核查: a list uploaded (CSV or XLSX, the format `hub check --batch` reads), screened in
the background chunk by chunk, its progress shown live, and the results workbook (three
sheets in Chinese) to download — masked unless the officer holds the PII role and asked.

The job runs in the serving process; its progress commits with each chunk's checks, so any
process can show it. A process that stops mid-job leaves it STALLED: the checks already
committed stay (each audited), and the officer uploads the list again."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import clock
from hub.auth.actor import Actor
from hub.auth.scopes import CHECK_SCOPES, RECORDS_READ_PII
from hub.checks.purposes import Purpose
from hub.console import forms
from hub.console.pages import View, page
from hub.db.base import utcnow
from hub.errors import HubError, InvalidInput
from hub.screening import jobs
from hub.screening.lists import BatchInput, read_batch
from hub.screening.results import Answered, Screening, batch_meta, check_chunk
from hub.screening.workbook import (
    BatchMeta,
    template_workbook,
    verdict_counts,
    verdict_text,
    write_results,
)
from hub.web.sessions import actor_session
from hub.web.state import WebState

log = logging.getLogger("hub.console")

CHUNK = 500
SHOWN_PROBLEMS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Running jobs, kept referenced so the event loop does not drop them half-way.
_running: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class _Upload:
    name: str
    batch: BatchInput


@page(needs=frozenset(CHECK_SCOPES))
async def batch_page(view: View) -> Response:
    purposes = forms.purposes_for(view)
    if view.form is None:
        return await _form(view, purposes)
    try:
        screening = _screening(view, purposes)
        upload = await _read_upload(view.form.get("file"))
    except HubError as error:
        view.errors[error.field or "file"] = error.for_officers
        return await _form(view, purposes, 400)
    problems = [
        {"row": p.row, "column": p.column, "reason": p.reason} for p in upload.batch.problems
    ]
    job = jobs.new_job(
        user_id=view.current.user.id,
        agency_id=view.current.user.agency_id,
        purpose=screening.purpose.value,
        reference=screening.reference,
        source_name=upload.name,
        show_pii=screening.show_pii,
        total=len(upload.batch.items),
        problems=problems,
    )
    async with view.runtime.sessions.begin() as session:
        session.add(job)
    task = asyncio.create_task(_run(view.web, view.actor, job.id, screening, upload))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return RedirectResponse(f"/batch/{job.id}", 303)


async def _form(view: View, purposes: list[Purpose], status: int = 200) -> Response:
    async with view.runtime.sessions() as session:
        recent = await jobs.recent_jobs(session, view.current.user.id)
    now = utcnow()
    return view.render(
        "batch.html",
        status,
        purposes=purposes,
        today=clock.today(),
        may_show_pii=view.actor.has(RECORDS_READ_PII),
        recent=[(job, jobs.state_of(job, now)) for job in recent],
    )


def _screening(view: View, purposes: list[Purpose]) -> Screening:
    chosen = forms.purpose(view, purposes)
    # Names and ID numbers in clear only for an officer holding the PII role who asked.
    show_pii = view.value("showPii") == "on" and view.actor.has(RECORDS_READ_PII)
    return Screening(
        chosen,
        forms.reference(view),
        forms.as_of(view),
        show_pii,
        forms.appraisal_year(view, chosen),
    )


async def _read_upload(file: Any) -> _Upload:
    if not isinstance(file, UploadFile) or not file.filename:
        raise InvalidInput(
            "choose a file", field="file", zh="请选择要上传的名单文件（.xlsx 或 .csv）"
        )
    name = Path(file.filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput(
            "xlsx or csv", field="file", zh="只支持 .xlsx 或 .csv 文件，请另存为这两种格式之一"
        )
    content = await file.read()
    batch = await asyncio.to_thread(_parse, content, suffix)
    if not batch.items:
        raise InvalidInput(
            "no rows",
            field="file",
            zh=f"名单中没有可核查的行（无法读取 {len(batch.problems)} 行），请对照模板检查表头",
        )
    return _Upload(name, batch)


def _parse(content: bytes, suffix: str) -> BatchInput:
    # read_batch reads a file; the upload is written to a private temporary one and removed.
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(content)
        handle.flush()
        try:
            return read_batch(Path(handle.name))
        except HubError as error:
            raise InvalidInput(
                error.message, field="file", zh=error.zh or "文件无法读取，请对照模板检查"
            ) from error


async def _run(
    web: WebState, actor: Actor, job_id: str, screening: Screening, upload: _Upload
) -> None:
    runtime = web.runtime
    items = upload.batch.items
    answered = Answered()
    started = datetime.now(UTC)
    try:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            async with actor_session(web, actor, f"batch-{job_id}") as caller:
                part = await check_chunk(
                    caller.session, runtime.pii, runtime.ruleset, actor, screening, chunk
                )
                await jobs.advance(caller.session, job_id, start + len(chunk))
            answered.rows.extend(part.rows)
            answered.problems.extend(part.problems)
            answered.coverage = part.coverage or answered.coverage
        problems = sorted([*upload.batch.problems, *answered.problems], key=lambda p: p.row)
        source = f"{upload.name}（{upload.batch.format}）"
        meta = batch_meta(screening, runtime.ruleset.version, started, source, answered)
        content = await asyncio.to_thread(_workbook, answered, problems, meta)
        summary = {
            "verdicts": [[verdict_text(v), n] for v, n in verdict_counts(answered.rows).items()],
            "problems": [
                {"row": p.row, "column": p.column, "reason": p.reason}
                for p in problems[:SHOWN_PROBLEMS]
            ],
            "problemCount": len(problems),
        }
        async with runtime.sessions.begin() as session:
            await jobs.finish(session, job_id, summary, runtime.pii.encrypt_bytes(content))
    except Exception as error:  # the officer sees that it stopped; the log says why (no PII)
        log.error("screening job %s failed: %s", job_id, type(error).__name__)
        async with runtime.sessions.begin() as session:
            await jobs.fail(session, job_id, "核查中途出错，已完成的核查已保存；请重新上传名单")


def _workbook(answered: Answered, problems: list[Any], meta: BatchMeta) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.xlsx"
        write_results(path, answered.rows, problems, meta)
        return path.read_bytes()


@page(needs=frozenset(CHECK_SCOPES))
async def job_page(view: View) -> Response:
    job = await _job(view)
    if job is None:
        return view.render("not_found.html", 404, what="批量核查任务")
    return view.render("job.html", job=job, state=jobs.state_of(job, utcnow()))


@page(needs=frozenset(CHECK_SCOPES))
async def job_progress(view: View) -> Response:
    job = await _job(view)
    if job is None:
        return JSONResponse({"error": "not found"}, 404)
    state = jobs.state_of(job, utcnow())
    percent = 100 if state == jobs.DONE else int(100 * job.done / job.total) if job.total else 0
    return JSONResponse(
        {"state": state, "done": job.done, "total": job.total, "percent": percent},
        headers={"Cache-Control": "no-store"},
    )


@page(needs=frozenset(CHECK_SCOPES))
async def job_result(view: View) -> Response:
    job = await _job(view)
    if job is None or job.result is None:
        return view.render("not_found.html", 404, what="核查结果")
    content = view.runtime.pii.decrypt_bytes(job.result)
    name = f"核查结果-{job.created_at.astimezone(clock.CHINA):%Y%m%d-%H%M}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": _attachment("results.xlsx", name),
            "Cache-Control": "no-store",
        },
    )


@page(needs=frozenset(CHECK_SCOPES))
async def template(view: View) -> Response:
    content = await asyncio.to_thread(_template_bytes)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": _attachment("template.xlsx", "核查名单模板.xlsx")},
    )


def _template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        template_workbook(path)
        return path.read_bytes()


async def _job(view: View) -> jobs.ScreeningJob | None:
    try:
        async with view.runtime.sessions() as session:
            return await jobs.job_of(
                session, view.request.path_params["job_id"], view.current.user.id
            )
    except HubError:
        return None


def _attachment(plain: str, name: str) -> str:
    """A download named in Chinese (RFC 6266 filename*), with a plain name for old clients."""
    return f"attachment; filename={plain}; filename*=UTF-8''{quote(name)}"
