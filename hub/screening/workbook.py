"""Writing the results workbook of a screening: three sheets in Chinese (results, rows that
could not be read, about), personal data masked unless the officer asked for it in clear."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hub import clock
from hub.checks.purposes import Verdict
from hub.errors import InvalidInput
from hub.screening.lists import RowProblem


@dataclass(frozen=True)
class ResultRow:
    """One checked subject, already formatted (and masked) for the results sheet."""

    row: int
    name: str
    subject: str  # masked ID number (clear only with --show-pii), or the USCC
    purpose: str
    verdict: Verdict
    restricts_until: str
    rules: str
    legal_basis: str
    records: str
    notes: str
    check_id: str


@dataclass(frozen=True)
class BatchMeta:
    purpose: str
    reference: str
    as_of: date
    ruleset_version: str
    checked_at: datetime
    source: str
    show_pii: bool
    coverage: tuple[tuple[str, str], ...] = ()
    appraisal_year: int | None = None  # APPRAISAL: the year judged, unless a row names its own


_Layout = tuple[tuple[str, int, bool], ...]  # (header, width, wrap) per column
RESULTS_SHEET, PROBLEMS_SHEET, ABOUT_SHEET = "核查结果", "无法读取的行", "说明"
_RESULT_COLUMNS: _Layout = (
    ("行号", 6, False),
    ("姓名", 12, False),
    ("证件号码（脱敏）", 22, False),
    ("核查用途", 16, False),
    ("核查结论", 22, False),
    ("限制至", 16, True),
    ("适用规则", 44, True),
    ("法律依据", 60, True),
    ("记录文号", 36, True),
    ("备注/提示", 36, True),
    ("核查编号", 38, False),
)
_PROBLEM_COLUMNS: _Layout = (("行号", 6, False), ("列", 24, False), ("原因", 90, True))
_ABOUT_COLUMNS: _Layout = (("项目", 24, False), ("内容", 90, True))
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_VERDICT_FILL = {
    Verdict.RESTRICTED: PatternFill("solid", fgColor="F8CBAD"),
    Verdict.REVIEW: PatternFill("solid", fgColor="FFE699"),
}


def verdict_counts(rows: Sequence[ResultRow]) -> dict[Verdict, int]:
    """Heaviest first: the restricted candidates are what the officer looks for."""
    counted = Counter(r.verdict for r in rows)
    order = (Verdict.RESTRICTED, Verdict.REVIEW, Verdict.CLEAR)
    return {verdict: counted.get(verdict, 0) for verdict in order}


def verdict_text(verdict: Verdict) -> str:
    return f"{verdict.label} ({verdict.value})"


def write_results(
    path: Path, rows: Sequence[ResultRow], problems: Sequence[RowProblem], meta: BatchMeta
) -> None:
    """Written beside the target and renamed into place, so a failure never leaves half a
    workbook where the officer expects the results."""
    workbook = Workbook(write_only=True)
    _write_results_sheet(workbook.create_sheet(RESULTS_SHEET), rows, meta.show_pii)
    problems_sheet = _sheet(workbook.create_sheet(PROBLEMS_SHEET), _PROBLEM_COLUMNS)
    for problem in problems:
        _append(
            problems_sheet, _PROBLEM_COLUMNS, [problem.row, problem.column or "", problem.reason]
        )
    about = _sheet(workbook.create_sheet(ABOUT_SHEET), _ABOUT_COLUMNS)
    for item in _about(rows, problems, meta):
        _append(about, _ABOUT_COLUMNS, list(item))
    _save(workbook, path)


def _save(workbook: Workbook, path: Path) -> None:
    # mkstemp makes the file readable by its owner only: right for a list of personal data.
    try:
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".xlsx", dir=path.parent)
        os.close(handle)
        try:
            workbook.save(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as exc:
        raise InvalidInput(
            f"cannot write {path}: {exc.strerror}; is it open in Excel, or the folder read-only?"
        ) from exc


def _write_results_sheet(
    sheet: WriteOnlyWorksheet, rows: Sequence[ResultRow], show_pii: bool
) -> None:
    columns = _RESULT_COLUMNS
    if show_pii:
        columns = tuple(
            ("证件号码", w, wrap) if h == "证件号码（脱敏）" else (h, w, wrap)
            for h, w, wrap in columns
        )
    _sheet(sheet, columns)
    # A filter on 核查结论 is how an officer pulls out the restricted candidates.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    for row in rows:
        values: list[object] = [
            row.row,
            row.name,
            row.subject,
            row.purpose,
            verdict_text(row.verdict),
            row.restricts_until,
            row.rules,
            row.legal_basis,
            row.records,
            row.notes,
            row.check_id,
        ]
        _append(sheet, columns, values, fills={4: _VERDICT_FILL.get(row.verdict)})


def _sheet(sheet: WriteOnlyWorksheet, columns: _Layout) -> WriteOnlyWorksheet:
    # Write-only sheets take widths and panes before the first row, never after.
    for position, (_header, width, _wrap) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title, _width, _wrap in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def _append(
    sheet: WriteOnlyWorksheet,
    columns: _Layout,
    values: list[object],
    fills: dict[int, PatternFill | None] | None = None,
) -> None:
    fills = {k: v for k, v in (fills or {}).items() if v is not None}
    # Styled cells cost ten times plain ones: a 10,000-row list is mostly CLEAR rows with
    # nothing to wrap, so only rows with text to wrap or a coloured verdict get them.
    styled = bool(fills) or any(
        wrap and value not in (None, "")
        for value, (_h, _w, wrap) in zip(values, columns, strict=True)
    )
    row: list[object] = []
    for position, (value, (_header, _width, wrap)) in enumerate(zip(values, columns, strict=True)):
        formula_like = isinstance(value, str) and value.startswith("=")
        if not styled and not formula_like:
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        if formula_like:
            # Names and notes come from the uploaded file: text, never a formula to run.
            cell.data_type = "s"
        if styled:
            cell.alignment = _WRAP if wrap else _TOP
        if position in fills:
            cell.fill = fills[position]
        row.append(cell)
    sheet.append(row)


def _about(
    rows: Sequence[ResultRow], problems: Sequence[RowProblem], meta: BatchMeta
) -> list[tuple[str, object]]:
    checked_at = meta.checked_at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M:%S")
    counts = verdict_counts(rows)
    privacy = (
        "本表含明文姓名和身份证号码，属个人信息：仅限本次评选使用，按规定保管，不得外传"
        if meta.show_pii
        else "姓名和身份证号码已脱敏；完整信息以原名单为准"
    )
    return [
        ("核查用途", meta.purpose),
        ("核查事由（评选批次）", meta.reference),
        ("核查基准日", meta.as_of.isoformat()),
        *((("考核年度", meta.appraisal_year),) if meta.appraisal_year else ()),
        ("规则集版本", meta.ruleset_version),
        ("核查时间（北京时间）", checked_at),
        ("输入文件", meta.source),
        ("核查对象", len(rows)),
        *((verdict_text(v), n) for v, n in counts.items()),
        ("无法读取的行", len(problems)),
        ("个人信息", privacy),
        *((f"数据更新至（{family}）", at) for family, at in meta.coverage),
        (
            "说明",
            "结论依据本平台核查时已汇集的记录；逐人的依据见「适用规则」「法律依据」「记录文号」列，"
            "「核查编号」可用于调取该次核查的存档记录。",
        ),
    ]


TEMPLATE_HEADERS = ("姓名", "身份证号码", "统一社会信用代码", "备注", "考核年度")


def template_workbook(path: Path) -> None:
    """The list to fill in, as `hub check --batch` and the console read it. The identifier
    columns are text: Excel keeps only 15 digits of a number, and an ID number has 18."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "核查名单"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for column, width in zip("ABCDE", (12, 24, 24, 24, 10), strict=True):
        sheet.column_dimensions[column].width = width
        if column in "BC":
            for row in range(2, 1002):
                sheet[f"{column}{row}"].number_format = "@"
    _save(workbook, path)
