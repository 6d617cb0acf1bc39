"""ID numbers and names of persons are never logged in clear: a full flow — GraphQL, the
report page, an unexpected resolver error, `hub sync`, `hub quarantine list|replay`, `hub check
--batch` — runs with every logger at DEBUG (SQLAlchemy's statement and parameter logging,
the drivers', Strawberry's, httpx's, the hub's), and not one captured record, nor anything
printed on the server side, holds a test person's number or name. Masked forms (`110101
********123X`, `欧****`) may appear."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from factories import CHECK, CHECKS
from sqlalchemy import select
from support import get_token, make_agency, make_client, make_id_number, run_cli

import schema.root
from connectors.court.samples import DEFAULTER_HEADERS
from hub.agencies.models import AgencyFamily
from hub.ingest.models import QuarantinedRow

# The purpose of a person read travels in this header (sent on every request).
HEADERS = {"X-Hub-Purpose": "HIRING"}


def _numbers() -> list[str]:
    """Numbers no other test uses; the first ends in X, to be looked for in either case."""
    made = [make_id_number(date(1963, 9, 27), region="110101", seq=s) for s in range(731, 800)]
    with_x = next(n for n in made if n.endswith("X"))
    return [with_x, *[n for n in made if not n.endswith("X")][:4]]


A_ID, B_ID, E_ID, F_ID, _BASE = _numbers()
BAD_ID = _BASE[:-1] + ("1" if _BASE[-1] == "0" else "0")  # a typo in the check character
# A: records, person reads, checks, a report, a masked court listing; B: records and checks;
# C: beside BAD_ID; D: a name not on file for A's number; E: a court listing in clear;
# F: a court listing quarantined (a minor).
A, B, C, D, E, F = (
    "欧阳测试甲",
    "司马测试乙",
    "诸葛测试丙",
    "欧阳测试丁",
    "上官测试戊",
    "皇甫测试己",
)
ID_NUMBERS = {"A": A_ID, "B": B_ID, "E": E_ID, "F": F_ID, "BAD": BAD_ID}
NAMES = {"A": A, "B": B, "C": C, "D": D, "E": E, "F": F}

LIBRARY_LOGGERS = (
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool",
    "sqlalchemy.orm",
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "starlette",
    "strawberry",
    "strawberry.execution",
    "graphql",
    "httpx",
    "httpcore",
    "asyncio",
    "openpyxl",
    "alembic",
    "hub",
    "schema",
    "connectors",
)
_PLAIN_RECORD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


# -- what must not appear, in any spelling a log line could give it --------------------------


def _spellings() -> dict[str, str]:
    """Text → the test value it gives away. An ID number is given away by its first 17
    characters (so a trailing X in either case is covered); a name by itself and by what
    masking hides (all but the first character); each also JSON-, UTF-8- and URL-escaped.
    Longest first, so that a context shows a whole number replaced, not its prefix."""
    values = [(f"{who}'s ID number", n) for who, n in ID_NUMBERS.items()]
    values += [(f"{who}'s ID number", n[:17]) for who, n in ID_NUMBERS.items()]
    values += [(f"{who}'s ID number", n.lower()) for who, n in ID_NUMBERS.items()]
    for who, name in NAMES.items():
        values += [(f"{who}'s name", name), (f"{who}'s name", name[1:])]
    spellings = {}
    for what, text in values:
        for spelling in (
            text,
            json.dumps(text)[1:-1],  # \u6b27\u9633…
            str(text.encode())[2:-1],  # \xe6\xac\xa7…
            quote(text),
        ):
            spellings[spelling] = what
    return dict(sorted(spellings.items(), key=lambda item: -len(item[0])))


FORBIDDEN = _spellings()


def leaks(where: str, text: str) -> Iterator[tuple[str, str]]:
    """(the value, a line saying where, in context) for each test value the text gives away;
    the context has every test value replaced, so the failure report leaks nothing itself."""
    seen = set()
    for spelling, what in FORBIDDEN.items():
        at = text.find(spelling)
        if at < 0 or what in seen:
            continue
        seen.add(what)
        context = text[max(0, at - 80) : at + len(spelling) + 40]
        for other, label in FORBIDDEN.items():
            context = context.replace(other, f"<{label}>")
        yield what, f"{what} in {where}: …{context}…"


def record_texts(
    records: list[logging.LogRecord],
) -> Iterator[tuple[logging.LogRecord, str, str]]:
    """Everything a formatter could write of a record: the message with its arguments, the
    traceback, the stack, and any extra attributes (a JSON formatter writes those too)."""
    formatter = logging.Formatter()
    for record in records:
        where = f"a {record.levelname} record of {record.name!r}"
        yield record, where, record.getMessage()
        if record.exc_info:
            yield record, where + " (traceback)", formatter.formatException(record.exc_info)
        yield record, where + " (exc_text)", record.exc_text or ""
        yield record, where + " (stack)", record.stack_info or ""
        extra = {k: v for k, v in vars(record).items() if k not in _PLAIN_RECORD}
        yield record, where + " (extra)", repr(extra) if extra else ""


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Any:
    caplog.set_level(logging.DEBUG)
    for name in {*LIBRARY_LOGGERS, *logging.root.manager.loggerDict}:
        logger = logging.getLogger(name)
        caplog.set_level(logging.DEBUG, logger=name)
        monkeypatch.setattr(logger, "propagate", True)
        monkeypatch.setattr(logger, "disabled", False)
    return caplog


# -- the flow ----------------------------------------------------------------------------------


async def gql(http: httpx.AsyncClient, token: str, query: str, variables: dict) -> dict:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", **HEADERS},
    )
    return dict(response.json())


def sanction(ref: str, id_number: str, name: str) -> dict[str, Any]:
    return {
        "sourceRef": ref,
        "category": "GOVERNMENT_SANCTION",
        "sanctionKind": "EXPULSION",
        "severity": "SERIOUS",
        "subject": {"idNumber": id_number, "name": name},
        "decidedAt": "2024-09-18",
        "summary": "严重违反廉洁纪律",
    }


SUBMIT = """mutation($r: [RecordInput!]!) {
  submitRecords(records: $r) { inserted rejected { index field } warnings { field } } }"""
PERSON = "query($n: String!) { person(idNumber: $n) { id idNumber name records { sourceRef } } }"
RECORDS = """query($s: SubjectInput!) { records(filter: {subject: $s}, first: 5) {
  edges { node { sourceRef subject { ... on Person { idNumber name } } } } } }"""
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Person { id idNumber name } } }"""


def check_input(id_number: str, name: str | None = None) -> dict[str, Any]:
    subject = {"idNumber": id_number, **({"name": name} if name else {})}
    return {"purpose": "HIRING", "subject": subject, "reference": "2026年招录第7号"}


async def graphql_flow(http: httpx.AsyncClient, db: Any) -> tuple[str, str]:
    """Every operation that takes or returns a person; returns a check id and its token."""
    writer = await get_token(http, await make_client(db, "records:write", agency_seed=71))
    first = [sanction("江纪政处〔2026〕71号", A_ID, A), sanction("江纪政处〔2026〕72号", BAD_ID, C)]
    first.append(sanction("江纪政处〔2026〕73号", B_ID, B))
    submitted = (await gql(http, writer, SUBMIT, {"r": first}))["data"]["submitRecords"]
    assert submitted["inserted"] == 2 and submitted["rejected"][0]["index"] == 1
    other_name = [sanction("江纪政处〔2026〕74号", A_ID, D)]
    renamed = (await gql(http, writer, SUBMIT, {"r": other_name}))["data"]["submitRecords"]
    assert renamed["warnings"][0]["field"] == "subject.name"  # not the name on file

    scopes = "records:read records:read:pii"
    reader = await get_token(http, await make_client(db, scopes, agency_seed=72))
    person = (await gql(http, reader, PERSON, {"n": A_ID.lower()}))["data"]["person"]
    assert person["name"] == A  # the caller may see it; the logs may not
    records = await gql(http, reader, RECORDS, {"s": {"idNumber": A_ID}})
    assert records["data"]["records"]["edges"]
    representations = {"r": [{"__typename": "Person", "id": person["id"]}]}
    entities = await gql(http, reader, ENTITIES, representations)
    assert entities["data"]["_entities"][0]["idNumber"] == A_ID

    checker = await get_token(http, await make_client(db, "check:hiring", agency_seed=73))
    checked = (await gql(http, checker, CHECK, {"i": check_input(A_ID, A)}))["data"]["check"]
    assert checked["verdict"] == "RESTRICTED"
    inputs = [check_input(A_ID), check_input(B_ID, B), check_input(BAD_ID, C)]
    batch = await gql(http, checker, CHECKS, {"i": inputs})
    assert batch["errors"][0]["extensions"]["code"] == "INVALID_IDENTIFIER"
    return checked["id"], checker


async def web_flow(http: httpx.AsyncClient, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    check_id, token = await graphql_flow(http, db)
    page = await http.get(f"/reports/{check_id}", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200

    def broken(*_: Any) -> Any:
        raise RuntimeError("the person index is unavailable")

    monkeypatch.setattr(schema.root, "read_person", broken)
    reader = await get_token(http, await make_client(db, "records:read", agency_seed=72))
    failed = await gql(http, reader, PERSON, {"n": A_ID})
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def defaulter(case: int, id_number: str, name: str, age: str = "62") -> list[str]:
    values = {
        "被执行人姓名/名称": name,
        "身份证号码/组织机构代码": id_number,
        "年龄": age,
        "执行法院": "江州市中级人民法院",
        "案号": f"（2025）赣12执{case}号",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "违反财产报告制度",
        "发布时间": "2025年03月01日",
    }
    return [values.get(header, "") for header in DEFAULTER_HEADERS]


def write_csv(path: Path, header: Any, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def cli_flow(db: Any, env: dict[str, str], tmp_path: Path) -> list[tuple[str, str]]:
    """`hub sync court` (a clear number, a masked one resolved by name, a minor quarantined),
    `hub quarantine list` and `replay`, `hub check --batch`; returns what each printed."""
    async with db.sessions.begin() as session:
        court = await make_agency(
            session, name="江州市中级人民法院", seed=74, family=AgencyFamily.COURT
        )
    masked_a = A_ID[:10] + "****" + A_ID[-4:]
    listing = [defaulter(1, E_ID, E), defaulter(2, masked_a, A), defaulter(3, F_ID, F, age="16")]
    path = write_csv(tmp_path / "失信名单.csv", DEFAULTER_HEADERS, listing)
    synced = await run_cli(env, "sync", "court", "--agency", court.uscc, "--file", path)
    assert synced.exit_code == 0 and "SUCCEEDED" in synced.output, synced.output
    held = await run_cli(env, "quarantine", "list")
    assert "1 open row" in held.output, held.output
    async with db.sessions() as session:
        [held_id] = (await session.scalars(select(QuarantinedRow.id))).all()
    replayed = await run_cli(env, "quarantine", "replay", held_id)  # reads the row back
    assert "1 still quarantined" in replayed.output, replayed.output

    people = [["1", A, A_ID, "", ""], ["2", B, B_ID, "", ""], ["3", E, E_ID, "", ""]]
    people.append(["4", C, BAD_ID, "", "证件号有误"])
    header = ["序号", "姓名", "身份证号码", "统一社会信用代码", "备注"]
    screening = write_csv(tmp_path / "候选人.csv", header, people)
    out = tmp_path / "结果.xlsx"
    reference = ("--reference", "2026年度评优第7批")
    checked = await run_cli(
        env, "check", "--purpose", "HIRING", "--batch", screening, *reference, "--out", out
    )
    assert checked.exit_code == 0 and out.exists(), checked.output
    return [
        ("`hub sync court` output", synced.output),
        ("`hub quarantine list` output", held.output),
        ("`hub quarantine replay` output", replayed.output),
        ("`hub check --batch` output", checked.output),
    ]


async def test_no_id_number_or_name_of_a_person_is_logged_in_clear(
    everything_logged, capfd, http, db, env, tmp_path, monkeypatch
):
    await web_flow(http, db, monkeypatch)
    printed = await cli_flow(db, env, tmp_path)

    records = everything_logged.records
    assert any(r.name.startswith("sqlalchemy.engine") for r in records), "nothing was captured"
    out, err = capfd.readouterr()
    found = [line for _, where, text in record_texts(records) for _, line in leaks(where, text)]
    for where, text in [("stdout", out), ("stderr", err), *printed]:
        found += [line for _, line in leaks(where, text)]
    assert not found, "\n".join(found)


async def test_the_message_of_an_unexpected_error_is_not_logged(
    everything_logged, http, db, monkeypatch
):
    def broken(*_: Any) -> Any:
        raise KeyError(A_ID)  # a lookup keyed by the number the caller sent

    monkeypatch.setattr(schema.root, "read_person", broken)
    reader = await get_token(http, await make_client(db, "records:read"))
    failed = await gql(http, reader, PERSON, {"n": A_ID})
    if failed["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR":
        pytest.fail(f"the resolver did not fail as planned: {failed}")  # not the expected failure
    records = everything_logged.records
    found = [line for _, where, text in record_texts(records) for _, line in leaks(where, text)]
    assert not found, "\n".join(found)
