"""Workflow gauges on `/metrics`, read from the database at scrape time (like the ingest
families): open and overdue objections (异议逾期未处理), pending and overdue repair decisions,
失信线索 by state and their time to decision, and open 监测预警 warnings by rule and level."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import date

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.alerts.service import open_counts
from hub.clues.service import clue_figures
from hub.lifecycle.service import workflow_counts
from hub.web.ingest_metrics import SCRAPE_TIMEOUT

log = logging.getLogger("hub.web")

HELP = {
    "objections_open": "Objections (异议) open, acknowledged or upheld and not yet corrected.",
    "objections_overdue": "Open objections past their running deadline (异议逾期未处理).",
    "repairs_pending": "信用修复 applications waiting for the source agency's decision.",
    "repairs_overdue": "Pending repair applications past their decision deadline.",
    "clues_open": "失信线索 waiting for the competent agency's verification.",
    "clues_verified": "失信线索 verified (查证属实).",
    "clues_dismissed": "失信线索 dismissed with reasons (不予采信).",
    "clues_overdue": "Open 失信线索 past their deadline.",
    "clue_decision_days_mean": "Mean days from receiving a 失信线索 to its decision.",
}
WARNINGS = "hub_warnings_open"
WARNINGS_HELP = "监测预警 warnings not yet closed, by rule and level."


class LifecycleCollector:
    def __init__(self, registry: CollectorRegistry, timeout: float = SCRAPE_TIMEOUT) -> None:
        self.timeout = timeout
        self._counts: dict[str, float] | None = None
        self._warnings: dict[tuple[str, str], int] = {}
        registry.register(self)

    async def refresh(
        self, sessions: async_sessionmaker[AsyncSession], today: Callable[[], date]
    ) -> None:
        try:
            async with asyncio.timeout(self.timeout), sessions() as session:
                day = today()
                counts: dict[str, float] = dict(await workflow_counts(session, day))
                counts |= await clue_figures(session, day)
                self._warnings = await open_counts(session)
                self._counts = counts
        except Exception as exc:  # the database did not answer: leave the gauges out
            log.warning("workflow metrics left out of this scrape: %s", type(exc).__name__)
            self._counts = None

    def describe(self) -> Iterable[Metric]:
        families = [GaugeMetricFamily(f"hub_{name}", text) for name, text in HELP.items()]
        return [*families, GaugeMetricFamily(WARNINGS, WARNINGS_HELP, labels=["rule", "level"])]

    def collect(self) -> Iterable[Metric]:
        if self._counts is None:
            return []
        warnings = GaugeMetricFamily(WARNINGS, WARNINGS_HELP, labels=["rule", "level"])
        for (rule, level), count in sorted(self._warnings.items()):
            warnings.add_metric([rule, level], count)
        families = [
            GaugeMetricFamily(f"hub_{name}", HELP[name], value=self._counts[name]) for name in HELP
        ]
        return [*families, warnings]
