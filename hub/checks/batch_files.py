"""The files of a batch screening (评优评先, 年度考核 …): reading the list an HR officer
uploads (.xlsx or .csv) and writing the results workbook. File I/O only — the checks
themselves run through `hub.checks.service.run_checks`."""

from __future__ import annotations

import csv
import os
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from connectors.base import ConfigError
from connectors.files import detect_encoding, encoding_label, header_key
from hub import clock
from hub.checks.purposes import Verdict
from hub.checks.service import MAX_BATCH
from hub.errors import HubError, InvalidIdentifier, InvalidInput
from hub.subjects.identifiers import IdNumber, Uscc, parse_id_number, parse_uscc

NAME, ID_NUMBER, USCC, NOTE = "name", "id_number", "uscc", "note"
_HEADERS = {
    NAME: ("姓名", "名称", "name"),
    ID_NUMBER: ("身份证号码", "身份证号", "身份证", "公民身份号码", "证件号码", "id_number"),
    USCC: ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    NOTE: ("备注", "note"),
}
EXPECTED_HEADERS = (
    "姓名 (name), 身份证号码 (id_number) or 统一社会信用代码 (uscc), optional 备注 (note)"
)
# A list often starts with a title line ("2026年度评优候选人名单") above the header.
HEADER_SEARCH_ROWS = 10
# Excel keeps 15 significant digits: an 18-digit number typed into a number cell is lost.
_EXCEL_DIGITS = 15


_SEPARATORS = str.maketrans("", "", "_-*")


def _header_key(text: str) -> str:
    # "ID Number", "id_number", "idNumber", "＊姓名 " all name the same column.
    return header_key(text).translate(_SEPARATORS)


_ALIASES = {_header_key(alias): key for key, aliases in _HEADERS.items() for alias in aliases}


@dataclass(frozen=True)
class BatchItem:
    row: int
    subject: IdNumber | Uscc
    name: str | None = None
    note: str | None = None
    duplicate_of: int | None = None  # an earlier row naming the same subject


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None
    reason: str


@dataclass(frozen=True)
class BatchInput:
    items: list[BatchItem]
    problems: list[RowProblem]
    format: str  # what was read, e.g. "CSV (GB18030/GBK)", shown to the officer


@dataclass(frozen=True)
class _Columns:
    index: dict[str, int]
    label: dict[str, str]  # the header as written in the file, used in problem reports


def read_batch(path: Path) -> BatchInput:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise InvalidInput(
        f"{path.name}: unsupported file type {suffix or '(no extension)'}; "
        f"save the list as .xlsx or .csv with the headers {EXPECTED_HEADERS}"
    )


def _read_xlsx(path: Path) -> BatchInput:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file fails inside openpyxl in many ways
        raise InvalidInput(
            f"{path.name} could not be opened as an Excel workbook (.xlsx): it may be an old "
            ".xls file, password-protected, or not a spreadsheet; open it in Excel and save "
            "it as .xlsx or CSV UTF-8"
        ) from exc
    try:
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "iter_rows"):
            raise InvalidInput(f"{path.name}: the active sheet is not a worksheet")
        # Some writers leave a wrong <dimension>; read-only mode would trust it and cut rows.
        sheet.reset_dimensions()
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        items, problems = _parse(rows, f"{path.name} (sheet {sheet.title})")
        return BatchInput(items, problems, "Excel (.xlsx)")
    except HubError:
        raise
    except Exception as exc:  # a corrupt sheet is found only while streaming it
        raise InvalidInput(f"{path.name}: the workbook is damaged ({exc})") from exc
    finally:
        workbook.close()


def _read_csv(path: Path) -> BatchInput:
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise InvalidInput(f"{path.name} is empty; expected a header row with {EXPECTED_HEADERS}")
    if head.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{path.name} is an Excel workbook named .csv; rename it to .xlsx")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise InvalidInput(
            f'{path.name} is not a CSV text file (UTF-16 "Unicode text" or binary); '
            'save it from Excel as "CSV UTF-8" or as .xlsx'
        )
    try:
        encoding = detect_encoding(path)
    except ConfigError:
        raise InvalidInput(
            f'{path.name} is neither UTF-8 nor GBK/GB18030 text; save it as "CSV UTF-8" or .xlsx'
        ) from None
    # Closed at once, also when _parse stops early, so the file is never left open.
    with closing(_csv_rows(path, encoding)) as rows:
        items, problems = _parse(rows, path.name)
    return BatchInput(items, problems, f"CSV ({encoding_label(encoding)})")


def _csv_rows(path: Path, encoding: str) -> Generator[tuple[int, Sequence[object]]]:
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
        # Excel writes commas, but some locales and tools use semicolons or tabs.
        delimiter = max(",;\t", key=first.count)
        handle.seek(0)
        try:
            # Numbered by record, as Excel numbers the rows when it opens the file.
            yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)
        except csv.Error as exc:
            raise InvalidInput(f"{path.name} is not a readable CSV file: {exc}") from exc


def _parse(
    rows: Iterator[tuple[int, Sequence[object]]], source: str
) -> tuple[list[BatchItem], list[RowProblem]]:
    columns = _find_header(rows, source)
    items: list[BatchItem] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}
    for number, cells in rows:
        if _is_blank(cells):
            continue
        if len(items) + len(problems) >= MAX_BATCH:
            raise InvalidInput(
                f"{source} has more than {MAX_BATCH} rows; split it into files of at most "
                f"{MAX_BATCH} rows and check each"
            )
        parsed = _parse_row(number, cells, columns)
        if isinstance(parsed, RowProblem):
            problems.append(parsed)
            continue
        key = _subject_key(parsed.subject)
        earlier = first_row.setdefault(key, number)
        items.append(parsed if earlier == number else _with_duplicate(parsed, earlier))
    if not items and not problems:
        raise InvalidInput(f"{source} has a header row but no data rows under it")
    return items, problems


def _find_header(rows: Iterator[tuple[int, Sequence[object]]], source: str) -> _Columns:
    first_seen: Sequence[object] | None = None
    looked = 0
    for _number, cells in rows:
        if _is_blank(cells):
            continue
        first_seen = first_seen or cells
        columns = _columns(cells, source)
        if ID_NUMBER in columns.index or USCC in columns.index:
            return columns
        looked += 1
        if looked == HEADER_SEARCH_ROWS:
            break
    if first_seen is None:
        raise InvalidInput(f"{source} is empty; expected a header row with {EXPECTED_HEADERS}")
    found = ", ".join(_text(c) for c in first_seen if _text(c))[:200]
    raise InvalidInput(
        f"{source}: no header row with 身份证号码 or 统一社会信用代码 in the first "
        f"{HEADER_SEARCH_ROWS} rows (first row: {found}); expected {EXPECTED_HEADERS}"
    )


def _columns(cells: Sequence[object], source: str) -> _Columns:
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    for position, cell in enumerate(cells):
        text = _text(cell)
        key = _ALIASES.get(_header_key(text))
        if key is None:
            continue
        if key in index:
            raise InvalidInput(
                f"{source}: two columns mean the same thing ({label[key]} in column "
                f"{get_column_letter(index[key] + 1)} and {text} in column "
                f"{get_column_letter(position + 1)}); keep one"
            )
        index[key], label[key] = position, text
    return _Columns(index, label)


def _parse_row(number: int, cells: Sequence[object], columns: _Columns) -> BatchItem | RowProblem:
    def cell(key: str) -> object:
        position = columns.index.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    name, note = _text(cell(NAME)) or None, _text(cell(NOTE)) or None
    id_cell, uscc_cell = cell(ID_NUMBER), cell(USCC)
    has_id, has_uscc = bool(_text(id_cell)), bool(_text(uscc_cell))
    labels = columns.label
    both = f"{labels.get(ID_NUMBER, '身份证号码')}/{labels.get(USCC, '统一社会信用代码')}"
    if has_id and has_uscc:
        return RowProblem(
            number, both, "同一行既填了身份证号码又填了统一社会信用代码，每行只填一个核查对象"
        )
    if not has_id and not has_uscc:
        return RowProblem(number, both, "缺少身份证号码或统一社会信用代码")
    key = ID_NUMBER if has_id else USCC
    column = columns.label[key]
    try:
        raw = _identifier_text(id_cell if has_id else uscc_cell, column)
        subject = parse_id_number(raw, field=column) if has_id else parse_uscc(raw, field=column)
    except InvalidIdentifier as error:
        return RowProblem(number, error.field or column, error.message)
    return BatchItem(number, subject, name, note)


def _identifier_text(value: object, column: str) -> str:
    if isinstance(value, float):
        if abs(value) >= 10**_EXCEL_DIGITS:
            raise InvalidIdentifier(
                "该单元格是数字格式，Excel 只保留 15 位有效数字，18 位号码已失真；"
                "请把该列设为「文本」格式后重新填写",
                field=column,
            )
        return str(int(value)) if value.is_integer() else str(value)
    # Full-width digits and letters (１１０１…Ｘ) are common when typed with a Chinese IME.
    return unicodedata.normalize("NFKC", _text(value))


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _is_blank(cells: Sequence[object]) -> bool:
    return not any(_text(c) for c in cells)


def _subject_key(subject: IdNumber | Uscc) -> str:
    return subject.number if isinstance(subject, IdNumber) else subject.code


def _with_duplicate(item: BatchItem, earlier: int) -> BatchItem:
    return BatchItem(item.row, item.subject, item.name, item.note, duplicate_of=earlier)


# --- results -------------------------------------------------------------------------------


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
