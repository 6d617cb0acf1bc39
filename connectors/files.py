"""Reading the files agencies export — CSV (UTF-8 with or without BOM, GBK/GB18030), XLSX
(streamed: memory stays flat with file size) and JSON Lines — as (location, row) pairs keyed
by the header. Also a file's identity, so that a cursor knows which file it belongs to."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.base import Checkpoint, ConfigError, Row, mapped

ENCODINGS = (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030/GBK"))
FORMATS = ("csv", "xlsx", "jsonl")


@dataclass(frozen=True)
class TabularFile:
    path: Path
    format: str
    encoding: str | None  # for text formats: what was detected, to be stated in the run

    def header(self) -> list[str]:
        """The column names of the first row, as written (JSON Lines has none)."""
        if self.format == "xlsx":
            return _xlsx_header(self.path)
        if self.format == "jsonl":
            return []
        with self.path.open(encoding=self.encoding or "utf-8-sig", newline="") as handle:
            return [str(name).strip() for name in next(csv.reader(handle), []) if str(name).strip()]

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number as a person would count it, row by header). Blank rows are skipped."""
        if self.format == "xlsx":
            yield from _xlsx_rows(self.path)
        elif self.format == "jsonl":
            yield from _jsonl_rows(self.path, self.encoding or "utf-8-sig")
        else:
            yield from _csv_rows(self.path, self.encoding or "utf-8-sig")


def open_tabular(path: Path, format: str | None = None) -> TabularFile:
    """Checks that the file is what it claims to be before any row is read."""
    if not path.is_file():
        raise ConfigError(f"no such file: {path}")
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ConfigError(f"{path.name}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if path.stat().st_size == 0:
        raise ConfigError(f"{path.name} is empty")
    if fmt == "xlsx":
        if not zipfile.is_zipfile(path):
            raise ConfigError(f"{path.name} is not an XLSX workbook (not a zip container)")
        return TabularFile(path, fmt, None)
    return TabularFile(path, fmt, detect_encoding(path))


def detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if b"\x00" in head:
        raise ConfigError(f"{path.name} is binary, not a text (CSV/JSON Lines) file")
    for codec, _label in ENCODINGS:
        try:
            _decode_whole(path, codec)
        except UnicodeDecodeError:
            continue
        return codec
    raise ConfigError(f"{path.name} is neither UTF-8 nor GBK/GB18030 text")


def encoding_label(codec: str) -> str:
    return dict(ENCODINGS).get(codec, codec)


def _decode_whole(path: Path, codec: str) -> None:
    # Decoding in chunks keeps memory flat; an incremental decoder handles split characters.
    decoder = io.TextIOWrapper(path.open("rb"), encoding=codec, errors="strict")
    with decoder:
        while decoder.read(1 << 20):
            pass


def file_identity(path: Path) -> str:
    """sha256 of the content: a cursor belongs to one file, whatever its name."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def header_key(text: object) -> str:
    """Headers compare without width, case or spaces: "身份证号码 ", "ＩＤ" match their forms."""
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(ch for ch in folded if not ch.isspace())


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise ConfigError(f"{path.name} has no header row")
        names = [str(h).strip() for h in header]
        for number, cells in enumerate(reader, start=2):
            values = [c.strip() for c in cells]
            if any(values):
                yield number, dict(zip(names, values, strict=False))


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ConfigError(f"{path.name} cannot be read as XLSX: {type(exc).__name__}") from exc


def _xlsx_header(path: Path) -> list[str]:
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(values_only=True), ())
    finally:
        workbook.close()
    return [str(cell).strip() for cell in first if cell not in (None, "")]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        # Some exporters write a wrong sheet size; trusting it would drop rows.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise ConfigError(f"{path.name} has no header row")
        names = [str(h).strip() if h is not None else "" for h in header]
        for number, cells in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in cells):
                continue
            yield number, {n: _cell(c) for n, c in zip(names, cells, strict=False) if n}
    finally:
        workbook.close()


def _cell(value: object) -> Any:
    return value.strip() if isinstance(value, str) else value


def _jsonl_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                yield number, {"_line": line.rstrip("\n"), "_error": "not valid JSON"}
                continue
            if not isinstance(value, dict):
                yield number, {"_line": line.rstrip("\n"), "_error": "not a JSON object"}
                continue
            yield number, value


def require_headers(row: dict[str, Any], wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Maps each wanted field to the header of `row` that names it (by any alias); fields
    with no such header are left out, for the caller to decide which are required."""
    present = {header_key(h): h for h in row}
    found: dict[str, str] = {}
    for field, aliases in wanted.items():
        for alias in aliases:
            if header_key(alias) in present:
                found[field] = present[header_key(alias)]
                break
    return found


def resume_point(state: Mapping[str, Any], identity: str) -> tuple[int, bool]:
    """(last row covered, whether the file was read to its end); a cursor of another file
    counts for nothing."""
    if not state or state.get("file") != identity:
        return 0, False
    offset = state.get("offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ConfigError(
            f"the saved cursor {dict(state)!r} was not written for a file: its offset must be "
            "a row number; reset the source's cursor to read from the start"
        )
    return offset, bool(state.get("done"))


def file_state(identity: str, offset: int, *, done: bool) -> dict[str, Any]:
    return {"file": identity, "offset": offset, "done": done}


def resumable_rows(
    path: Path,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    stream: str,
    state: Mapping[str, Any],
    every: int,
    notes: Mapping[str, str],
    mapping: Callable[[Mapping[str, Any]], Mapping[str, Any]],
) -> Iterator[Row | Checkpoint]:
    """The rows of a file after the saved state, a checkpoint every `every` rows and one at
    the end. The state names the last row number covered, so a resume neither skips nor
    repeats a row; a file already read to its end yields only its final checkpoint."""
    identity = file_identity(path)
    covered, done = resume_point(state, identity)
    if done:
        yield Checkpoint(stream, file_state(identity, covered, done=True), notes)
        return
    start, pending = covered, 0
    for number, raw in rows:
        if number <= start:
            continue
        yield mapped(stream, raw, f"{path.name}:{number}", mapping)
        covered, pending = number, pending + 1
        if pending >= every:
            yield Checkpoint(stream, file_state(identity, covered, done=False), notes)
            notes, pending = {}, 0
    yield Checkpoint(stream, file_state(identity, covered, done=True), notes)


__all__ = [
    "FORMATS",
    "TabularFile",
    "detect_encoding",
    "encoding_label",
    "file_identity",
    "file_state",
    "header_key",
    "open_tabular",
    "require_headers",
    "resumable_rows",
    "resume_point",
]
