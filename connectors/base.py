"""The connector interface, in the spirit of the Airbyte and Singer protocols.

A connector answers four questions and only *yields*; the hub's ingest engine owns
validation, storage and state. Connectors never import `hub` or `schema`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

Config = TypeVar("Config")


class ConnectorError(Exception):
    """Base of the three kinds the runner distinguishes."""


class ConfigError(ConnectorError):
    """The configuration is wrong (path, URL, credentials): stop and tell the operator."""


class TransientError(ConnectorError):
    """The source is momentarily unavailable: retry with backoff."""


class SourceDataError(ConnectorError):
    """One row cannot be read: quarantine it and go on."""


@dataclass(frozen=True)
class Stream:
    name: str
    key_fields: tuple[str, ...]
    cursor_field: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Row:
    """A raw row as the source gave it, and where it came from (file and row, page and index)."""

    stream: str
    data: Mapping[str, Any]
    location: str


@dataclass(frozen=True)
class Checkpoint:
    """State after the rows yielded so far; committed with them by the ingest engine."""

    stream: str
    state: Mapping[str, Any] = field(default_factory=dict)


class Connector(Protocol, Generic[Config]):
    name: str

    def spec(self) -> type[Config]:
        """The typed config model; its field docstrings are the operator's documentation."""
        ...

    def check(self, config: Config) -> None:
        """Raise ConfigError or TransientError if the source cannot be reached."""
        ...

    def discover(self, config: Config) -> list[Stream]: ...

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]: ...
