"""诚信评价, 监测预警, 承诺台账 and 失信线索 in the console, through real HTTP to the ASGI app
on both databases: an evaluator's ranking with its evidence, charts and workbook and a manual
value; an agency's ledger and its warnings; a clue taken in, routed and decided."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
from console_support import csrf_of, form_token, person_with_roles, sign_in
from factories import body, record, submit
from support import make_uscc

from hub.agencies.models import AgencyFamily
from hub.alerts.rules import current_rules
from hub.alerts.service import scan

BUREAU, EVALUATOR, FINANCE = 51, 52, 53


async def _post(http, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """A form sent, and the page its 303 answer leads to, as a browser follows it."""
    answer = await http.post(path, data=data)
    assert answer.status_code == 303, answer.text[:500]
    return await http.get(answer.headers["location"])


async def _arrears(http, db, today) -> None:  # type: ignore[no-untyped-def]
    bureau = body(BUREAU, "江州市测试单位51")
    rows = [
        record(f"江财清欠〔{today.year}〕{n}号", bureau, category="PAYMENT_ARREARS", kind=None,
               severity="GENERAL", decided=str(today.replace(month=1, day=n)),
               summary="拖欠货款逾期未付")
        for n in (2, 3)
    ]  # fmt: skip
    await submit(http, db, rows, agency_seed=FINANCE, family=AgencyFamily.FINANCE)


async def test_an_evaluator_sees_the_ranking_the_evidence_and_enters_a_value(http, db, app):
    today = app.runtime.today()
    await person_with_roles(db, "chenjing", "evaluator", agency_seed=EVALUATOR)
    await person_with_roles(db, "liuyang", "ledger,clues", agency_seed=BUREAU)
    await _arrears(http, db, today)
    await sign_in(http, "chenjing")

    page = await http.get("/evaluation")
    assert page.status_code == 200
    assert "诚信评价" in page.text and 'id="ranking"' in page.text
    ranking = page.text[page.text.index('id="ranking"') :]
    # The bureau with two arrears records ranks below the evaluator's own agency.
    assert ranking.index("江州市测试单位52") < ranking.index("江州市测试单位51")
    assert page.text.count('src="data:image/svg+xml;base64,') == 3  # ranking, regions, trend

    detail = await http.get(f"/evaluation?unit={make_uscc(seed=BUREAU)}")
    assert f"江财清欠〔{today.year}〕2号" in detail.text  # the evidence behind I05
    assert re.search(r'id="indicator-I11">.*?待录入', detail.text, re.S)
    entered = await _post(
        http,
        "/evaluation/value",
        data={"csrf_token": csrf_of(detail), "period": str(today.year), "indicator": "I11",
              "agency": make_uscc(seed=BUREAU), "percent": "60", "note": "公开内容不完整"},
    )  # fmt: skip
    assert entered.status_code == 200 and "已录入" in entered.text
    assert re.search(r'id="indicator-I11">.*?<td>3.0</td>', entered.text, re.S)
    refused = await _post(
        http,
        "/evaluation/value",
        data={"csrf_token": csrf_of(detail), "period": str(today.year), "indicator": "I05",
              "agency": make_uscc(seed=BUREAU), "percent": "60", "note": "不应录入的指标"},
    )  # fmt: skip
    assert "未办理" in refused.text and "不能人工录入" in refused.text

    workbook = await http.get(f"/evaluation.xlsx?period={today.year}")
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["评价结果", "得分依据", "指标说明"]
    units = [row[1] for row in book["评价结果"].iter_rows(min_row=4, values_only=True)]
    assert "江州市测试单位51" in units
    wrong = await http.get("/evaluation?period=2026-Q9")
    assert 'id="period-error"' in wrong.text


async def test_an_agency_keeps_its_ledger_and_handles_its_warnings(http, db, app):
    today = app.runtime.today()
    await person_with_roles(db, "liuyang", "ledger,clues", agency_seed=BUREAU)
    await sign_in(http, "liuyang")
    token = await form_token(http, "/commitments")
    recorded = await _post(
        http,
        "/commitments",
        data={"csrf_token": token, "kind": "INVESTMENT", "counterparty": "江州某新能源公司",
              "content": "兑现设备补贴资金300万元", "made_on": str(today - timedelta(days=60)),
              "due_on": str(today + timedelta(days=3))},
    )  # fmt: skip
    assert "承诺已登记" in recorded.text and "江州某新能源公司" in recorded.text
    bad = await _post(
        http,
        "/commitments",
        data={"csrf_token": token, "kind": "INVESTMENT", "counterparty": "江州某公司",
              "content": "兑现补贴资金", "made_on": str(today), "due_on": "下个月"},
    )  # fmt: skip
    assert "未办理" in bad.text and "兑现期限" in bad.text

    async with db.sessions.begin() as session:
        raised = await scan(session, current_rules(), today)
    assert [w.rule for w in raised] == ["commitment_due_soon"]
    home = await http.get("/")
    assert re.search(r'id="warnings-yellow">1<', home.text)
    listed = await http.get("/warnings")
    warning_id = raised[0].id
    assert f'id="warning-{warning_id}"' in listed.text and "7日内到期" in listed.text
    unknown = await http.post(
        f"/warnings/{warning_id}/delete", data={"csrf_token": csrf_of(listed), "note": "随便试试"}
    )
    assert unknown.status_code == 404
    closed = await _post(
        http,
        f"/warnings/{warning_id}/close",
        data={"csrf_token": csrf_of(listed), "note": "已与企业确认兑现安排"},
    )
    assert "预警已关闭" in closed.text and f'id="warning-{warning_id}"' not in closed.text

    commitment = re.search(r'action="/commitments/(\d+)/fulfil"', recorded.text)
    assert commitment
    fulfilled = await _post(
        http,
        f"/commitments/{commitment.group(1)}/fulfil",
        data={"csrf_token": csrf_of(recorded), "fulfilled_on": str(today),
              "evidence": "资金拨付凭证已归档"},
    )  # fmt: skip
    assert "已报告兑现" in fulfilled.text and "已兑现" in fulfilled.text


async def test_a_clue_is_taken_in_routed_and_decided_with_the_contact_masked(http, db, app):
    await person_with_roles(db, "hotline", "clues", agency_seed=EVALUATOR)
    await person_with_roles(db, "liuyang", "ledger,clues", agency_seed=BUREAU)
    await sign_in(http, "hotline")
    token = await form_token(http, "/clues")
    taken = await _post(
        http,
        "/clues",
        data={"csrf_token": token, "channel": "HOTLINE_12345", "agency": make_uscc(seed=BUREAU),
              "content": "来电人反映该单位拖欠工程款逾半年未付。", "contact": "13870011234"},
    )  # fmt: skip
    assert "线索已登记并转办" in taken.text
    assert "13870011234" not in taken.text and "***" in taken.text
    assert 'action="/clues/' not in taken.text  # the hotline does not decide it

    await http.post("/logout", data={"csrf_token": csrf_of(taken)})
    await sign_in(http, "liuyang")
    routed = await http.get("/clues")
    clue = re.search(r'action="/clues/(\d+)/decide"', routed.text)
    assert clue and "拖欠工程款" in routed.text
    decided = await _post(
        http,
        f"/clues/{clue.group(1)}/decide",
        data={"csrf_token": csrf_of(routed), "answer": "verified", "reason": "经核查情况属实"},
    )
    assert "线索已办结" in decided.text and "查证属实" in decided.text
