"""The baseline: the same CSV, as-is, `COPY … FROM STDIN (FORMAT csv, ENCODING 'GBK',
HEADER)` into indexed tables in the bench database. The PostgreSQL floor for getting these
rows stored and indexed.

`raw_copy_records` is the equivalent table: the 15 columns of the file as COPYed, plus the
columns the hub fills for a record (subject type, category, severity, decided_at, status,
effective_until, legal basis, summary, detail as jsonb, a sha256 content hash, version,
timestamps), computed by PostgreSQL during the COPY as STORED generated columns, with a
unique index on (agency, stream, source_ref) and one on (subject, decided_at).
`raw_copy_plain` is the bare floor: only the 15 columns, the same unique index and a subject
index, nothing derived."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from connectors.court.mapping import (
    DEFAULTER_BASIS,
    DETAIL_TEXT_CHARS,
    PERFORMED,
    SERIOUS_GROUNDS,
    SUMMARY_DUTY_CHARS,
)
from connectors.court.samples import DEFAULTER_KEYS

EQUIVALENT, PLAIN = "raw_copy_records", "raw_copy_plain"

# The file's columns in its order (the public API's keys) → column name and type.
_COLUMNS = {
    "iname": ("subject_name", "text NOT NULL"),
    "cardNum": ("subject_identifier", "text NOT NULL"),
    "businessEntity": ("business_entity", "text"),
    "sexy": ("sex", "text"),
    "age": ("age", "integer"),
    "courtName": ("court_name", "text"),
    "areaName": ("area_name", "text"),
    "gistId": ("gist_id", "text"),
    "regDate": ("reg_date", "text"),  # 20190709
    "caseCode": ("source_ref", "text NOT NULL"),  # 案号
    "gistUnit": ("gist_unit", "text"),
    "duty": ("duty", "text"),
    "performance": ("performance", "text"),
    "disruptTypeName": ("disrupt_type_name", "text"),
    "publishDate": ("published", "text"),  # 2019年07月09日
}
COPY_COLUMNS = [_COLUMNS[key][0] for key in DEFAULTER_KEYS]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_string(expression: str) -> str:
    """A JSON string of a text expression, or null; immutable, so usable in a generated
    column (jsonb_build_object and to_jsonb are only STABLE)."""
    escaped = f"replace(replace({expression}, '\\', '\\\\'), '\"', '\\\"')"
    return f"coalesce('\"' || {escaped} || '\"', 'null')"


def _generated_columns(agency_id: int) -> str:
    published = "make_date(substr(published, 1, 4)::int, substr(published, 6, 2)::int, substr(published, 9, 2)::int)"  # noqa: E501
    performed = f"performance IN ({', '.join(_literal(p) for p in sorted(PERFORMED))})"
    serious = _literal("|".join(SERIOUS_GROUNDS))
    reg_iso = " || '-' || ".join(
        ("substr(reg_date, 1, 4)", "substr(reg_date, 5, 2)", "substr(reg_date, 7, 2)")
    )
    fields = (
        ("courtName", _json_string("court_name")),
        ("areaName", _json_string("area_name")),
        ("gistId", _json_string("gist_id")),
        ("regDate", _json_string(reg_iso)),
        ("gistUnit", _json_string("gist_unit")),
        ("duty", _json_string(f"left(duty, {DETAIL_TEXT_CHARS})")),
        ("performance", _json_string("performance")),
        ("disruptTypeName", _json_string("disrupt_type_name")),
        ("businessEntity", _json_string("business_entity")),
        ("sex", _json_string("sex")),
        ("age", "CASE WHEN business_entity IS NULL AND age IS NOT NULL THEN age::text ELSE 'null' END"),  # noqa: E501
    )  # fmt: skip
    detail = " || ',' || ".join(f"'\"{key}\":' || {value}" for key, value in fields)
    content = " || '|' || ".join(f"coalesce({column}, '')" for column in COPY_COLUMNS[:4])
    content += " || '|' || coalesce(age::text, '') || '|' || " + " || '|' || ".join(
        f"coalesce({column}, '')" for column in COPY_COLUMNS[5:]
    )
    summary = (
        f"coalesce(disrupt_type_name, '') || '；义务：' || left(coalesce(duty, ''), "
        f"{SUMMARY_DUTY_CHARS})"
    )
    return f"""
        subject_type text GENERATED ALWAYS AS
            (CASE WHEN business_entity IS NULL THEN 'PERSON' ELSE 'ORGANIZATION' END) STORED,
        category text NOT NULL DEFAULT 'JUDGMENT_DEFAULTER',
        severity text GENERATED ALWAYS AS
            (CASE WHEN disrupt_type_name ~ {serious} THEN 'SERIOUS' ELSE 'GENERAL' END) STORED,
        decided_at date GENERATED ALWAYS AS ({published}) STORED,
        status text GENERATED ALWAYS AS
            (CASE WHEN {performed} THEN 'EXPIRED' ELSE 'ACTIVE' END) STORED,
        effective_until date GENERATED ALWAYS AS
            (CASE WHEN {performed} THEN {published} END) STORED,
        legal_basis text DEFAULT {_literal(DEFAULTER_BASIS)},
        summary text GENERATED ALWAYS AS ({summary}) STORED,
        detail jsonb GENERATED ALWAYS AS (('{{' || {detail} || '}}')::jsonb) STORED,
        content_hash text GENERATED ALWAYS AS
            (encode(sha256(replace({content}, '\\', '\\\\')::bytea), 'hex')) STORED,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()"""


def table_ddl(name: str, agency_id: int, *, equivalent: bool) -> list[str]:
    columns = ",\n        ".join(
        f"{column} {kind}" for column, kind in (_COLUMNS[key] for key in DEFAULTER_KEYS)
    )
    derived = "," + _generated_columns(agency_id) if equivalent else ""
    subject = "(subject_identifier, decided_at)" if equivalent else "(subject_identifier)"
    return [
        f"DROP TABLE IF EXISTS {name}",
        f"""CREATE TABLE {name} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_agency_id integer NOT NULL DEFAULT {agency_id},
        stream text NOT NULL DEFAULT 'defaulters',
        {columns}{derived}
        )""",
        f"CREATE UNIQUE INDEX {name}_key ON {name} (source_agency_id, stream, source_ref)",
        f"CREATE INDEX {name}_subject ON {name} {subject}",
    ]


@dataclass(frozen=True)
class CopyRun:
    table: str
    rows: int
    seconds: float
    table_bytes: int  # with its indexes and TOAST
    postgres_note: str


async def copy_file(dsn: str, path: Path, agency_id: int, *, equivalent: bool) -> CopyRun:
    """Creates the table and its indexes (not timed), then times the COPY alone."""
    name = EQUIVALENT if equivalent else PLAIN
    connection = await asyncpg.connect(dsn)
    try:
        for statement in table_ddl(name, agency_id, equivalent=equivalent):
            await connection.execute(statement)
        await connection.execute("CHECKPOINT")
        started = time.perf_counter()
        status = await connection.copy_to_table(
            name,
            source=path,
            columns=COPY_COLUMNS,
            format="csv",
            header=True,
            encoding="GBK",
        )
        seconds = time.perf_counter() - started
        rows = int(await connection.fetchval(f"SELECT count(*) FROM {name}"))
        size = int(await connection.fetchval(f"SELECT pg_total_relation_size('{name}')"))
    finally:
        await connection.close()
    return CopyRun(name, rows, seconds, size, status)


async def sample_row(dsn: str) -> dict[str, object]:
    """One row of the equivalent table as stored, to show what the COPY derived."""
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            f"SELECT source_ref, subject_type, category, severity, decided_at, status, summary, "
            f"detail::text AS detail, content_hash FROM {EQUIVALENT} ORDER BY id LIMIT 1"
        )
    finally:
        await connection.close()
    return {key: str(value) for key, value in dict(row or {}).items()}
