"""Prometheus metrics of one application, served at `/metrics`.

Each application has its own registry (tests build many). Labels take values from a bounded
set only: operations are labelled by their first root field, one of the schema's, never by
the client-chosen operationName; anything else is `unknown`."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, FieldNode, OperationDefinitionNode
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
)

from hub.web.ingest_metrics import IngestCollector
from hub.web.lifecycle_metrics import LifecycleCollector

UNKNOWN = "unknown"
UNSELECTED = "unselected"
CHECK_FIELDS = frozenset({"check", "checks"})

# Outcomes of a /graphql request.
OK = "ok"  # executed, no errors
ERROR = "error"  # executed or validated, with expected errors (bad input, forbidden …)
INTERNAL = "internal"  # an unexpected failure; the transaction was rolled back
REJECTED = "rejected"  # refused before execution (method, media type, size, batch, token)
RATE_LIMITED = "rate_limited"
UNAVAILABLE = "unavailable"  # the database could not be reached; nothing was kept


@dataclass
class Exchange:
    """What the handler learns about one request, for the counters."""

    operation: str = UNKNOWN
    outcome: str = REJECTED


class Metrics:
    def __init__(self, operations: frozenset[str]) -> None:
        self.operations = operations
        self.registry = CollectorRegistry()
        self.ingest = IngestCollector(self.registry)  # read from the database at each scrape
        self.lifecycle = LifecycleCollector(self.registry)
        self.requests = Counter(
            "hub_graphql_requests",
            "GraphQL requests by first root field and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hub_graphql_request_seconds",
            "Time to answer a GraphQL request, from the handler's start to its response.",
            ["operation"],
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30),
            registry=self.registry,
        )
        self.verdicts = Counter(
            "hub_check_verdicts",
            "Checks answered (and stored) by purpose and verdict, as the responses carried "
            "them; 'unselected' when the client did not ask for the field.",
            ["purpose", "verdict"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "hub_rate_limited",
            "Requests refused with RATE_LIMITED, by client id ('anonymous' for callers "
            "limited by address).",
            ["client"],
            registry=self.registry,
        )
        self.unlisted_operations = Counter(
            "hub_unlisted_operations",
            "Operations outside the client's persisted operations list, by client id and "
            "mode: 'enforce' were refused, 'measure' ran.",
            ["client", "mode"],
            registry=self.registry,
        )

    @contextmanager
    def graphql_request(self) -> Iterator[Exchange]:
        exchange = Exchange()
        started = time.perf_counter()
        try:
            yield exchange
        except BaseException:
            exchange.outcome = INTERNAL
            raise
        finally:
            operation = exchange.operation if exchange.operation in self.operations else UNKNOWN
            self.requests.labels(operation, exchange.outcome).inc()
            self.latency.labels(operation).observe(time.perf_counter() - started)

    def count_verdicts(self, fields: list[FieldNode], data: Any) -> None:
        """Counts the answers of the `check`/`checks` fields among the executed root fields."""
        if not isinstance(data, dict):
            return
        counts: collections.Counter[tuple[str, str]] = collections.Counter()
        for field in fields:
            if field.name.value not in CHECK_FIELDS:
                continue
            purpose, verdict = _subfield_key(field, "purpose"), _subfield_key(field, "verdict")
            answer = data.get(_key(field))
            for check in answer if isinstance(answer, list) else [answer]:
                if isinstance(check, dict):  # null: that input was not answered
                    counts[check.get(purpose, UNSELECTED), check.get(verdict, UNSELECTED)] += 1
        for labels, count in counts.items():  # a 10,000-check batch is a few increments
            self.verdicts.labels(*labels).inc(count)


def root_fields(document: DocumentNode | None, operation_name: str | None) -> list[FieldNode]:
    """The root fields the request executes; fragments at the root are not followed (the
    operation is then `unknown` and no check is counted from it)."""
    if document is None:
        return []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return []
    return [s for s in operations[0].selection_set.selections if isinstance(s, FieldNode)]


def _key(field: FieldNode) -> str:
    return (field.alias or field.name).value


def _subfield_key(field: FieldNode, name: str) -> str | None:
    # Followed through aliases, so that `purpose: reference` cannot pass a free-text value
    # off as a label.
    for selection in field.selection_set.selections if field.selection_set else ():
        if isinstance(selection, FieldNode) and selection.name.value == name:
            return _key(selection)
    return None
