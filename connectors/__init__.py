"""Source connectors: one package per source family, all implementing connectors.base."""

from connectors.base import (
    RECORD_FIELDS,
    Checkpoint,
    ConfigError,
    Connector,
    ConnectorError,
    Row,
    SourceDataError,
    Stream,
    TransientError,
)

__all__ = [
    "RECORD_FIELDS",
    "Checkpoint",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "Row",
    "SourceDataError",
    "Stream",
    "TransientError",
]
