"""政务诚信评价 end to end over HTTP, on SQLite and PostgreSQL: records submitted by a court
and a finance bureau about two government bodies, commitments kept and late, an evaluator's
manual value; the evaluation per agency and per region with its evidence, reproducible,
published once and final from then on."""

from __future__ import annotations

from typing import Any

import pytest
from factories import body, record, submit, token_for
from sqlalchemy import update
from support import Served, gql, make_uscc

from hub.agencies.models import Agency, AgencyFamily

BUREAU, OTHER, EVALUATOR, COURT, FINANCE = 61, 62, 63, 64, 65
PERIOD = "2025"  # finished: its facts all carry dates the tests choose

EVALUATION = """query($p: String!, $l: EvaluationLevel) { evaluation(period: $p, level: $l) {
  period level asOf indicatorVersion published publishedBy
  indicators { id name dimensionName weight manual basis }
  units { code name score grade gradeLabel rank pendingInputs
    indicators { indicatorId status value fraction points detail evidence { kind id label } } } } }"""
ENTER = """mutation($p: String!, $i: String!, $a: String!, $v: Float!, $n: String!) {
  enterIndicatorValue(period: $p, indicator: $i, agency: $a, percent: $v, note: $n) }"""
PUBLISH = """mutation($p: String!) { publishEvaluation(period: $p) { published publishedBy
  units { code score } } }"""
RECORD_COMMITMENT = """mutation($c: CommitmentInput!) { recordCommitment(input: $c) {
  id state overdue keptOnTime agency { uscc } } }"""
FULFILLED = """mutation($id: ID!, $on: Date!, $e: String!) {
  reportCommitmentFulfilled(id: $id, fulfilledOn: $on, evidence: $e) {
  id state fulfilledOn keptOnTime } }"""


async def _ask(hub: Served, token: str, query: str, variables: dict[str, Any]) -> Any:
    return (await gql(hub.http, token, query, variables)).json()


def _unit(answer: Any, seed: int) -> dict[str, Any]:
    units = answer["data"]["evaluation"]["units"]
    return next(u for u in units if u["code"] == make_uscc(seed=seed))


def _indicator(unit: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    return next(i for i in unit["indicators"] if i["indicatorId"] == indicator_id)


@pytest.fixture
async def evaluated(app: Served, db: Any) -> dict[str, str]:
    """The bureau: two arrears records (2025), a 失信被执行人 listing removed after 60 days,
    a commitment kept late. The other body: one commitment kept on time. Both are agencies
    (they have clients), as evaluated bodies are."""
    http = app.http
    tokens = {
        "bureau": await token_for(http, db, "commitments:manage", agency_seed=BUREAU),
        "other": await token_for(http, db, "commitments:manage", agency_seed=OTHER),
        "evaluator": await token_for(
            http, db, "evaluation:read evaluation:manage", agency_seed=EVALUATOR
        ),
    }
    bureau = body(BUREAU, "江州市测试局61")
    arrears = [
        record(f"江财清欠〔2025〕{n}号", bureau, category="PAYMENT_ARREARS", kind=None,
               severity="GENERAL", decided=f"2025-0{n}-10", summary="拖欠货款逾期未付")
        for n in (3, 4)
    ]  # fmt: skip
    await submit(http, db, arrears, agency_seed=FINANCE, family=AgencyFamily.FINANCE)
    listing = record("（2025）赣12执61号", bureau, category="JUDGMENT_DEFAULTER", kind=None,
                     severity="SERIOUS", decided="2025-03-01", effectiveUntil="2025-04-30",
                     summary="未履行生效判决确定的付款义务")  # fmt: skip
    await submit(http, db, [listing], agency_seed=COURT, family=AgencyFamily.COURT)
    for who, due, kept in (
        ("bureau", "2025-06-30", "2025-07-15"),
        ("other", "2025-05-01", "2025-04-20"),
    ):
        made = await _ask(app, tokens[who], RECORD_COMMITMENT, {"c": {
            "kind": "INVESTMENT", "counterparty": "江州某某有限公司",
            "content": "兑现招商引资协议约定的奖励资金", "madeOn": "2025-01-10", "dueOn": due}})  # fmt: skip
        commitment = made["data"]["recordCommitment"]
        await _ask(app, tokens[who], FULFILLED, {"id": commitment["id"], "on": kept,
                                                 "e": "拨付凭证已归档"})  # fmt: skip
    return tokens


async def test_an_agency_scores_by_its_records_and_commitments_with_the_evidence(
    app: Served, evaluated: dict[str, str]
) -> None:
    answer = await _ask(app, evaluated["evaluator"], EVALUATION, {"p": PERIOD})
    assert "errors" not in answer, answer
    result = answer["data"]["evaluation"]
    assert (result["period"], result["asOf"], result["published"]) == ("2025", "2025-12-31", False)
    assert sum(i["weight"] for i in result["indicators"]) == 100
    bureau, other = _unit(answer, BUREAU), _unit(answer, OTHER)

    arrears = _indicator(bureau, "I05")  # 2 × 0.25 of 10 points
    assert (arrears["status"], arrears["value"], arrears["points"]) == ("SCORED", 2.0, 5.0)
    assert {e["kind"] for e in arrears["evidence"]} == {"record"}
    assert any("江财清欠〔2025〕3号" in e["label"] for e in arrears["evidence"])
    listed = _indicator(bureau, "I02")  # one listing: half of 5 points
    assert listed["points"] == 2.5
    removal = _indicator(bureau, "I03")  # 60 days listed: (180 - 60) / 150 of 5 points
    assert (removal["value"], removal["points"]) == (60.0, 4.0)
    kept = _indicator(bureau, "I07")
    assert (kept["value"], kept["points"], kept["detail"]) == (0.0, 0.0, "0/1 按期")
    assert _indicator(other, "I07")["points"] == 10.0
    # No objection, repair or feed: nothing to judge there, and no manual value yet.
    assert _indicator(bureau, "I08")["status"] == "NOT_APPLICABLE"
    assert _indicator(bureau, "I11")["status"] == "PENDING_INPUT"
    assert bureau["pendingInputs"] == 2
    # Scored: I01 15, I02 2.5, I03 4, I04 5, I05 5, I06 10, I07 0: 41.5 of 60 points.
    assert bureau["score"] == pytest.approx(100 * 41.5 / 60, abs=0.01)
    assert (bureau["gradeLabel"], other["score"], other["rank"]) == ("中等", 100.0, 1)
    assert bureau["rank"] > other["rank"]


async def test_the_same_period_gives_the_same_answer(
    app: Served, evaluated: dict[str, str]
) -> None:
    first = await _ask(app, evaluated["evaluator"], EVALUATION, {"p": PERIOD})
    again = await _ask(app, evaluated["evaluator"], EVALUATION, {"p": PERIOD})
    assert first == again


async def test_an_evaluator_enters_a_manual_value_with_who_and_why(
    app: Served, evaluated: dict[str, str]
) -> None:
    token = evaluated["evaluator"]
    bureau = make_uscc(seed=BUREAU)
    entered = await _ask(app, token, ENTER, {"p": PERIOD, "i": "I11", "a": bureau, "v": 80,
                                             "n": "门户网站公开内容完整"})  # fmt: skip
    assert entered["data"]["enterIndicatorValue"] is True
    unit = _unit(await _ask(app, token, EVALUATION, {"p": PERIOD}), BUREAU)
    manual = _indicator(unit, "I11")
    assert (manual["status"], manual["points"]) == ("SCORED", 4.0)
    assert "80%" in manual["evidence"][0]["label"] and "门户网站" in manual["evidence"][0]["label"]
    assert unit["pendingInputs"] == 1

    for variables, field, code in (
        ({"i": "I05", "a": bureau, "v": 50}, "indicator", "BAD_USER_INPUT"),
        ({"i": "I11", "a": bureau, "v": 120}, "percent", "BAD_USER_INPUT"),
        ({"i": "I11", "a": make_uscc(seed=99), "v": 50}, "agency", "NOT_FOUND"),
    ):
        refused = await _ask(app, token, ENTER, {"p": PERIOD, "n": "理由充分的说明", **variables})
        error = refused["errors"][0]["extensions"]
        assert (error["code"], error["field"]) == (code, field), refused


async def test_a_published_round_is_final(app: Served, db: Any, evaluated: dict[str, str]) -> None:
    token = evaluated["evaluator"]
    published = await _ask(app, token, PUBLISH, {"p": PERIOD})
    assert published["data"]["publishEvaluation"]["published"] is True
    computed = await _ask(app, token, EVALUATION, {"p": PERIOD})
    assert computed["data"]["evaluation"]["published"] is True
    before = _unit(computed, BUREAU)["score"]

    # New facts about 2025 no longer change the published round.
    bureau = body(BUREAU, "江州市测试局61")
    late = record("江财清欠〔2025〕9号", bureau, category="PAYMENT_ARREARS", kind=None,
                  severity="GENERAL", decided="2025-09-10", summary="拖欠货款逾期未付")  # fmt: skip
    await submit(app.http, db, [late], agency_seed=FINANCE, family=AgencyFamily.FINANCE)
    after = await _ask(app, token, EVALUATION, {"p": PERIOD})
    assert _unit(after, BUREAU)["score"] == before

    again = await _ask(app, token, PUBLISH, {"p": PERIOD})
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    entered = await _ask(app, token, ENTER, {"p": PERIOD, "i": "I11", "a": make_uscc(seed=BUREAU),
                                             "v": 50, "n": "发布后补录的数值"})  # fmt: skip
    assert entered["errors"][0]["extensions"]["code"] == "CONFLICT"
    running = await _ask(app, token, PUBLISH, {"p": str(app.runtime.today().year)})
    assert running["errors"][0]["extensions"]["field"] == "period"


async def test_regions_score_the_mean_of_their_agencies(
    app: Served, db: Any, evaluated: dict[str, str]
) -> None:
    async with db.sessions.begin() as session:
        await session.execute(
            update(Agency).where(Agency.uscc == make_uscc(seed=OTHER)).values(region_code="361202")
        )
    answer = await _ask(app, evaluated["evaluator"], EVALUATION, {"p": PERIOD, "l": "REGION"})
    units = {u["code"]: u for u in answer["data"]["evaluation"]["units"]}
    assert units["361202"]["score"] == 100.0
    assert units["361200"]["rank"] == 2 and units["361200"]["score"] < 100


async def test_evaluation_needs_its_scope_and_a_valid_period(
    app: Served, db: Any, evaluated: dict[str, str]
) -> None:
    outsider = await token_for(app.http, db, "records:read", agency_seed=66)
    refused = await _ask(app, outsider, EVALUATION, {"p": PERIOD})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    wrong = await _ask(app, evaluated["evaluator"], EVALUATION, {"p": "2025-Q7"})
    error = wrong["errors"][0]["extensions"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "period")
