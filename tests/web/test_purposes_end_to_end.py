"""Every purpose over HTTP, on both databases: appraisal effects by year, a purchaser's
profile, disputed records, and acts sanctioned twice."""

from __future__ import annotations

from factories import CHECK, record, token_for
from factories import check as ask
from factories import submit as seed
from sqlalchemy import update
from support import gql, make_id_number, make_uscc

from hub.records.enums import ObjectionKind
from hub.records.models import CreditRecord

PURCHASER = make_uscc(seed=71)
CHECKER_SCOPES = "check:appraisal check:procurement check:award check:hiring"


async def submit(http, db, rows):
    await seed(http, db, rows, agency_seed=72)
    return await token_for(http, db, CHECKER_SCOPES, agency_seed=73)


def person_record(ref, kind, decided, category="PARTY_DISCIPLINE", seq=401, **extra):
    who = {"idNumber": make_id_number(seq=seq), "name": "郑十"}
    return record(
        ref, who, category=category, kind=kind, decided=decided, severity="SERIOUS", **extra
    )


async def check(http, token, purpose, subject, as_of):
    body = await ask(http, token, purpose, subject, reference="E2E", asOf=as_of)
    assert "errors" not in body, body
    return body["data"]["check"]


async def test_party_probation_of_two_years_shapes_four_appraisal_years(http, db):
    token = await submit(
        http, db, [person_record("江纪党处〔2025〕3号", "PARTY_PROBATION_2Y", "2025-03-10")]
    )
    person = {"idNumber": make_id_number(seq=401)}
    years = {}
    for as_of in ("2025-12-01", "2026-12-01", "2027-12-01", "2028-12-01"):
        result = await check(http, token, "APPRAISAL", person, as_of)
        years[as_of[:4]] = (result["verdict"], result["appraisal"]["effect"])
        assert result["appraisal"]["year"] == int(as_of[:4])
    assert years == {
        "2025": ("RESTRICTED", "INCOMPETENT"),
        "2026": ("RESTRICTED", "NO_GRADE"),
        "2027": ("RESTRICTED", "NO_GRADE"),
        "2028": ("CLEAR", None),
    }


async def test_a_purchaser_in_arrears_is_reviewed_within_its_publicity_window(http, db):
    arrears = {
        "sourceRef": "江财欠〔2026〕5号",
        "category": "PAYMENT_ARREARS",
        "severity": "GENERAL",
        "subject": {"uscc": PURCHASER, "name": "江州市某局"},
        "decidedAt": "2026-05-01",
        "summary": "拖欠中小企业货款逾期60日",
    }
    token = await submit(http, db, [arrears])
    inside = await check(http, token, "PROCUREMENT", {"uscc": PURCHASER}, "2027-05-01")
    assert inside["verdict"] == "REVIEW"
    assert [f["rule"]["id"] for f in inside["findings"]] == ["PROC-ARREARS"]
    assert {"category": "PAYMENT_ARREARS", "count": 1} in inside["profile"]["counts"]
    assert inside["profile"]["openItems"] == [
        {"record": {"sourceRef": "江财欠〔2026〕5号"}, "openUntil": "2027-05-01"}
    ]

    after = await check(http, token, "PROCUREMENT", {"uscc": PURCHASER}, "2027-05-02")
    assert after["verdict"] == "CLEAR"
    assert after["profile"]["openItems"] == []


async def test_a_listed_purchaser_is_a_matter_for_review_shown_first(http, db):
    listing = {
        "sourceRef": "（2026）赣1202执88号",
        "category": "JUDGMENT_DEFAULTER",
        "severity": "SERIOUS",
        "subject": {"uscc": PURCHASER, "name": "江州市某局"},
        "decidedAt": "2026-02-01",
        "summary": "有履行能力而拒不履行生效法律文书确定义务",
    }
    token = await submit(http, db, [listing])
    result = await check(http, token, "PROCUREMENT", {"uscc": PURCHASER}, "2026-11-01")
    # Item 11: the procurement bars are for suppliers, not purchasers.
    assert result["verdict"] == "REVIEW"
    assert result["findings"][0]["rule"]["id"] == "PROC-DEFAULTER"
    assert result["profile"]["listedAsDefaulter"] is True
    assert result["profile"]["openItems"][0]["record"]["sourceRef"] == "（2026）赣1202执88号"


async def test_procurement_checks_on_a_person_are_refused(http, db):
    token = await submit(
        http, db, [person_record("江纪党处〔2025〕4号", "PARTY_WARNING", "2025-03-10")]
    )
    variables = {
        "i": {
            "purpose": "PROCUREMENT",
            "subject": {"idNumber": make_id_number(seq=401)},
            "reference": "E2E",
        }
    }
    [error] = (await gql(http, token, CHECK, variables)).json()["errors"]
    assert error["extensions"] == {"code": "NOT_SUPPORTED", "field": "input.purpose"}


async def test_a_record_under_objection_makes_the_verdict_review_and_is_marked(http, db):
    token = await submit(
        http,
        db,
        [
            person_record(
                "江监政处〔2026〕2号", "DEMERIT", "2026-02-01", category="GOVERNMENT_SANCTION"
            )
        ],
    )
    async with db.sessions.begin() as session:
        # The state an open DATA_ERROR objection keeps on the record (the workflow itself is
        # tested end to end in tests/lifecycle).
        await session.execute(update(CreditRecord).values(objection_kind=ObjectionKind.DATA_ERROR))
    result = await check(http, token, "AWARD", {"idNumber": make_id_number(seq=401)}, "2026-06-01")
    assert result["verdict"] == "REVIEW"
    assert [(f["outcome"], f["disputed"]) for f in result["findings"]] == [("REVIEW", True)]


async def test_one_act_sanctioned_twice_counts_once_with_the_heavier_sanction(http, db):
    same_act = {"detail": {"actRef": "江纪立〔2025〕9号"}}
    token = await submit(
        http,
        db,
        [
            person_record(
                "江监政处〔2025〕7号",
                "WARNING",
                "2025-06-01",
                category="GOVERNMENT_SANCTION",
                **same_act,
            ),
            person_record(
                "江人社处〔2025〕2号",
                "DEMERIT",
                "2025-06-03",
                category="GOVERNMENT_SANCTION",
                **same_act,
            ),
        ],
    )
    result = await check(http, token, "AWARD", {"idNumber": make_id_number(seq=401)}, "2025-09-01")
    assert result["verdict"] == "RESTRICTED"
    assert [f["record"]["sourceRef"] for f in result["findings"]] == ["江人社处〔2025〕2号"]
