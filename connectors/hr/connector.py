"""The HR system: a SQL view in its own database (any synchronous SQLAlchemy URL), read
incrementally on `updated_at`, or a CSV export of the same columns. One stream per config.

SQL: rows come ordered by (updated_at, key) in pages of `checkpoint_every`; the state after a
page is the last (updated_at, key), and the next page starts strictly after it — so rows that
share a timestamp are neither skipped nor repeated (the dlt boundary)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    String,
    and_,
    column,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy import table as table_clause
from sqlalchemy.engine import URL, Engine, create_engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    NoSuchTableError,
    OperationalError,
)
from sqlalchemy.sql.expression import TableClause, bindparam
from sqlalchemy.types import TypeEngine

from connectors.base import (
    Checkpoint,
    ConfigError,
    RosterEntry,
    Row,
    SourceRecord,
    Stream,
    TransientError,
    mapped,
    option,
)
from connectors.files import TabularFile, encoding_label, header_key, open_tabular, resumable_rows
from connectors.hr.mapping import ALIASES, COLUMNS, MAPPINGS, REQUIRED, key_field, label

STREAMS = {
    name: Stream(name, (key_field(name),), "updated_at", description)
    for name, description in (
        ("appraisals", "年度考核结果, one row per 记录编号"),
        ("exam_misconduct", "录用违规违纪处理决定, one row per 处理决定文号"),
        ("dismissals", "辞退决定, one row per 辞退决定文号"),
        ("roster", "人员名册 (person → agency, post, status); not credit records"),
    )
}
# Schema-qualified at most once; anything else is refused rather than quoted into SQL.
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
CURSOR = "updated_at"
_LOGIN_REFUSED = ("password", "authentication", "does not exist", "permission denied", "role ")


@dataclass(frozen=True)
class Config:
    stream: str = field(
        metadata=option(
            "Which stream this source feeds.",
            choices=("roster", "appraisals", "exam_misconduct", "dismissals"),
        )
    )
    url: str | None = field(
        default=None,
        metadata=option(
            "SQLAlchemy URL of the HR system's database (postgresql+psycopg://…, sqlite:///…), "
            "with --table; or give --file.",
            flag="--sql-url",
        ),
    )
    table: str | None = field(
        default=None,
        metadata=option("The view (or table) to read, optionally schema.view, with --sql-url."),
    )
    path: str | None = field(
        default=None,
        metadata=option(
            "A CSV export with the stream's Chinese headers, instead of --sql-url.", flag="--file"
        ),
    )
    checkpoint_every: int = field(
        default=1000,
        metadata=option("Rows per transaction and SQL page: memory stays flat at one page."),
    )


class HrConnector:
    """One class for both transports: a config names `url` + `table` or `path`."""

    name = "hr"
    family = "HR"  # the agencies whose systems this reads (AgencyFamily)

    def spec(self) -> type[Config]:
        return Config

    def check(self, config: Config) -> None:
        if _validated(config) == "sql":
            with _sql_engine(config) as engine:
                _select_columns(engine, config)
        else:
            _csv_file(config)

    def describe(self, config: Config) -> str:
        # The run record names its source; a database password must not be in it.
        if config.url:
            return f"{make_url(config.url).render_as_string(hide_password=True)} {config.table}"
        return str(config.path)

    def remap(
        self, stream: str, raw: Mapping[str, Any], today: date
    ) -> Sequence[SourceRecord | RosterEntry]:
        mapping = MAPPINGS.get(stream)
        if mapping is None:
            raise ConfigError(f"unknown stream {stream!r}; use one of {', '.join(STREAMS)}")
        return [mapping(raw)]

    def discover(self, config: Config) -> list[Stream]:
        # A CSV export is read whole, resumably: it has no cursor field.
        cursor = CURSOR if _validated(config) == "sql" else None
        return [replace(STREAMS[config.stream], cursor_field=cursor)]

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]:
        source = _validated(config)
        if stream.name != config.stream:
            raise ConfigError(f"this source feeds {config.stream!r}, not {stream.name!r}")
        if source == "sql":
            yield from _read_sql(config, state)
        else:
            yield from _read_csv(config, state)


def _validated(config: Config) -> str:
    if config.stream not in STREAMS:
        raise ConfigError(f"unknown stream {config.stream!r}; use one of {', '.join(STREAMS)}")
    if config.checkpoint_every < 1:
        raise ConfigError(f"checkpoint_every must be at least 1, not {config.checkpoint_every}")
    if (config.url is None) == (config.path is None):
        raise ConfigError("give either `url` (with `table`) for the SQL view, or `path` for CSV")
    if config.url is None:
        return "csv"
    if not config.table or not TABLE_NAME.match(config.table):
        raise ConfigError(
            f"table {config.table!r} is not a plain name: use letters, digits and _, "
            "optionally schema-qualified as schema.view"
        )
    return "sql"


# -- SQL view --


@contextmanager
def _sql_engine(config: Config) -> Iterator[Engine]:
    """An engine for the configured URL, disposed on exit; refuses what could never work."""
    url = _parsed_url(config.url or "")
    try:
        engine = create_engine(url)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"no driver installed for {url.drivername!r}: install it, or name another "
            "synchronous driver in the URL",
            operator_detail=str(exc),
        ) from exc
    try:
        yield engine
    finally:
        engine.dispose()


def _parsed_url(url: str) -> URL:
    try:
        parsed = make_url(url)
        dialect = parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise ConfigError(f"not a usable SQLAlchemy URL: {exc}") from exc
    if getattr(dialect, "is_async", False):
        raise ConfigError(
            f"{parsed.drivername!r} is an asyncio driver; this connector reads synchronously: "
            "use e.g. postgresql+psycopg:// or sqlite:///"
        )
    # SQLite would silently create an empty database at a mistyped path.
    database = parsed.database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and on_disk and not Path(database).is_file():
        raise ConfigError(f"no SQLite database at {database}")
    return parsed


def _select_columns(engine: Engine, config: Config) -> list[str]:
    """The view's columns this stream uses, as the database spells them; ConfigError names
    the required ones that are missing."""
    schema, name = _table_parts(config.table or "")
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        raise _connection_error(exc, engine.url) from exc
    with connection:
        try:
            reflected = inspect(connection).get_columns(name, schema=schema)
        except NoSuchTableError as exc:
            raise ConfigError(f"no table or view {config.table!r} in the HR database") from exc
        except DBAPIError as exc:
            raise ConfigError(
                f"cannot read the columns of {config.table!r}: {type(exc.orig).__name__}",
                operator_detail=str(exc),
            ) from exc
    present = {str(col["name"]).lower(): str(col["name"]) for col in reflected}
    wanted = [*COLUMNS[config.stream], CURSOR]
    missing = [f for f in (*REQUIRED[config.stream], CURSOR) if f not in present]
    if missing:
        raise ConfigError(
            f"{config.table} lacks column(s) {', '.join(missing)}; a {config.stream} view has "
            f"{', '.join(dict.fromkeys(wanted))}"
        )
    return [present[field] for field in dict.fromkeys(wanted) if field in present]


def _table_parts(name: str) -> tuple[str | None, str]:
    schema, _, table = name.rpartition(".")
    return schema or None, table


def _connection_error(exc: DBAPIError, url: URL) -> ConfigError | TransientError:
    where = url.render_as_string(hide_password=True)
    detail = str(exc.orig or exc)
    first_line = detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__
    if any(word in detail.lower() for word in _LOGIN_REFUSED):
        return ConfigError(f"{where} refused the login or database: {first_line}", detail)
    return TransientError(f"cannot reach {where}: {first_line}; retry later", detail)


def _read_sql(config: Config, state: Mapping[str, Any]) -> Iterator[Row | Checkpoint]:
    stream = config.stream
    with _sql_engine(config) as engine:
        view = _view(config.table or "", _select_columns(engine, config))
        cursor, key = _columns_named(view, CURSOR), _columns_named(view, key_field(stream))
        notes = {"format": "sql"} | _uncursored(engine, view, cursor, key)
        after = _boundary(state)
        while True:
            query = select(*view.c).where(cursor.is_not(None), key.is_not(None))
            if after is not None:
                query = query.where(_after(cursor, key, after))
            page = _fetch(engine, query.order_by(cursor, key).limit(config.checkpoint_every))
            if page:
                after = (page[-1][cursor.name], page[-1][key.name])
            # Built before the page's rows go out: a cursor it cannot hold fails the run cleanly.
            checkpoint = Checkpoint(stream, _sql_state(after), notes)
            for row in page:
                raw = {name: _jsonable(value) for name, value in row.items()}
                location = f"{config.table}: {key.name}={raw[key.name]}"
                yield mapped(stream, raw, location, MAPPINGS[stream])
            yield checkpoint
            notes = {}
            if len(page) < config.checkpoint_every:
                return


def _fetch(engine: Engine, query: Any) -> list[dict[str, Any]]:
    # A connection per query: the HR database holds no transaction while the hub works.
    try:
        with engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]
    except (OperationalError, InterfaceError) as exc:
        raise _connection_error(exc, engine.url) from exc


def _view(name: str, names: list[str]) -> TableClause:
    # A lightweight table() quotes each identifier as needed and needs no reflection of types.
    schema, table = _table_parts(name)
    return table_clause(table, *(column(n) for n in names), schema=schema)


def _columns_named(view: TableClause, field: str) -> Any:
    return next(c for c in view.c if c.name.lower() == field)


def _uncursored(engine: Engine, view: TableClause, cursor: Any, key: Any) -> dict[str, str]:
    """A note counting the rows without updated_at or key: they cannot be placed on the
    cursor, and are read once they have both."""
    query = select(func.count().label("n")).select_from(view)
    [counted] = _fetch(engine, query.where(or_(cursor.is_(None), key.is_(None))))
    return {"rows_without_updated_at_or_key": str(counted["n"])} if counted["n"] else {}


def _after(cursor: Any, key: Any, after: tuple[Any, Any]) -> Any:
    bound, last_key = after
    # Typed binds, so that drivers that cast parameters (psycopg) compare like with like.
    u = bindparam("cursor_after", bound, type_=_bind_type(bound))
    k = bindparam("key_after", last_key, type_=_bind_type(last_key))
    return or_(cursor > u, and_(cursor == u, key > k))


def _bind_type(value: Any) -> TypeEngine[Any]:
    if isinstance(value, datetime):
        return DateTime(timezone=value.tzinfo is not None)
    if isinstance(value, date):
        return Date()
    if isinstance(value, int):
        return Integer()
    return Float() if isinstance(value, float) else String()


# The cursor keeps its type through JSON: a timestamp column gives datetime, a text column
# (SQLite) its exact text — comparing a re-formatted value would skip or repeat rows.
_CURSOR_KINDS = {"datetime": datetime.fromisoformat, "date": date.fromisoformat}


def _sql_state(after: tuple[Any, Any] | None) -> dict[str, Any]:
    if after is None:
        return {}
    value, key = after
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise ConfigError(f"the key column must be text or integer, not {type(key).__name__}")
    if isinstance(value, datetime):
        return {CURSOR: value.isoformat(), "cursor_type": "datetime", "key": key}
    if isinstance(value, date):
        return {CURSOR: value.isoformat(), "cursor_type": "date", "key": key}
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {CURSOR: value, "cursor_type": type(value).__name__, "key": key}
    raise ConfigError(f"{CURSOR} must be a timestamp, date, text or number column")


def _boundary(state: Mapping[str, Any]) -> tuple[Any, Any] | None:
    if CURSOR not in state or "key" not in state:
        return None
    parse = _CURSOR_KINDS.get(str(state.get("cursor_type")))
    return (parse(state[CURSOR]) if parse else state[CURSOR]), state["key"]


def _jsonable(value: Any) -> Any:
    """Raw values are kept as JSON (the quarantine stores them)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# -- CSV export --


def _csv_file(config: Config) -> TabularFile:
    export = open_tabular(Path(config.path or ""), "csv")
    present = {header_key(n) for n in export.header()}
    missing = [
        label(config.stream, field)
        for field in REQUIRED[config.stream]
        if not any(header_key(a) in present for a in (field, *ALIASES[field]))
    ]
    if missing:
        expected = "、".join(COLUMNS[config.stream].values())
        raise ConfigError(
            f"{export.path.name} is not a {config.stream} export: missing column(s) "
            f"{', '.join(missing)}; the first row must name the columns ({expected})"
        )
    return export


def _read_csv(config: Config, state: Mapping[str, Any]) -> Iterator[Row | Checkpoint]:
    export = _csv_file(config)
    notes = {"format": "csv", "encoding": encoding_label(export.encoding or "utf-8-sig")}
    yield from resumable_rows(
        export.path,
        export.rows(),
        stream=config.stream,
        state=state,
        every=config.checkpoint_every,
        notes=notes,
        mapping=MAPPINGS[config.stream],
    )
