"""Reading a source in a process of its own, chunk by chunk.

The connector's read (parsing the file or the pages, the family's mapping) and the sorting,
normalisation and validation of each chunk are pure work on the source's rows: about half
of an ingest's CPU. Python runs one thread at a time, so a reading thread only overlapped
the database's waits; in a child process this work runs on another core while the hub's
process stores the chunk before. Only whole chunks cross between the two, pickled
(10–20 µs of the hub's CPU a row to receive, against ~80 µs of work moved).

What this asks of a connector: it, its config and the stream pickle (they are sent to the
child), and what its `read` changes on itself stays in the child, unseen by the hub's
process. Every exception a read raises reaches the engine as it was raised (ConnectorError
keeps its fields across the pipe), so retries and the run's record are unchanged.

The child is always one chunk ahead at most: it reads the next chunk when asked, so memory
stays flat whatever the size of the source. It ends when the hub closes the reader, and on
its own when the hub's process ends (its end of the pipe closes): a killed `hub sync`
leaves no reader behind. Children are forked from a server process that has the ingest
modules imported already (multiprocessing's forkserver), so starting one per run or retry
costs milliseconds, not an interpreter's start.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
import signal
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

from connectors.base import Checkpoint, Row, Stream
from hub.garbage import collected_for_bulk_work
from hub.ingest.chunk import SortedRows, sort_rows

Chunk = tuple[SortedRows, Checkpoint | None]

_CONTEXT = multiprocessing.get_context("forkserver")
# Imported once in the fork server, so that a reader's first chunk does not wait for them.
_CONTEXT.set_forkserver_preload([__name__, "connectors.registry"])
_NEXT = b"next"
_CLOSE_WAIT_SECONDS = 5.0


class ReaderGone(RuntimeError):
    """The reading process ended without an answer (killed, out of memory)."""


class ChunkReader:
    """The chunks of one read of a source, from its cursor state: `next_chunk` until one
    comes back empty with no checkpoint; `close` in every case."""

    def __init__(
        self, connector: Any, config: Any, stream: Stream, state: Mapping[str, Any]
    ) -> None:
        self._connection, child_end = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(
            target=_serve,
            args=(child_end, connector, config, stream, dict(state)),
            name=f"hub-read-{getattr(connector, 'name', 'source')}",
            daemon=True,
        )
        self._process.start()
        child_end.close()

    async def next_chunk(self) -> Chunk:
        """The rows up to and including the next checkpoint, sorted for storing."""
        return await asyncio.to_thread(self._exchange)

    def _exchange(self) -> Chunk:
        try:
            self._connection.send_bytes(_NEXT)
            kind, value = pickle.loads(self._connection.recv_bytes())
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self._process.join(_CLOSE_WAIT_SECONDS)
            raise ReaderGone(
                f"the process reading the source ended (exit code {self._process.exitcode})"
            ) from None
        if kind == "error":
            raise value
        chunk: Chunk = value
        return chunk

    def close(self) -> None:
        """Ends the child: closing our end tells it to stop; one stuck in a read is killed."""
        self._connection.close()
        self._process.join(_CLOSE_WAIT_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._process.close()


def take_chunk(rows: Iterator[Row | Checkpoint]) -> Chunk:
    """Rows up to and including the next checkpoint (connectors yield one every N rows),
    sorted for storing."""
    chunk: list[Row] = []
    for item in rows:
        if isinstance(item, Checkpoint):
            return sort_rows(chunk), item
        chunk.append(item)
    return sort_rows(chunk), None


def _serve(
    connection: Connection, connector: Any, config: Any, stream: Stream, state: dict[str, Any]
) -> None:
    """The child: one chunk per request, until the hub closes its end or an error ends the
    read (sent to the hub, which decides what it means)."""
    # Ctrl-C in a terminal reaches the whole process group; the hub decides for its reader.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with collected_for_bulk_work():
        _answer_requests(connection, connector, config, stream, state)


def _answer_requests(
    connection: Connection, connector: Any, config: Any, stream: Stream, state: dict[str, Any]
) -> None:
    rows: Iterator[Row | Checkpoint] | None = None
    try:
        while connection.recv_bytes() == _NEXT:
            try:
                if rows is None:
                    rows = iter(connector.read(config, stream, state))
                answer: tuple[str, Any] = ("chunk", take_chunk(rows))
            except Exception as exc:
                connection.send_bytes(_pickled_error(exc))
                return
            connection.send_bytes(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the hub closed the reader, or its process ended
    finally:
        # A connector's open file or workbook, its HTTP client: closed with its generator.
        close = getattr(rows, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()


def _pickled_error(exc: Exception) -> bytes:
    try:
        return pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
    except Exception:
        # An exception that does not pickle still reaches the hub, by its kind and message.
        stand_in = RuntimeError(f"{type(exc).__name__}: {exc}")
        return pickle.dumps(("error", stand_in), pickle.HIGHEST_PROTOCOL)
