"""Another hub's change feed (逐级归集: a city hub read by its province), applied through the
ingest engine; records keep their origin hub, source agency and 文号."""

from connectors.hub.connector import Config, HubConnector

__all__ = ["Config", "HubConnector"]
