"""The HR system's SQL view, read incrementally on updated_at from a real second SQLite
database file and from a real PostgreSQL schema (dropped afterwards)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from support import postgres_admin_url, postgres_unreachable

from connectors.base import Checkpoint, ConfigError, Row, TransientError
from connectors.hr import STREAMS, Config, HrConnector

CONNECTOR = HrConnector()
# The suite's PostgreSQL server (HUB_TEST_POSTGRES_URL), through psycopg: the HR connector
# reads an agency's database synchronously.
PG_SERVER = make_url(postgres_admin_url()).set(drivername="postgresql+psycopg")
PERSON = "11010519491231002X"
# Several rows share a timestamp, and keys do not follow time: the boundary must hold.
TIMES = ["2025-01-05 08:00:00", "2025-01-05 08:00:00", "2025-01-06 12:30:00", "2025-01-07 00:00:00"]


@dataclass
class HrDatabase:
    url: str
    engine: Engine
    schema: str | None

    def name(self, table: str) -> str:
        return f"{self.schema}.{table}" if self.schema else table

    def execute(self, sql: str, rows: list[dict[str, Any]] | None = None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text(sql.replace("{s}", f"{self.schema}." if self.schema else "")), rows or {}
            )

    def add_appraisals(self, rows: list[tuple[int, str | None]]) -> None:
        self.execute(
            "INSERT INTO {s}appraisal_source VALUES (:id, :person, '李四', :uscc, 2024, '称职', "
            "NULL, :updated)",
            [
                {"id": i, "person": PERSON, "uscc": "11360000MB0000000K", "updated": u}
                for i, u in rows
            ],
        )


def create_schema(db: HrDatabase, timestamp: str) -> HrDatabase:
    db.execute(
        "CREATE TABLE {s}appraisal_source (record_id INTEGER, id_number TEXT, name TEXT, "
        f"agency_uscc TEXT, year INTEGER, grade TEXT, decided_at DATE, updated_at {timestamp})"
    )
    # The HR system exposes a view; its name is a reserved word, so it must be quoted.
    db.execute('CREATE VIEW {s}"order" AS SELECT * FROM {s}appraisal_source')
    db.add_appraisals([(12 - n, TIMES[n % 4]) for n in range(12)])
    return db


@pytest.fixture(params=["sqlite", "postgres"])
def hr_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HrDatabase]:
    if request.param == "sqlite":
        path = tmp_path / "hr.sqlite"
        url = f"sqlite:///{path}"
        engine = create_engine(url)
        # SQLite keeps a timestamp as the text it was given; the cursor must keep it exactly.
        yield create_schema(HrDatabase(url, engine, None), "TEXT")
        engine.dispose()
        return
    url = PG_SERVER.render_as_string(hide_password=False)
    engine = create_engine(url)
    schema = f"hr_test_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        engine.dispose()
        postgres_unreachable(type(exc).__name__)
    try:
        yield create_schema(HrDatabase(url, engine, schema), "TIMESTAMP")
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def config(db: HrDatabase, every: int = 1000, table: str = "order") -> Config:
    return Config(stream="appraisals", url=db.url, table=db.name(table), checkpoint_every=every)


def read(db: HrDatabase, state: dict[str, Any] | None = None, every: int = 1000) -> list[Any]:
    return list(CONNECTOR.read(config(db, every), STREAMS["appraisals"], state or {}))


def ids(items: list[Any]) -> list[int]:
    return [int(item.raw["record_id"]) for item in items if isinstance(item, Row)]


def in_cursor_order(rows: list[tuple[int, str]]) -> list[int]:
    return [key for key, _ in sorted(rows, key=lambda row: (row[1], row[0]))]


def test_reads_the_view_in_cursor_order(hr_db: HrDatabase) -> None:
    CONNECTOR.check(config(hr_db))
    assert CONNECTOR.discover(config(hr_db)) == [STREAMS["appraisals"]]
    assert STREAMS["appraisals"].cursor_field == "updated_at"
    items = read(hr_db)
    assert ids(items) == in_cursor_order([(12 - n, TIMES[n % 4]) for n in range(12)])
    first = items[0]
    assert first.record["category"] == "APPRAISAL_RESULT"
    assert first.record["decided_at"] == "2024-12-31"
    assert first.location == f"{hr_db.name('order')}: record_id={first.raw['record_id']}"
    assert str(first.raw["updated_at"]).startswith("2025-01-05")
    final = items[-1]
    assert isinstance(final, Checkpoint) and final.notes == {"format": "sql"}
    assert final.state["key"] == ids(items)[-1]


def test_checkpoints_after_every_page(hr_db: HrDatabase) -> None:
    items = read(hr_db, every=5)
    assert "".join("C" if isinstance(i, Checkpoint) else "R" for i in items) == "RRRRRCRRRRRCRRC"


@pytest.mark.parametrize("every", [1, 2, 3, 5, 12, 50])
def test_resuming_from_any_checkpoint_yields_exactly_the_remaining_rows(
    hr_db: HrDatabase, every: int
) -> None:
    items = read(hr_db, every=every)
    everything = ids(items)
    seen = 0
    for item in items:
        if isinstance(item, Row):
            seen += 1
            continue
        # The hub keeps the state in a JSON column.
        state = json.loads(json.dumps(item.state))
        assert everything[:seen] + ids(read(hr_db, state, every)) == everything


def test_a_later_read_gets_exactly_the_new_rows(hr_db: HrDatabase) -> None:
    state = dict(read(hr_db, every=4)[-1].state)
    last_time = TIMES[-1]
    hr_db.add_appraisals([(40, last_time), (30, "2025-02-01 09:00:00"), (13, last_time)])
    assert ids(read(hr_db, state, every=2)) == [13, 40, 30]


def test_rows_without_a_cursor_are_noted_not_read(hr_db: HrDatabase) -> None:
    hr_db.add_appraisals([(99, None)])
    items = read(hr_db)
    assert 99 not in ids(items)
    assert items[-1].notes["rows_without_updated_at_or_key"] == "1"


def test_missing_columns_are_named(hr_db: HrDatabase) -> None:
    hr_db.execute("CREATE VIEW {s}thin AS SELECT record_id, id_number FROM {s}appraisal_source")
    with pytest.raises(ConfigError) as caught:
        CONNECTOR.check(config(hr_db, table="thin"))
    assert "year, grade, updated_at" in caught.value.message


def test_a_missing_view_is_a_config_error(hr_db: HrDatabase) -> None:
    with pytest.raises(ConfigError, match="no table or view"):
        CONNECTOR.check(config(hr_db, table="no_such_view"))


@pytest.mark.parametrize(
    "table", ["v; DROP TABLE appraisal_source", "a.b.c", "1view", "v--", 'v"', ""]
)
def test_table_names_that_are_not_plain_are_refused(tmp_path: Path, table: str) -> None:
    cfg = Config(stream="appraisals", url=f"sqlite:///{tmp_path}/x.db", table=table)
    with pytest.raises(ConfigError, match="not a plain name"):
        CONNECTOR.check(cfg)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1/test", "asyncio driver"),
        ("sqlite+aiosqlite:///hr.db", "asyncio driver"),
        ("sqlite:////nonexistent/hr.db", "no SQLite database"),
        ("postgresql+nosuchdriver://h/db", "not a usable SQLAlchemy URL"),
        ("not a url", "not a usable SQLAlchemy URL"),
    ],
)
def test_urls_that_cannot_work_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CONNECTOR.check(Config(stream="appraisals", url=url, table="v"))


def test_a_roster_with_zoned_timestamps_and_text_keys(hr_db: HrDatabase) -> None:
    stamp = "TIMESTAMP WITH TIME ZONE" if hr_db.schema else "TEXT"
    hr_db.execute(
        "CREATE TABLE {s}people (id_number TEXT, name TEXT, agency_uscc TEXT, post TEXT, "
        f"status TEXT, updated_at {stamp})"
    )
    people = [(f"11010519491231{n:03d}X", "2025-03-01 10:00:00+08:00") for n in range(5)]
    hr_db.execute(
        "INSERT INTO {s}people VALUES (:id, '李四', '11360000MB0000000K', '科员', '在职', :u)",
        [{"id": i, "u": u} for i, u in people],
    )
    cfg = Config(stream="roster", url=hr_db.url, table=hr_db.name("people"), checkpoint_every=2)
    items = list(CONNECTOR.read(cfg, STREAMS["roster"], {}))
    assert [r.record["subject_id_number"] for r in items if isinstance(r, Row)] == [
        i for i, _ in people
    ]
    middle = next(i for i in items if isinstance(i, Checkpoint))
    rest = list(CONNECTOR.read(cfg, STREAMS["roster"], dict(middle.state)))
    assert [r.raw["id_number"] for r in rest if isinstance(r, Row)] == [i for i, _ in people[2:]]
    assert items[0].record["roster"] is True


def test_a_refused_connection_is_transient() -> None:
    refused = PG_SERVER.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    cfg = Config(stream="appraisals", url=refused, table="v")
    with pytest.raises(TransientError, match="retry later"):
        CONNECTOR.check(cfg)


def test_a_refused_login_is_a_config_error_without_the_password() -> None:
    url = PG_SERVER.set(username="no_such_role", password="s3cret").render_as_string(
        hide_password=False
    )
    try:
        CONNECTOR.check(Config(stream="appraisals", url=url, table="v"))
    except TransientError:
        postgres_unreachable("no server to refuse the login")
    except ConfigError as refused:
        assert "refused the login" in refused.message
        assert "s3cret" not in refused.message
    else:
        pytest.fail("a login with an unknown role was accepted")


def test_a_cursor_the_state_cannot_hold_fails_before_any_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'blob.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE d (decision_ref TEXT, id_number TEXT, decided_at TEXT, updated_at BLOB)"
            )
        )
        connection.execute(
            text("INSERT INTO d VALUES ('赣公辞〔2025〕2号', :p, '2025-04-01', x'01')"),
            {"p": PERSON},
        )
    engine.dispose()
    items = CONNECTOR.read(
        Config(stream="dismissals", url=url, table="d"), STREAMS["dismissals"], {}
    )
    with pytest.raises(ConfigError, match="updated_at must be a timestamp"):
        next(items)
