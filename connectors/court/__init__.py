"""Court sources: 失信被执行人 entries and judgments against government bodies (file drops)."""

from connectors.court.connector import STREAMS, Config, CourtConnector

# The name the hub's CLI imports, beside the `Config` every family exports.
CourtConfig = Config

__all__ = ["STREAMS", "Config", "CourtConfig", "CourtConnector"]
