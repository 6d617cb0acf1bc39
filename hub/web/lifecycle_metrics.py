"""Workflow gauges on `/metrics`, read from the database at scrape time (like the ingest
families): open and overdue objections (异议逾期未处理), pending and overdue repair decisions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import date

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.lifecycle.service import workflow_counts
from hub.web.ingest_metrics import SCRAPE_TIMEOUT

log = logging.getLogger("hub.web")

HELP = {
    "objections_open": "Objections (异议) open, acknowledged or upheld and not yet corrected.",
    "objections_overdue": "Open objections past their running deadline (异议逾期未处理).",
    "repairs_pending": "信用修复 applications waiting for the source agency's decision.",
    "repairs_overdue": "Pending repair applications past their decision deadline.",
}


class LifecycleCollector:
    def __init__(self, registry: CollectorRegistry, timeout: float = SCRAPE_TIMEOUT) -> None:
        self.timeout = timeout
        self._counts: dict[str, int] | None = None
        registry.register(self)

    async def refresh(
        self, sessions: async_sessionmaker[AsyncSession], today: Callable[[], date]
    ) -> None:
        try:
            async with asyncio.timeout(self.timeout), sessions() as session:
                self._counts = await workflow_counts(session, today())
        except Exception as exc:  # the database did not answer: leave the gauges out
            log.warning("workflow metrics left out of this scrape: %s", type(exc).__name__)
            self._counts = None

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(f"hub_{name}", text) for name, text in HELP.items()]

    def collect(self) -> Iterable[Metric]:
        if self._counts is None:
            return []
        return [
            GaugeMetricFamily(f"hub_{name}", HELP[name], value=self._counts[name]) for name in HELP
        ]
