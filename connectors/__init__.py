"""Source connectors: one package per source family, all implementing connectors.base."""

from connectors.base import (
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
    "Checkpoint",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "Row",
    "SourceDataError",
    "Stream",
    "TransientError",
]
