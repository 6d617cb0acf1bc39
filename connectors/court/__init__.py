"""Court sources: 失信被执行人 entries and judgments against government bodies (file drops)."""

from connectors.court.connector import STREAMS, Config, CourtConnector

__all__ = ["STREAMS", "Config", "CourtConnector"]
