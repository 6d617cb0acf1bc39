"""The lifecycle's transitions in the change feed: an objection opened and answered, a repair
that withdraws the record from every consumer, and a source's revocation likewise. A consumer
told to stop using a record receives its identity only, never its content again."""

from __future__ import annotations

from datetime import date

from factories import body as make_body
from factories import record, submit, token_for
from parties import FINANCE, SANCTION, SOURCE, SUBJECT
from support import sequenced

from hub.agencies.models import AgencyFamily

CHANGES = """query($after: String) { changes(after: $after) {
  edges { node { id type subject data } } pageInfo { endCursor } } }"""
RECORDS = "query { records { edges { node { id sourceRef } } } }"
FILE = "mutation($i: ObjectionInput!) { fileObjection(input: $i) { id } }"
RESOLVE = """mutation($id: ID!, $r: String!) {
  resolveObjection(id: $id, outcome: REJECTED, reason: $r) { state } }"""
APPLY = "mutation($i: RepairInput!) { applyForRepair(input: $i) { id } }"
DECIDE = """mutation($id: ID!, $r: String!) {
  decideRepair(id: $id, approve: true, reason: $r) { state } }"""
ARREARS = record(
    "江财欠〔2026〕85号", {"uscc": "", "name": ""}, category="PAYMENT_ARREARS", kind=None,
    severity="GENERAL", decided="2026-05-31", summary="拖欠中小企业账款逾期未付",
)  # fmt: skip


async def _feed(parties, token, after=None):
    await sequenced(parties.hub.runtime)
    answer = await parties.ask(token, CHANGES, {"after": after})
    assert "errors" not in answer, answer
    return answer["data"]["changes"]


async def _ids(parties, token):
    listed = await parties.ask(token, RECORDS)
    return {e["node"]["sourceRef"]: e["node"]["id"] for e in listed["data"]["records"]["edges"]}


async def test_an_objection_opened_and_rejected_is_followed_by_the_feed(parties, db):
    sync = await token_for(parties.hub.http, db, "sync:read", agency_seed=86)
    start = (await _feed(parties, sync))["pageInfo"]["endCursor"]
    rid = (await _ids(parties, parties.hr))[SANCTION["sourceRef"]]
    reason = "处分决定书载明的违纪时间与本人档案记载不符，请核查更正"
    filed = await parties.ask(parties.hr, FILE, {"i": {"record": rid, "kind": "DATA_ERROR",
                                                        "reason": reason}})  # fmt: skip
    opened = (await _feed(parties, sync, start))["edges"]
    assert [(e["node"]["type"], e["node"]["data"]["change"]) for e in opened] == [
        ("cn.gov.credit.record.objection", "OBJECTION_OPENED")
    ]
    data = opened[0]["node"]["data"]
    assert (data["status"], data["objection"]) == ("UNDER_OBJECTION", "DATA_ERROR")

    oid = filed["data"]["fileObjection"]["id"]
    answer = await parties.ask(parties.source, RESOLVE, {"id": oid, "r": "经核查，原记录无误"})
    assert answer["data"]["resolveObjection"]["state"] == "REJECTED"
    closed = (await _feed(parties, sync, start))["edges"]
    assert [e["node"]["data"]["change"] for e in closed] == [
        "OBJECTION_OPENED",
        "OBJECTION_REJECTED",
    ]
    # Each event carries the record as it stands now: the dispute is over in both.
    assert {e["node"]["data"]["status"] for e in closed} == {"ACTIVE"}


async def test_a_repair_withdraws_the_record_from_the_feed_for_good(parties, db):
    body = make_body(851, "江州市某局")
    await submit(parties.hub.http, db, [{**ARREARS, "subject": body}], agency_seed=FINANCE,
                 family=AgencyFamily.FINANCE)  # fmt: skip
    sync = await token_for(parties.hub.http, db, "sync:read", agency_seed=87)
    before = await _feed(parties, sync)
    listed = [
        e
        for e in before["edges"]
        if e["node"]["data"]["origin"]["sourceRef"] == "江财欠〔2026〕85号"
    ]
    assert listed[0]["node"]["data"]["summary"] == "拖欠中小企业账款逾期未付"

    rid = (await _ids(parties, parties.finance))["江财欠〔2026〕85号"]
    commitment = "本单位已足额支付拖欠账款，承诺今后依法按期付款，严格守信践诺，接受社会监督。"
    applied = await parties.ask(parties.hr, APPLY, {"i": {"record": rid, "commitment": commitment,
                                                          "obligationsFulfilled": True}})  # fmt: skip
    parties.on(date(2026, 10, 9))
    decided = await parties.ask(
        parties.finance,
        DECIDE,
        {"id": applied["data"]["applyForRepair"]["id"], "r": "已履行义务并作出信用承诺，准予修复"},
    )
    assert decided["data"]["decideRepair"]["state"] == "APPROVED", decided

    after = await _feed(parties, sync)
    mine = [e["node"] for e in after["edges"]
            if e["node"]["data"]["origin"]["sourceRef"] == "江财欠〔2026〕85号"]  # fmt: skip
    assert mine[-1]["data"]["change"] == "REPAIR_APPROVED"
    # Every event of it, the old ones re-read too, now says only: stop using this record.
    assert {e["type"] for e in mine} == {"cn.gov.credit.record.withdrawn"}
    for event in mine:
        assert event["data"]["shared"] is False and event["data"]["reason"] == "REPAIRED"
        assert "summary" not in event["data"] and "subject" not in event["data"]
    snapshot = await parties.ask(sync, "query { recordsSnapshot { edges { node { subject } } } }")
    subjects = [e["node"]["subject"] for e in snapshot["data"]["recordsSnapshot"]["edges"]]
    assert not [s for s in subjects if s.endswith("江财欠〔2026〕85号")]
    # Its source still follows its own record in full.
    source_sync = await token_for(parties.hub.http, db, "sync:read", agency_seed=FINANCE)
    own = [e["node"] for e in (await _feed(parties, source_sync))["edges"]
           if e["node"]["data"]["origin"]["sourceRef"] == "江财欠〔2026〕85号"]  # fmt: skip
    assert own[-1]["data"]["shared"] is True and own[-1]["data"]["status"] == "REPAIRED"


async def test_a_revocation_by_the_source_tells_consumers_to_stop_using_it(parties, db):
    sync = await token_for(parties.hub.http, db, "sync:read", agency_seed=88)
    start = (await _feed(parties, sync))["pageInfo"]["endCursor"]
    await submit(parties.hub.http, db, [{**SANCTION, "status": "REVOKED"}], agency_seed=SOURCE)
    revoked = (await _feed(parties, sync, start))["edges"]
    assert [(e["node"]["type"], e["node"]["data"]) for e in revoked] == [
        (
            "cn.gov.credit.record.withdrawn",
            {
                "origin": revoked[0]["node"]["data"]["origin"],
                "recordVersion": 2,
                "shared": False,
                "reason": "REVOKED",
                "change": "STATUS_CHANGED",
                "eventVersion": 2,
            },
        )
    ]
    assert revoked[0]["node"]["data"]["origin"]["sourceRef"] == SANCTION["sourceRef"]
    assert SUBJECT["name"] not in str(revoked)
