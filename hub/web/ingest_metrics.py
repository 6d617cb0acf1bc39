"""Ingest metrics on the hub's `/metrics`, read from the database at scrape time.

Ingest runs in `hub sync` processes, which serve no `/metrics` and end when their run does.
The one place every such process writes is the database: each run's counts (committed chunk
by chunk) in `ingest_runs`, its rejected rows in `quarantined_rows`. So each scrape sums those
tables: every hub instance answers the same numbers, they survive restarts, and a long run's
rows show up as its chunks commit.

Counters are sums over rows that are never deleted, so they only grow. If the database cannot
answer in time, the ingest families are left out (Prometheus marks them stale rather than
keeping numbers that may be wrong), `hub_ingest_scrape_success` is 0, and the rest of
`/metrics` is served as usual."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.ingest.service import StreamTotals, stream_totals

log = logging.getLogger("hub.web")

# Well inside Prometheus's default scrape timeout (10 s), so that a slow database costs the
# ingest families of one scrape, never the whole scrape.
SCRAPE_TIMEOUT = 3.0

FINISHED = ("SUCCEEDED", "FAILED")
STREAM = ["connector", "stream"]


class IngestCollector:
    """Serves the snapshot taken by the latest `refresh` (a prometheus-client collector is
    synchronous; the query is not, so the endpoint refreshes before it renders)."""

    def __init__(self, registry: CollectorRegistry, timeout: float = SCRAPE_TIMEOUT) -> None:
        self.timeout = timeout
        self._totals: list[StreamTotals] | None = None
        self._seconds = 0.0
        registry.register(self)

    async def refresh(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout), sessions() as session:
                self._totals = await stream_totals(session)
        except Exception as exc:  # whatever keeps the database from answering: report, not fail
            log.warning("ingest metrics left out of this scrape: %s", type(exc).__name__)
            self._totals = None
        self._seconds = time.perf_counter() - started

    def describe(self) -> Iterable[Metric]:
        return [*self._scrape_families(), *ingest_families([])]

    def collect(self) -> Iterable[Metric]:
        families = self._scrape_families()
        if self._totals is not None:
            families += ingest_families(self._totals)
        return families

    def _scrape_families(self) -> list[Metric]:
        return [
            GaugeMetricFamily(
                "hub_ingest_scrape_success",
                "1 if the ingest metrics were read from the database for this scrape, else 0 "
                "(then the other hub_ingest_* families are absent).",
                value=0 if self._totals is None else 1,
            ),
            GaugeMetricFamily(
                "hub_ingest_scrape_duration_seconds",
                "Time spent reading the ingest metrics from the database for this scrape.",
                value=self._seconds,
            ),
        ]


def ingest_families(totals: Iterable[StreamTotals]) -> list[Metric]:
    rows_read = CounterMetricFamily(
        "hub_ingest_rows_read",
        "Rows read from the agencies' sources by ingest runs (committed chunks).",
        labels=STREAM,
    )
    rows = CounterMetricFamily(
        "hub_ingest_rows",
        "What ingest runs made of the rows they read: records inserted, updated or unchanged, "
        "rows quarantined.",
        labels=[*STREAM, "outcome"],
    )
    runs = CounterMetricFamily(
        "hub_ingest_runs",
        "Finished ingest runs by status; a run cut off by a crash counts as FAILED from the "
        "start of the next run of its stream.",
        labels=[*STREAM, "status"],
    )
    running = GaugeMetricFamily(
        "hub_ingest_runs_running",
        "Ingest runs started and not finished (or cut off, until the next run of the stream).",
        labels=STREAM,
    )
    last_success = GaugeMetricFamily(
        "hub_ingest_last_success_timestamp_seconds",
        "When the latest successful run of the stream finished, in Unix time.",
        labels=STREAM,
    )
    open_quarantine = GaugeMetricFamily(
        "hub_ingest_quarantine_open_rows",
        "Quarantined rows not yet resolved (`hub quarantine list`).",
        labels=STREAM,
    )
    for t in totals:
        stream = [t.connector, t.stream]
        rows_read.add_metric(stream, t.rows_read)
        for outcome, count in (
            ("inserted", t.inserted),
            ("updated", t.updated),
            ("unchanged", t.unchanged),
            ("quarantined", t.quarantined),
        ):
            rows.add_metric([*stream, outcome], count)
        for status in sorted({*FINISHED, *t.runs} - {"RUNNING"}):
            runs.add_metric([*stream, status], t.runs.get(status, 0))
        running.add_metric(stream, t.runs.get("RUNNING", 0))
        if t.last_success is not None:
            last_success.add_metric(stream, t.last_success.timestamp())
        open_quarantine.add_metric(stream, t.open_quarantine)
    return [rows_read, rows, runs, running, last_success, open_quarantine]
