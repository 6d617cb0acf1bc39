"""The 承诺台账, 失信线索 and 监测预警 end to end over HTTP, on SQLite and PostgreSQL: who may
see and do what, clear errors naming the field, the reporter's contact kept like PII, and a
scan that raises each warning once for its owner agency to acknowledge and close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from factories import body, record, submit, token_for
from sqlalchemy import select
from support import Served, gql, make_uscc

from hub.agencies.models import AgencyFamily
from hub.alerts.models import Alert
from hub.alerts.rules import current_rules
from hub.alerts.service import scan
from hub.audit.models import AuditEvent
from hub.db.upsert import insert_new

BUREAU, OTHER, EVALUATOR, HOTLINE, COURT = 71, 72, 73, 74, 75

RECORD_COMMITMENT = """mutation($c: CommitmentInput!) { recordCommitment(input: $c) {
  id kind kindLabel state stateLabel overdue dueOn agency { uscc } } }"""
FULFILLED = """mutation($id: ID!, $on: Date!, $e: String!) {
  reportCommitmentFulfilled(id: $id, fulfilledOn: $on, evidence: $e) { id state keptOnTime } }"""
COMMITMENTS = """query($f: CommitmentFilter) { commitments(filter: $f, first: 50) {
  edges { node { id counterparty overdue state } } pageInfo { hasNextPage endCursor } } }"""
REPORT_CLUE = """mutation($c: ClueInput!) { reportClue(input: $c) {
  id state decideBy channelLabel agency { uscc } reporterContact } }"""
DECIDE_CLUE = """mutation($id: ID!, $v: Boolean!, $r: String!) {
  decideClue(id: $id, verified: $v, reason: $r) { id state stateLabel reason decidedAt } }"""
CLUES = """query { clues(first: 50) { edges { node { id content reporterContact state } } } }"""
WARNINGS = """query($f: WarningFilter) { warnings(filter: $f, first: 100) { edges { node {
  id rule ruleName level levelLabel message refs state agency { uscc } note } } } }"""
ACK = "mutation($id: ID!) { acknowledgeWarning(id: $id) { id state acknowledgedBy } }"
CLOSE = """mutation($id: ID!, $n: String!) { closeWarning(id: $id, note: $n) {
  id state note closedBy } }"""


async def _ask(hub: Served, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    return (await gql(hub.http, token, query, variables)).json()


def _error(answer: Any) -> tuple[str, str | None]:
    extensions = answer["errors"][0]["extensions"]
    return extensions["code"], extensions.get("field")


@pytest.fixture
async def tokens(app: Served, db: Any) -> dict[str, str]:
    http = app.http
    return {
        "bureau": await token_for(http, db, "commitments:manage clues:manage", agency_seed=BUREAU),
        "other": await token_for(http, db, "commitments:manage clues:manage", agency_seed=OTHER),
        "evaluator": await token_for(
            http, db, "evaluation:read evaluation:manage", agency_seed=EVALUATOR
        ),
        "hotline": await token_for(http, db, "clues:manage", agency_seed=HOTLINE),
        "hotline_pii": await token_for(
            http, db, "clues:manage records:read:pii", agency_seed=HOTLINE
        ),
    }


def _commitment(made: str, due: str) -> dict[str, Any]:
    return {"kind": "PPP", "counterparty": "江州某PPP项目公司", "content": "按合同支付可用性服务费",
            "madeOn": made, "dueOn": due}  # fmt: skip


async def test_an_agency_keeps_its_own_commitment_ledger(
    app: Served, tokens: dict[str, str]
) -> None:
    today = app.runtime.today()
    past, soon = today - timedelta(days=100), today + timedelta(days=5)
    made = await _ask(app, tokens["bureau"], RECORD_COMMITMENT,
                      {"c": _commitment(str(past), str(today - timedelta(days=1)))})  # fmt: skip
    commitment = made["data"]["recordCommitment"]
    assert (commitment["kindLabel"], commitment["stateLabel"]) == ("政府和社会资本合作", "履行中")
    assert commitment["overdue"] is True and commitment["agency"]["uscc"] == make_uscc(seed=BUREAU)
    await _ask(app, tokens["bureau"], RECORD_COMMITMENT, {"c": _commitment(str(past), str(soon))})

    wrong = await _ask(app, tokens["bureau"], RECORD_COMMITMENT,
                       {"c": _commitment(str(today), str(past))})  # fmt: skip
    assert _error(wrong) == ("BAD_USER_INPUT", "dueOn")
    blank = await _ask(app, tokens["bureau"], RECORD_COMMITMENT,
                       {"c": {**_commitment(str(past), str(soon)), "content": "  "}})  # fmt: skip
    assert _error(blank) == ("BAD_USER_INPUT", "content")

    mine = await _ask(app, tokens["bureau"], COMMITMENTS, {"f": {"overdue": True}})
    assert [e["node"]["id"] for e in mine["data"]["commitments"]["edges"]] == [commitment["id"]]
    theirs = await _ask(app, tokens["other"], COMMITMENTS)
    assert theirs["data"]["commitments"]["edges"] == []
    everyone = await _ask(app, tokens["evaluator"], COMMITMENTS)
    assert len(everyone["data"]["commitments"]["edges"]) == 2

    stranger = await _ask(app, tokens["other"], FULFILLED,
                          {"id": commitment["id"], "on": str(today), "e": "拨付凭证已归档"})  # fmt: skip
    assert _error(stranger) == ("NOT_FOUND", "id")
    too_early = await _ask(app, tokens["bureau"], FULFILLED,
                           {"id": commitment["id"], "on": str(past - timedelta(days=1)),
                            "e": "拨付凭证已归档"})  # fmt: skip
    assert _error(too_early) == ("BAD_USER_INPUT", "fulfilledOn")
    kept = await _ask(app, tokens["bureau"], FULFILLED,
                      {"id": commitment["id"], "on": str(today), "e": "拨付凭证已归档"})  # fmt: skip
    assert kept["data"]["reportCommitmentFulfilled"]["state"] == "FULFILLED"
    assert kept["data"]["reportCommitmentFulfilled"]["keptOnTime"] is False
    twice = await _ask(app, tokens["bureau"], FULFILLED,
                       {"id": commitment["id"], "on": str(today), "e": "拨付凭证已归档"})  # fmt: skip
    assert _error(twice) == ("CONFLICT", "id")


async def test_a_clue_is_routed_decided_once_and_its_reporter_kept_private(
    app: Served, db: Any, tokens: dict[str, str]
) -> None:
    clue_input = {"channel": "HOTLINE_12345", "agency": make_uscc(seed=BUREAU),
                  "content": "来电人反映该局拖欠工程款逾半年未付。", "reporterContact": "13870011234"}  # fmt: skip
    taken = await _ask(app, tokens["hotline"], REPORT_CLUE, {"c": clue_input})
    clue = taken["data"]["reportClue"]
    assert (clue["state"], clue["channelLabel"]) == ("OPEN", "12345热线")
    assert clue["reporterContact"] == "***" and clue["decideBy"] > str(app.runtime.today())

    unknown = await _ask(app, tokens["hotline"], REPORT_CLUE,
                         {"c": {**clue_input, "agency": make_uscc(seed=98)}})  # fmt: skip
    assert _error(unknown) == ("NOT_FOUND", "agency")
    short = await _ask(
        app, tokens["hotline"], REPORT_CLUE, {"c": {**clue_input, "content": "太短"}}
    )
    assert _error(short) == ("BAD_USER_INPUT", "content")

    # The contact in clear needs the PII scope, and that read is audited.
    clear = await _ask(app, tokens["hotline_pii"], CLUES)
    assert clear["data"]["clues"]["edges"][0]["node"]["reporterContact"] == "13870011234"
    await app.runtime.sealer.drain()
    async with db.sessions() as session:
        operations = list(await session.scalars(select(AuditEvent.operation)))
    assert "clueReporter" in operations
    masked = await _ask(app, tokens["bureau"], CLUES)
    assert masked["data"]["clues"]["edges"][0]["node"]["reporterContact"] == "***"
    assert (await _ask(app, tokens["other"], CLUES))["data"]["clues"]["edges"] == []

    # Only the competent agency decides, once, with reasons.
    by_hotline = await _ask(app, tokens["hotline"], DECIDE_CLUE,
                            {"id": clue["id"], "v": True, "r": "经核查情况属实"})  # fmt: skip
    assert _error(by_hotline) == ("NOT_FOUND", "id")
    no_reason = await _ask(
        app, tokens["bureau"], DECIDE_CLUE, {"id": clue["id"], "v": True, "r": "是"}
    )
    assert _error(no_reason) == ("BAD_USER_INPUT", "reason")
    decided = await _ask(app, tokens["bureau"], DECIDE_CLUE,
                         {"id": clue["id"], "v": True, "r": "经核查情况属实，已督促整改"})  # fmt: skip
    assert decided["data"]["decideClue"]["stateLabel"] == "查证属实"
    metrics = (await app.http.get("/metrics")).text
    assert "hub_clues_verified 1.0" in metrics and "hub_clues_open 0.0" in metrics
    again = await _ask(app, tokens["bureau"], DECIDE_CLUE,
                       {"id": clue["id"], "v": False, "r": "重复办理的尝试"})  # fmt: skip
    assert _error(again) == ("CONFLICT", "id")

    # A verified clue counts against the agency in this year's evaluation, with its evidence.
    year = str(app.runtime.today().year)
    evaluation = await _ask(app, tokens["evaluator"], """query($p: String!) {
      evaluation(period: $p) { units { code indicators { indicatorId value evidence { kind } } } } }""",
                            {"p": year})  # fmt: skip
    unit = next(u for u in evaluation["data"]["evaluation"]["units"]
                if u["code"] == make_uscc(seed=BUREAU))  # fmt: skip
    verified = next(i for i in unit["indicators"] if i["indicatorId"] == "I04")
    assert verified["value"] == 1.0 and verified["evidence"] == [{"kind": "clue"}]


async def test_the_scan_raises_each_warning_once_for_its_owner_to_handle(
    app: Served, db: Any, tokens: dict[str, str]
) -> None:
    today = app.runtime.today()
    bureau = body(BUREAU, "江州市测试局71")
    listing = record("（2026）赣12执71号", bureau, category="JUDGMENT_DEFAULTER", kind=None,
                     severity="SERIOUS", decided=str(today - timedelta(days=3)),
                     summary="未履行生效判决确定的付款义务")  # fmt: skip
    await submit(app.http, db, [listing], agency_seed=COURT, family=AgencyFamily.COURT)
    await _ask(app, tokens["other"], RECORD_COMMITMENT,
               {"c": _commitment(str(today - timedelta(days=30)), str(today + timedelta(days=3)))})  # fmt: skip

    async with db.sessions.begin() as session:
        raised = await scan(session, current_rules(), today)
    rules = {w.rule for w in raised}
    assert {"defaulter_listed", "serious_record", "commitment_due_soon"} <= rules
    async with db.sessions.begin() as session:
        assert await scan(session, current_rules(), today) == []  # never twice

    mine = await _ask(app, tokens["bureau"], WARNINGS)
    nodes = [e["node"] for e in mine["data"]["warnings"]["edges"]]
    assert {n["rule"] for n in nodes} == {"defaulter_listed", "serious_record"}
    listed = next(n for n in nodes if n["rule"] == "defaulter_listed")
    assert listed["levelLabel"] == "红色预警" and "（2026）赣12执71号" in listed["message"]
    assert set(listed["refs"]) == {"record"}
    others = await _ask(app, tokens["other"], WARNINGS)
    assert [e["node"]["rule"] for e in others["data"]["warnings"]["edges"]] == [
        "commitment_due_soon"
    ]
    everyone = await _ask(app, tokens["evaluator"], WARNINGS, {"f": {"level": "RED"}})
    assert {e["node"]["rule"] for e in everyone["data"]["warnings"]["edges"]} >= {
        "defaulter_listed"
    }

    stranger = await _ask(app, tokens["other"], ACK, {"id": listed["id"]})
    assert _error(stranger) == ("NOT_FOUND", "id")
    seen = await _ask(app, tokens["bureau"], ACK, {"id": listed["id"]})
    assert seen["data"]["acknowledgeWarning"]["state"] == "ACKNOWLEDGED"
    terse = await _ask(app, tokens["bureau"], CLOSE, {"id": listed["id"], "n": "好"})
    assert _error(terse) == ("BAD_USER_INPUT", "note")
    closed = await _ask(app, tokens["evaluator"], CLOSE,
                        {"id": listed["id"], "n": "已履行完毕，法院已屏蔽失信信息"})  # fmt: skip
    assert closed["data"]["closeWarning"]["state"] == "CLOSED"
    again = await _ask(app, tokens["bureau"], CLOSE, {"id": listed["id"], "n": "再次关闭的尝试"})
    assert _error(again) == ("CONFLICT", "id")
    still_open = await _ask(app, tokens["bureau"], WARNINGS, {"f": {"openOnly": True}})
    assert [e["node"]["rule"] for e in still_open["data"]["warnings"]["edges"]] == [
        "serious_record"
    ]


async def test_a_warning_another_process_just_raised_is_skipped_not_an_error(
    app: Served, db: Any, tokens: dict[str, str]
) -> None:
    """Two workers scanning at once: the second one's insert meets the first one's rows."""
    today = app.runtime.today()
    await _ask(app, tokens["other"], RECORD_COMMITMENT,
               {"c": _commitment(str(today - timedelta(days=30)), str(today + timedelta(days=2)))})  # fmt: skip
    async with db.sessions.begin() as session:
        [raised] = await scan(session, current_rules(), today)
    row = {"rule": raised.rule, "level": raised.level, "agency_id": raised.agency_id,
           "message": "m", "refs": {}, "state": raised.state, "raised_at": raised.raised_at}  # fmt: skip
    async with db.sessions.begin() as session:
        ids = await insert_new(
            session, Alert, [{**row, "key": raised.key}, {**row, "key": "another:1"}], "key"
        )
    async with db.sessions() as session:
        keys = sorted(await session.scalars(select(Alert.key)))
    assert len(ids) == 1 and keys == sorted([raised.key, "another:1"])
