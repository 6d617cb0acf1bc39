"""Rule set 2026.12 over HTTP, on both databases: separate sanctions keep their own periods
(item 1), 调任 has its own bars (item 3), the appraisal year is an input (item 5), a repair
never lifts a statutory bar (item 6), and a listed purchaser is a matter for review (item 11,
in test_purposes_end_to_end.py)."""

from __future__ import annotations

from datetime import date

from factories import check as ask
from factories import record, submit, token_for
from sqlalchemy import update
from support import gql, make_id_number, make_uscc

from hub.records.models import CreditRecord

CHANGES = "query($s: String!) { ruleChanges(since: $s) { version rules change reason } }"
PERSON = make_id_number(seq=611)
BODY = make_uscc(seed=612)
WHO = {"idNumber": PERSON, "name": "钱十一"}


def sanction(ref, kind, decided):
    return record(ref, WHO, kind=kind, decided=decided, severity="SERIOUS")


async def seeded(http, db, rows):
    if rows:
        await submit(http, db, rows, agency_seed=81)
    scopes = "check:hiring check:transfer check:award check:appraisal"
    return await token_for(http, db, scopes, agency_seed=82)


async def check(http, token, purpose, as_of, subject=None, **extra):
    subject = subject or {"idNumber": PERSON}
    return await ask(http, token, purpose, subject, reference="2026.12", asOf=as_of, **extra)


async def test_a_later_separate_sanction_runs_its_own_period(http, db):
    token = await seeded(
        http,
        db,
        [
            sanction("江监政处〔2021〕11号", "REMOVAL", "2021-07-01"),
            sanction("江监政处〔2023〕12号", "REMOVAL", "2023-06-01"),
            sanction("江监政处〔2025〕13号", "DEMOTION", "2025-07-01"),
        ],
    )
    # 2026.11.2 chained these and stopped restricting on 2026-03-01.
    result = (await check(http, token, "AWARD", "2026-03-02"))["data"]["check"]
    assert result["verdict"] == "RESTRICTED"
    assert result["rulesetVersion"] == "2026.12.1"
    assert [(f["record"]["sourceRef"], f["restrictsUntil"]) for f in result["findings"]] == [
        ("江监政处〔2025〕13号", "2027-07-01")
    ]
    last = (await check(http, token, "AWARD", "2027-07-01"))["data"]["check"]
    after = (await check(http, token, "AWARD", "2027-07-02"))["data"]["check"]
    assert (last["verdict"], after["verdict"]) == ("RESTRICTED", "CLEAR")


async def test_a_sanction_bars_a_transfer_through_its_period_but_not_hiring(http, db):
    token = await seeded(http, db, [sanction("江监政处〔2026〕21号", "DEMERIT", "2026-02-01")])
    inside = (await check(http, token, "TRANSFER", "2027-02-01"))["data"]["check"]
    assert inside["verdict"] == "RESTRICTED"
    assert [f["rule"]["id"] for f in inside["findings"]] == ["TRANSFER-GOV-DEMERIT"]
    after = (await check(http, token, "TRANSFER", "2027-02-02"))["data"]["check"]
    assert after["verdict"] == "CLEAR"
    hiring = (await check(http, token, "HIRING", "2026-06-01"))["data"]["check"]
    assert hiring["verdict"] == "CLEAR"


async def test_an_appraisal_in_january_judges_the_year_asked_about(http, db):
    token = await seeded(http, db, [sanction("江监政处〔2026〕31号", "DEMERIT", "2026-03-01")])
    judged = await check(http, token, "APPRAISAL", "2027-01-10", appraisalYear=2026)
    assert judged["data"]["check"]["appraisal"]["year"] == 2026
    assert judged["data"]["check"]["appraisal"]["effect"] == "NO_GRADE"
    assert judged["data"]["check"]["verdict"] == "RESTRICTED"
    default = (await check(http, token, "APPRAISAL", "2027-01-10"))["data"]["check"]
    assert (default["appraisal"]["year"], default["appraisal"]["effect"]) == (2027, None)


async def test_an_appraisal_year_is_refused_where_it_means_nothing(http, db):
    token = await seeded(http, db, [sanction("江监政处〔2026〕32号", "DEMERIT", "2026-03-01")])
    later = await check(http, token, "APPRAISAL", "2026-06-01", appraisalYear=2027)
    [error] = later["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.appraisalYear"}
    hiring = await check(http, token, "HIRING", "2026-06-01", appraisalYear=2026)
    assert hiring["errors"][0]["extensions"]["field"] == "input.appraisalYear"


async def test_a_repaired_record_still_bars_by_statute_and_no_longer_by_measure(http, db):
    arrears = record(
        "江财欠〔2026〕41号",
        {"uscc": BODY, "name": "江州市某局"},
        category="PAYMENT_ARREARS",
        kind=None,
        severity="GENERAL",
        decided="2026-05-01",
    )
    token = await seeded(
        http, db, [sanction("江监政处〔2024〕42号", "EXPULSION", "2024-09-18"), arrears]
    )
    # Repaired on 2026-11-01, as the repair workflow records it (tested end to end in
    # tests/lifecycle).
    async with db.sessions.begin() as session:
        await session.execute(update(CreditRecord).values(repaired_on=date(2026, 11, 1)))
    hiring = (await check(http, token, "HIRING", "2026-12-01"))["data"]["check"]
    assert hiring["verdict"] == "RESTRICTED"
    assert [(f["rule"]["id"], f["rule"]["basis"]) for f in hiring["findings"]] == [
        ("HIRE-EXPULSION", "STATUTE")
    ]
    award = (await check(http, token, "AWARD", "2026-12-31", subject={"uscc": BODY}))["data"]
    assert award["check"]["verdict"] == "CLEAR"


async def test_rule_changes_since_last_month_say_what_and_why(http, db):
    token = await seeded(http, db, [])
    changes = (await gql(http, token, CHANGES, {"s": "2026.11.2"})).json()["data"]["ruleChanges"]
    assert {c["version"] for c in changes} == {"2026.12.1"}
    procurement = next(c for c in changes if c["rules"] == ["PROC-DEFAULTER"])
    assert "复核" in procurement["change"] and "供应商" in procurement["reason"]
    none = (await gql(http, token, CHANGES, {"s": "2026.12.1"})).json()["data"]["ruleChanges"]
    assert none == []


async def test_the_printed_report_names_the_appraisal_year(http, db):
    token = await seeded(http, db, [sanction("江监政处〔2026〕51号", "DEMERIT", "2026-03-01")])
    answer = await check(http, token, "APPRAISAL", "2027-01-10", appraisalYear=2026)
    check_id = answer["data"]["check"]["id"]
    page = await http.get(f"/reports/{check_id}", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    assert "考核年度" in page.text and "2026 年度：不确定等次" in page.text
