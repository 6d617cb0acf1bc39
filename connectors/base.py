"""The connector interface, in the spirit of the Airbyte and Singer protocols.

A connector answers four questions and only *yields*; the hub's ingest engine owns
validation, normalisation, storage and state. Connectors never import `hub` or `schema`.
`read` runs in a process of its own (the hub's reader): the connector, its config and the
stream are pickled to it, and what a read changes on the connector stays there.

    spec()                         the typed config model (a dataclass, one docstring per field)
    check(config)                  raise ConfigError / TransientError if the source is unusable
    discover(config)               the streams, each with its key and cursor fields
    read(config, stream, state)    yields Row and Checkpoint, resuming after `state`

A Row carries the source's raw fields (kept for the quarantine, so nothing is lost), where it
came from, and — when the family's pure mapping could read it — the record in the hub's
vocabulary (`RECORD_FIELDS`). Values there may still be raw text ("2019年07月13日", "记过"):
parsing dates, labels and identifiers is the engine's job, done once for every source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Protocol, TypedDict, TypeVar, cast

Config = TypeVar("Config")


class SourceRecord(TypedDict, total=False):
    """A credit record in the hub's vocabulary, as a family's mapping reads it from a raw
    row. Only source_ref, category, a subject and decided_at are always required; the engine
    says which are missing. Values may still be the source's text: the engine parses them
    once, for every source (hub.ingest.normalize)."""

    source_ref: str  # 文号 / 案号, unique per source agency and stream
    category: str  # RecordCategory name or Chinese label (政务处分 …)
    sanction_kind: str | None  # SanctionKind name or label (记过 …), where the category has one
    severity: str | None  # MINOR/GENERAL/SERIOUS or 轻微/一般/严重
    subject_id_number: str | None  # 居民身份证号码; may be masked (3423011964****3224)
    subject_uscc: str | None  # 统一社会信用代码, or a 9-character 组织机构代码
    subject_name: str | None
    decided_at: str | None  # 2019-07-09, 20190709, 2019年07月13日, 2019/7/9
    effective_until: str | None  # when the source ended the effect (listing deleted …)
    summary: str | None
    legal_basis: str | None
    status: str | None  # ACTIVE (default), REVOKED, CORRECTED, EXPIRED
    detail: dict[str, Any] | None  # a JSON object: the typed detail of the category
    # A record taken from another hub's change feed: where it was first collected (hub URN,
    # source agency's uscc/name/family/level/region, stream). Stored under that agency.
    origin: dict[str, str] | None
    # Set instead of the content when the other hub says to stop using the record
    # (REVOKED by its source, or REPAIRED); with source_ref and origin only.
    withdrawn: str | None


class RosterEntry(TypedDict, total=False):
    """Not a credit record: who works where (the HR roster), for the hub's subject registry."""

    roster: bool  # always True: tells the engine this is no credit record
    subject_id_number: str
    subject_name: str
    agency_uscc: str
    post: str | None
    status: str
    updated_at: str | None


RECORD_FIELDS = frozenset(SourceRecord.__annotations__)


def source_record(values: Mapping[str, Any]) -> SourceRecord:
    """The one place a mapping's dict becomes a typed SourceRecord: a key outside the
    vocabulary is a bug in the mapping, refused here rather than lost downstream."""
    unknown = set(values) - RECORD_FIELDS
    if unknown:
        raise TypeError(f"not fields of a SourceRecord: {sorted(unknown)}")
    return cast(SourceRecord, dict(values))


def stored_record(values: Mapping[str, Any]) -> SourceRecord | RosterEntry:
    """A record as it was kept (the quarantine stores them as JSON), typed again."""
    if values.get("roster"):
        return cast(RosterEntry, dict(values))
    return source_record(values)


class ConnectorError(Exception):
    """Base of the three kinds the runner distinguishes. `operator_detail` is for the log."""

    def __init__(self, message: str, operator_detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.operator_detail = operator_detail


class ConfigError(ConnectorError):
    """The configuration is wrong (path, URL, credentials): stop and tell the operator."""


class TransientError(ConnectorError):
    """The source is momentarily unavailable: retry with backoff."""


class SourceDataError(ConnectorError):
    """One row cannot be read: quarantine it and go on."""

    def __init__(self, message: str, field: str = "row") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Stream:
    name: str
    key_fields: tuple[str, ...]
    cursor_field: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Row:
    stream: str
    raw: Mapping[str, Any]
    location: str  # "export.csv:17", "page 3, item 5"
    record: SourceRecord | RosterEntry | None = None
    # Set instead of `record` when the mapping could not read the row: (field, reason).
    problem: tuple[str, str] | None = None


@dataclass(frozen=True)
class Checkpoint:
    """State after every row yielded so far; the engine commits it with those rows."""

    stream: str
    state: Mapping[str, Any] = field(default_factory=dict)
    # Facts about the source worth recording on the run (e.g. the encoding detected).
    notes: Mapping[str, str] = field(default_factory=dict)


# The most rows the hub applies in one transaction: a checkpoint comes at least this often.
MAX_CHECKPOINT_EVERY = 5000


def option(
    help: str, *, secret: bool = False, choices: tuple[str, ...] = (), flag: str | None = None
) -> dict[str, Any]:
    """Metadata of a config field, from which the operator's `hub sync` options are made:
    `help` says what to give; a `secret` is read from an environment variable named on the
    command line, never typed there; `choices` lists the values allowed; `flag` names the
    option when the field's name would read badly (`--file` for `path`)."""
    return {"help": help, "secret": secret, "choices": choices, "flag": flag}


class Connector(Protocol, Generic[Config]):
    name: str
    # The family of agencies whose systems it reads (COURT, DISCIPLINE, HR, FINANCE): the hub
    # refuses to run it for an agency of another family unless the operator overrides.
    family: str

    def spec(self) -> type[Config]:
        """A frozen dataclass; each field's metadata is an `option(...)`."""
        ...

    def describe(self, config: Config) -> str:
        """Where the rows come from, for the run record: a path or URL, never a credential."""
        ...

    def remap(
        self, stream: str, raw: Mapping[str, Any], today: date
    ) -> Sequence[SourceRecord | RosterEntry]:
        """The family's mapping as it is now, for replaying a quarantined raw row."""
        ...

    def check(self, config: Config) -> None: ...

    def discover(self, config: Config) -> list[Stream]: ...

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]: ...


def mapped(stream: str, raw: Mapping[str, Any], location: str, mapping: Any) -> Row:
    """Applies a family's pure mapping to one raw row; a SourceDataError becomes a problem."""
    try:
        return Row(stream, raw, location, record=mapping(raw))
    except SourceDataError as exc:
        return Row(stream, raw, location, problem=(exc.field, exc.message))
