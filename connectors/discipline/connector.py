"""The case-management system's export of 政务处分, 党纪处分, 组织处理/问责 decisions and open
立案审查调查 cases: one XLSX workbook, read streamed (memory stays flat with its size)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from connectors.base import Checkpoint, ConfigError, RosterEntry, Row, SourceRecord, Stream, option
from connectors.discipline.mapping import COLUMNS, DATE_FIELDS, REQUIRED, header, map_decision
from connectors.files import TabularFile, header_key, open_tabular, resumable_rows

DECISIONS = Stream(
    name="decisions",
    key_fields=("决定文号",),
    description="处分、组织处理/问责决定及立案审查调查未结案情况, one row per 决定文号",
)
NOTES = {"format": "xlsx"}


@dataclass(frozen=True)
class Config:
    path: str = field(
        metadata=option(
            "The exported workbook (.xlsx); the first sheet is read, its first row is the header.",
            flag="--file",
        )
    )
    checkpoint_every: int = field(
        default=1000,
        metadata=option("Rows per transaction; a crash re-reads at most this many."),
    )


class DisciplineConnector:
    name = "discipline"
    family = "DISCIPLINE"  # the agencies whose systems this reads (AgencyFamily)

    def spec(self) -> type[Config]:
        return Config

    def check(self, config: Config) -> None:
        _validated(config)

    def discover(self, config: Config) -> list[Stream]:
        return [DECISIONS]

    def describe(self, config: Config) -> str:
        return str(config.path)

    def remap(
        self, stream: str, raw: Mapping[str, Any], today: date
    ) -> Sequence[SourceRecord | RosterEntry]:
        return [map_decision(raw)]

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]:
        if stream.name != DECISIONS.name:
            raise ConfigError(f"unknown stream {stream.name!r}; discipline has {DECISIONS.name!r}")
        workbook = _validated(config)
        yield from resumable_rows(
            workbook.path,
            workbook.rows(),
            stream=stream.name,
            state=state,
            every=config.checkpoint_every,
            notes=NOTES,
            mapping=map_decision,
        )


def _validated(config: Config) -> TabularFile:
    if config.checkpoint_every < 1:
        raise ConfigError(f"checkpoint_every must be at least 1, not {config.checkpoint_every}")
    workbook = open_tabular(Path(config.path), "xlsx")
    _check_header(workbook.path, workbook.header())
    return workbook


def _check_header(path: Path, names: list[str]) -> None:
    present = {header_key(name) for name in names}

    def has(field: str) -> bool:
        return any(header_key(alias) in present for alias in COLUMNS[field])

    missing = [header(field) for field in REQUIRED if not has(field)]
    if not any(has(field) for field in DATE_FIELDS):
        missing.append(" or ".join(header(field) for field in DATE_FIELDS))
    if missing:
        expected = "、".join(header(field) for field in COLUMNS)
        raise ConfigError(
            f"{path.name} is not a decision export: missing column(s) {', '.join(missing)}; "
            f"the first row must name the columns ({expected})"
        )
