"""信用修复 and publicity through the API on both databases: eligibility refused at once with
the earliest date, the finding agency decides, a repaired record stops restricting where the
restriction was a 失信惩戒 measure and leaves what a 信用网站 publishes, which also loses each
record on the day its window ends."""

from __future__ import annotations

from datetime import date, timedelta

from factories import body, check, record, submit
from parties import FINANCE, SUBJECT
from sqlalchemy import func, select
from support import uscc_check_char

from hub.agencies.models import AgencyFamily
from hub.records.models import RecordEvent
from hub.runtime import note_publicity

BODY = body(841, "江州市某局")
COMPANY = {"uscc": (lambda f: f + uscc_check_char(f))("91361200MA35XXXX0"), "name": "某公司"}
ARREARS = record(
    "江财欠〔2026〕84号", BODY, category="PAYMENT_ARREARS", kind=None,
    severity="GENERAL", decided="2026-05-31", summary="拖欠中小企业账款逾期未付",
)  # fmt: skip
COMMITMENT = "本单位已足额支付拖欠账款，承诺今后依法按期付款，严格守信践诺，接受社会监督。"
REPAIR_FIELDS = "id state stateLabel decideBy reason record { status repairedOn }"
APPLY = "mutation($i: RepairInput!) { applyForRepair(input: $i) { " + REPAIR_FIELDS + " } }"
DECIDE = (
    """mutation($id: ID!, $a: Boolean!, $r: String!) {
  decideRepair(id: $id, approve: $a, reason: $r) { """
    + REPAIR_FIELDS
    + " } }"
)
PUBLIC = """query($after: String) { publicRecords(first: 2, after: $after) {
  edges { cursor node { id uscc name category categoryLabel decidedAt publicUntil underObjection } }
  pageInfo { hasNextPage endCursor } } }"""
RECORDS = "query { records { edges { node { id sourceRef status } } } }"


async def seed(parties, db, rows=(ARREARS,)):
    await submit(parties.hub.http, db, list(rows), agency_seed=FINANCE, family=AgencyFamily.FINANCE)
    listed = await parties.ask(parties.finance, RECORDS)
    return {e["node"]["sourceRef"]: e["node"]["id"] for e in listed["data"]["records"]["edges"]}


async def apply(parties, rid, token=None, **extra):
    application = {"record": rid, "commitment": COMMITMENT, "obligationsFulfilled": True, **extra}
    return await parties.ask(token or parties.hr, APPLY, {"i": application})


async def award(parties, as_of):
    answer = await check(parties.hub.http, parties.hr, "AWARD", {"uscc": BODY["uscc"]}, asOf=as_of)
    assert "errors" not in answer, answer
    return answer["data"]["check"]


async def test_a_repair_applied_for_too_early_is_refused_with_the_earliest_date(parties, db):
    refs = await seed(parties, db)
    parties.on(date(2026, 8, 31))
    error = (await apply(parties, refs["江财欠〔2026〕84号"]))["errors"][0]
    assert error["extensions"] == {
        "code": "REPAIR_NOT_ELIGIBLE", "field": "record", "earliest": "2026-09-01",
    }  # fmt: skip
    assert "2026-08-31" in error["message"]


async def test_the_finding_agency_approves_and_the_measure_and_the_publicity_end(parties, db):
    rid = (await seed(parties, db))["江财欠〔2026〕84号"]
    assert (await award(parties, "2026-09-24"))["verdict"] == "RESTRICTED"
    public = await parties.ask(
        parties.hr.replace(parties.hr, await _publisher(parties, db)), PUBLIC
    )
    assert [e["node"]["id"] for e in public["data"]["publicRecords"]["edges"]] == [rid]

    applied = (await apply(parties, rid))["data"]["applyForRepair"]
    # Ten working days from Thursday 24 September 2026, across 国庆: 15 October.
    assert (applied["state"], applied["stateLabel"], applied["decideBy"]) == (
        "PENDING", "待决定", "2026-10-15",
    )  # fmt: skip
    twice = (await apply(parties, rid))["errors"][0]
    assert twice["extensions"] == {
        "code": "CONFLICT",
        "field": "record",
        "application": applied["id"],
    }

    decision = {"id": applied["id"], "a": True, "r": "已履行义务并作出信用承诺，准予修复"}
    stranger = (await parties.ask(parties.stranger, DECIDE, decision))["errors"][0]
    assert stranger["extensions"] == {"code": "NOT_FOUND", "field": "id"}
    no_scope = (await parties.ask(parties.hr, DECIDE, decision))["errors"][0]
    assert no_scope["extensions"]["code"] == "FORBIDDEN"

    parties.on(date(2026, 10, 9))
    approved = (await parties.ask(parties.finance, DECIDE, decision))["data"]["decideRepair"]
    assert approved["state"] == "APPROVED"
    assert approved["record"] == {"status": "REPAIRED", "repairedOn": "2026-10-09"}

    # The measure restricted until the day before the repair, and no longer.
    assert (await award(parties, "2026-10-08"))["verdict"] == "RESTRICTED"
    assert (await award(parties, "2026-10-09"))["verdict"] == "CLEAR"
    # Repaired 失信信息 is no longer shared with other agencies, nor published.
    others = await parties.ask(parties.hr, RECORDS)
    assert rid not in [e["node"]["id"] for e in others["data"]["records"]["edges"]]
    own = await parties.ask(parties.finance, RECORDS)
    assert [
        e["node"]["status"] for e in own["data"]["records"]["edges"] if e["node"]["id"] == rid
    ] == ["REPAIRED"]
    public = await parties.ask(await _publisher(parties, db), PUBLIC)
    assert public["data"]["publicRecords"]["edges"] == []


async def test_a_rejected_application_leaves_the_record_as_it_was(parties, db):
    rid = (await seed(parties, db))["江财欠〔2026〕84号"]
    applied = (await apply(parties, rid))["data"]["applyForRepair"]
    decision = {"id": applied["id"], "a": False, "r": "欠款尚未足额支付，不予修复"}
    rejected = (await parties.ask(parties.finance, DECIDE, decision))["data"]["decideRepair"]
    assert (rejected["state"], rejected["reason"]) == ("REJECTED", "欠款尚未足额支付，不予修复")
    assert rejected["record"]["status"] == "ACTIVE"
    again = (await parties.ask(parties.finance, DECIDE, decision))["errors"][0]
    assert again["extensions"] == {"code": "CONFLICT", "field": "id", "state": "REJECTED"}


async def test_a_sanction_with_a_statutory_effect_cannot_be_repaired(parties):
    listed = await parties.ask(parties.hr, RECORDS)
    [sanction] = [e["node"]["id"] for e in listed["data"]["records"]["edges"]]
    error = (await apply(parties, sanction))["errors"][0]
    assert error["extensions"] == {"code": "REPAIR_NOT_ELIGIBLE", "field": "record"}
    assert "政务处分" in error["message"]


async def test_the_source_withdrawing_its_record_closes_a_pending_application(parties, db):
    rid = (await seed(parties, db))["江财欠〔2026〕84号"]
    await apply(parties, rid)
    await submit(parties.hub.http, db, [{**ARREARS, "status": "REVOKED"}],
                 agency_seed=FINANCE, family=AgencyFamily.FINANCE)  # fmt: skip
    listed = await parties.ask(
        parties.hr, "query { repairApplications { edges { node { state reason } } } }"
    )
    [node] = [e["node"] for e in listed["data"]["repairApplications"]["edges"]]
    assert node["state"] == "WITHDRAWN" and "REVOKED" in node["reason"]


async def _publisher(parties, db):
    from factories import token_for

    return await token_for(parties.hub.http, db, "public:read", agency_seed=85)


async def test_only_government_bodies_records_within_their_window_are_published(parties, db):
    penalty_on_person = record(
        "江财罚〔2026〕2号", SUBJECT, category="ADMINISTRATIVE_PENALTY", kind=None,
        severity="GENERAL", decided="2026-06-01",
    )  # fmt: skip
    company = record(
        "江财采〔2026〕3号", COMPANY, category="PROCUREMENT_BREACH", kind=None,
        severity="GENERAL", decided="2026-06-01",
    )  # fmt: skip
    second = {**ARREARS, "sourceRef": "江财欠〔2026〕85号", "decidedAt": "2026-07-01"}
    third = {**ARREARS, "sourceRef": "江财欠〔2026〕86号", "decidedAt": "2026-08-01"}
    refs = await seed(parties, db, [ARREARS, penalty_on_person, company, second, third])
    publisher = await _publisher(parties, db)

    first = (await parties.ask(publisher, PUBLIC))["data"]["publicRecords"]
    rest = (await parties.ask(publisher, PUBLIC, {"after": first["pageInfo"]["endCursor"]}))[
        "data"
    ]["publicRecords"]
    nodes = [e["node"] for e in first["edges"] + rest["edges"]]
    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert [n["id"] for n in nodes] == [
        refs["江财欠〔2026〕84号"],
        refs["江财欠〔2026〕85号"],
        refs["江财欠〔2026〕86号"],
    ]
    assert {n["uscc"] for n in nodes} == {BODY["uscc"]} and nodes[0]["categoryLabel"] == "拖欠账款"

    # The first record's window closes: it is gone the next day, noted once by the job.
    last = date.fromisoformat(nodes[0]["publicUntil"])
    parties.on(last + timedelta(days=1))
    later = (await parties.ask(publisher, PUBLIC))["data"]["publicRecords"]["edges"]
    assert refs["江财欠〔2026〕84号"] not in [e["node"]["id"] for e in later]
    runtime = parties.hub.runtime
    assert await note_publicity(runtime) >= 1
    assert await note_publicity(runtime) == 0  # idempotent
    async with db.sessions() as session:
        ended = await session.scalar(
            select(func.count())
            .select_from(RecordEvent)
            .where(
                RecordEvent.kind == "PUBLICITY_ENDED",
                RecordEvent.record_id == int(refs["江财欠〔2026〕84号"]),
            )
        )
    assert ended == 1
    shown = await parties.ask(parties.finance, RECORDS)
    status = {
        e["node"]["sourceRef"]: e["node"]["status"] for e in shown["data"]["records"]["edges"]
    }
    assert status["江财欠〔2026〕84号"] == "EXPIRED"


async def test_public_records_need_their_own_scope(parties):
    error = (await parties.ask(parties.hr, PUBLIC))["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert BODY["uscc"].startswith("1")  # 机构编制-registered, as the published bodies above
