"""The court connector: a file drop (CSV, XLSX or JSON Lines) of 失信被执行人 entries or of
judgments against government bodies, read row by row with a resumable cursor.

The cursor is the file's identity and the number of the last row covered: a later run over
the same file resumes after it; a run over a different file (a new export) starts again,
and the hub's upsert on 案号 makes re-reading the rows that did not change harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from connectors.base import (
    Checkpoint,
    ConfigError,
    RosterEntry,
    Row,
    SourceRecord,
    Stream,
    TransientError,
    option,
)
from connectors.court import mapping
from connectors.files import FORMATS, TabularFile, encoding_label, open_tabular, resumable_rows


@dataclass(frozen=True)
class Config:
    path: Path = field(
        metadata=option(
            "The exported file; its content, not its name, identifies it.", flag="--file"
        )
    )
    format: str | None = field(
        default=None,
        metadata=option("csv, xlsx or jsonl; default: from the suffix.", choices=FORMATS),
    )
    stream: str = field(
        default="defaulters",
        metadata=option(
            "What the file holds: 失信被执行人 entries, or judgments against government bodies.",
            choices=("defaulters", "judgments"),
        ),
    )
    checkpoint_every: int = field(
        default=1000,
        metadata=option("Rows per transaction; a crash re-reads at most this many."),
    )


@dataclass(frozen=True)
class _StreamKind:
    stream: Stream
    fields: mapping.FieldIndex
    required: tuple[tuple[str, ...], ...]
    record: Callable[[Mapping[str, Any]], SourceRecord]


STREAMS: dict[str, _StreamKind] = {
    "defaulters": _StreamKind(
        Stream(
            "defaulters",
            key_fields=("案号", "身份证号码/组织机构代码"),
            description="失信被执行人 entries as published (中国执行信息公开网 fields)",
        ),
        mapping.DEFAULTERS,
        mapping.DEFAULTER_REQUIRED,
        mapping.defaulter_record,
    ),
    "judgments": _StreamKind(
        Stream(
            "judgments",
            key_fields=("案号",),
            description="effective judgments a government body lost (败诉) and their performance",
        ),
        mapping.JUDGMENTS,
        mapping.JUDGMENT_REQUIRED,
        mapping.judgment_record,
    ),
}


class CourtConnector:
    name = "court"
    family = "COURT"  # the agencies whose systems this reads (AgencyFamily)

    def spec(self) -> type[Config]:
        return Config

    def check(self, config: Config) -> None:
        kind = _kind(config)
        with _reading(Path(config.path)):
            source = open_tabular(Path(config.path), config.format)
            rows = _checked_rows(source, kind)
            try:
                next(rows, None)
            finally:
                rows.close()  # an XLSX workbook stays open until its generator ends

    def discover(self, config: Config) -> list[Stream]:
        return [_kind(config).stream]

    def describe(self, config: Config) -> str:
        return str(config.path)

    def remap(
        self, stream: str, raw: Mapping[str, Any], today: date
    ) -> Sequence[SourceRecord | RosterEntry]:
        kind = STREAMS.get(stream)
        if kind is None:
            raise ConfigError(f"unknown stream {stream!r}; use one of {', '.join(STREAMS)}")
        return [kind.record(raw)]

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]:
        kind = _kind(config)
        if stream.name != kind.stream.name:
            raise ConfigError(
                f"this source is configured for stream {kind.stream.name!r}, "
                f"not {stream.name!r}; set `stream` in its config"
            )
        path = Path(config.path)
        with _reading(path):
            source = open_tabular(path, config.format)
            yield from resumable_rows(
                path,
                _checked_rows(source, kind),
                stream=stream.name,
                state=state,
                every=config.checkpoint_every,
                notes=_notes(source),
                mapping=kind.record,
            )


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A file the hub may not read is the operator's to fix; any other I/O failure (a share
    that went away) is worth a retry."""
    try:
        yield
    except PermissionError as exc:
        raise ConfigError(f"{path.name}: permission denied", operator_detail=repr(exc)) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TransientError(f"{path.name} could not be read: {reason}", repr(exc)) from exc


def _kind(config: Config) -> _StreamKind:
    kind = STREAMS.get(config.stream)
    if kind is None:
        raise ConfigError(f"unknown stream {config.stream!r}; use one of {', '.join(STREAMS)}")
    if not isinstance(config.checkpoint_every, int) or config.checkpoint_every < 1:
        raise ConfigError(
            f"checkpoint_every must be a whole number ≥ 1, got {config.checkpoint_every!r}"
        )
    return kind


def _checked_rows(
    source: TabularFile, kind: _StreamKind
) -> Generator[tuple[int, dict[str, Any]], None, None]:
    """The file's rows, after its first row has shown that the file is this stream's: a
    file that is not fails before any of its rows is yielded."""
    first = True
    for number, raw in source.rows():
        if first:
            _check_first_row(source, kind, number, raw)
            first = False
        yield number, raw


def _check_first_row(
    source: TabularFile, kind: _StreamKind, number: int, raw: dict[str, Any]
) -> None:
    name = source.path.name
    if source.format == "jsonl" and "_error" in raw and "_line" in raw:
        raise ConfigError(f"{name} is not JSON Lines: line {number} is {raw['_error']}")
    missing = kind.fields.missing(raw, kind.required)
    if missing:
        what = "keys" if source.format == "jsonl" else "headers"
        expected = "、".join(aliases[0] for aliases in kind.fields.fields.values())
        raise ConfigError(
            f"{name} lacks the {what} {'、'.join(missing)} of stream {kind.stream.name!r}; "
            f"expected: {expected}"
        )


def _notes(source: TabularFile) -> dict[str, str]:
    notes = {"format": source.format}
    if source.encoding:
        notes["encoding"] = encoding_label(source.encoding)
    return notes
