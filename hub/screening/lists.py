"""Reading the list an HR officer uploads for a screening (评优评先, 年度考核 …): .xlsx or .csv,
a header row somewhere in the first rows, one subject per row. File I/O only — the checks
themselves run through `hub.checks.service.run_checks`."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from connectors.base import ConfigError
from connectors.files import detect_encoding, encoding_label, header_key
from hub.checks.service import MAX_BATCH
from hub.errors import HubError, InvalidIdentifier, InvalidInput
from hub.subjects.identifiers import IdNumber, Uscc, parse_id_number, parse_uscc

NAME, ID_NUMBER, USCC, NOTE, YEAR = "name", "id_number", "uscc", "note", "appraisal_year"
_HEADERS = {
    NAME: ("姓名", "名称", "name"),
    ID_NUMBER: ("身份证号码", "身份证号", "身份证", "公民身份号码", "证件号码", "id_number"),
    USCC: ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    NOTE: ("备注", "note"),
    YEAR: ("考核年度", "appraisal_year", "appraisalYear"),
}
EXPECTED_HEADERS = (
    "姓名 (name), 身份证号码 (id_number) or 统一社会信用代码 (uscc), optional 备注 (note) "
    "and 考核年度 (appraisal_year)"
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
    # APPRAISAL: the 年度考核 year of this row; None: the screening's.
    appraisal_year: int | None = None


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
        return RowProblem(number, error.field or column, error.for_officers)
    year = _year(cell(YEAR))
    if isinstance(year, str):
        return RowProblem(number, columns.label[YEAR], year)
    return BatchItem(number, subject, name, note, appraisal_year=year)


def _year(value: object) -> int | str | None:
    """The row's 考核年度 (2026, "2026", "2026年"), or the reason it cannot be read."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", _text(value)).removesuffix("年度").removesuffix("年")
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return f"考核年度应为四位年份（如 2026），而不是「{_text(value)[:20]}」"
    return int(text)


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
    return replace(item, duplicate_of=earlier)
