"""Every connector the hub can run, by name: the one list the CLI (`hub sync <name>`) and the
ingest engine (replaying quarantined rows with the mapping as it is now) both read."""

from __future__ import annotations

from typing import Any

from connectors.base import ConfigError, Connector
from connectors.court import CourtConnector
from connectors.discipline import DisciplineConnector
from connectors.finance import FinanceConnector
from connectors.hr import HrConnector
from connectors.hub import HubConnector

CONNECTORS: dict[str, Connector[Any]] = {
    connector.name: connector
    for connector in (
        CourtConnector(),
        DisciplineConnector(),
        HrConnector(),
        FinanceConnector(),
        HubConnector(),
    )
}


def connector_named(name: str) -> Connector[Any]:
    found = CONNECTORS.get(name)
    if found is None:
        raise ConfigError(f"no connector {name!r}; the hub has {', '.join(CONNECTORS)}")
    return found
