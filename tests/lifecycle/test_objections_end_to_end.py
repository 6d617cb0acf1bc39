"""异议 through the API on both databases: filed for the subject by the agency that checked,
answered by the source agency within working-day deadlines, seen in checks while open, closed
by the source's own withdrawal, never by a routine resubmission."""

from __future__ import annotations

from datetime import date

from factories import check, submit
from parties import SANCTION, SOURCE, SUBJECT

OBJECTION_FIELDS = """id kind state stateLabel reason examineBy correctBy due overdue resolution
  filedBy { name } answeredBy { name } record { id status sourceStatus objection objectionDue }"""
FILE = "mutation($i: ObjectionInput!) { fileObjection(input: $i) { " + OBJECTION_FIELDS + " } }"
ACKNOWLEDGE = "mutation($id: ID!) { acknowledgeObjection(id: $id) { " + OBJECTION_FIELDS + " } }"
RESOLVE = (
    """mutation($id: ID!, $o: ObjectionOutcome!, $r: String!, $revoke: Boolean) {
  resolveObjection(id: $id, outcome: $o, reason: $r, revoke: $revoke) { """
    + OBJECTION_FIELDS
    + " } }"
)
LIST = """query($f: ObjectionFilter) { objections(filter: $f) {
  edges { node { id state overdue } } pageInfo { hasNextPage } } }"""
RECORDS = "query { records { edges { node { id sourceRef status } } } }"
ARCHIVE = """query($n: String!) { person(idNumber: $n) { archive { records {
  record { sourceRef status } history { kind by reason }
  objections { state reason } repairs { state } } } } }"""
REASON = "处分决定书载明的违纪时间与本人档案记载不符，请核查更正"


async def record_id(parties, token=None):
    body = await parties.ask(token or parties.hr, RECORDS)
    [edge] = body["data"]["records"]["edges"]
    return edge["node"]["id"]


async def file(parties, kind="DATA_ERROR", token=None, **extra):
    variables = {"i": {"record": await record_id(parties), "kind": kind, "reason": REASON, **extra}}
    return await parties.ask(token or parties.hr, FILE, variables)


async def award_check(parties, as_of="2026-09-24"):
    body = await check(parties.hub.http, parties.hr, "AWARD", {"idNumber": SUBJECT["idNumber"]},
                       asOf=as_of)  # fmt: skip
    assert "errors" not in body, body
    return body["data"]["check"]


async def test_an_objection_turns_the_check_to_review_until_the_source_rejects_it(parties):
    assert (await award_check(parties))["verdict"] == "RESTRICTED"

    filed = (await file(parties))["data"]["fileObjection"]
    assert (filed["state"], filed["stateLabel"]) == ("OPEN", "待受理")
    # Filed on Thursday 24 September 2026: ten working days run past 国庆 to 15 October.
    assert filed["examineBy"] == "2026-10-15" and filed["due"] == "2026-10-15"
    assert filed["answeredBy"]["name"] == f"江州市测试局{SOURCE}"
    assert filed["record"]["status"] == "UNDER_OBJECTION"
    assert filed["record"]["sourceStatus"] == "ACTIVE"

    disputed = await award_check(parties)
    assert disputed["verdict"] == "REVIEW"
    assert [(f["outcome"], f["disputed"]) for f in disputed["findings"]] == [("REVIEW", True)]

    acknowledged = await parties.ask(parties.source, ACKNOWLEDGE, {"id": filed["id"]})
    assert acknowledged["data"]["acknowledgeObjection"]["state"] == "ACKNOWLEDGED"
    rejected = await parties.ask(
        parties.source,
        RESOLVE,
        {"id": filed["id"], "o": "REJECTED", "r": "经核对原始案卷，违纪时间记载无误"},
    )
    answer = rejected["data"]["resolveObjection"]
    assert (answer["state"], answer["resolution"]) == (
        "REJECTED",
        "经核对原始案卷，违纪时间记载无误",
    )
    assert answer["record"]["status"] == "ACTIVE" and answer["record"]["objection"] is None

    assert (await award_check(parties))["verdict"] == "RESTRICTED"
    archive = await parties.ask(parties.hr, ARCHIVE, {"n": SUBJECT["idNumber"]})
    [entry] = archive["data"]["person"]["archive"]["records"]
    assert [e["kind"] for e in entry["history"]] == [
        "CREATED",
        "OBJECTION_OPENED",
        "OBJECTION_ACKNOWLEDGED",
        "OBJECTION_REJECTED",
    ]
    assert entry["history"][1]["reason"] == REASON
    assert [o["state"] for o in entry["objections"]] == ["REJECTED"]


async def test_a_resubmission_keeps_an_objection_open_and_a_correction_closes_an_upheld_one(
    parties, db
):
    http = parties.hub.http
    filed = (await file(parties))["data"]["fileObjection"]
    # The routine nightly resubmission, unchanged and then changed: the objection stays.
    await submit(http, db, [SANCTION], agency_seed=SOURCE)
    await submit(http, db, [{**SANCTION, "legalBasis": "《公职人员政务处分法》第三十三条"}],
                 agency_seed=SOURCE)  # fmt: skip
    still = await parties.ask(parties.hr, LIST, {"f": {"toMyRecords": False}})
    assert [e["node"]["state"] for e in still["data"]["objections"]["edges"]] == ["OPEN"]

    parties.on(date(2026, 9, 30))
    upheld = await parties.ask(
        parties.source,
        RESOLVE,
        {"id": filed["id"], "o": "UPHELD", "r": "违纪时间记载有误，予以更正"},
    )
    answer = upheld["data"]["resolveObjection"]
    # Five working days to correct after 国庆: 8, 9, Saturday 10 October (调休), 12, 13.
    assert (answer["state"], answer["correctBy"], answer["due"]) == (
        "UPHELD",
        "2026-10-13",
        "2026-10-13",
    )
    assert answer["record"]["status"] == "UNDER_OBJECTION"  # until the correction arrives

    corrected = {**SANCTION, "summary": "违反工作纪律（违纪时间已更正）"}
    await submit(http, db, [corrected], agency_seed=SOURCE)
    after = await parties.ask(parties.hr, LIST, {"f": {"toMyRecords": False}})
    assert [e["node"]["state"] for e in after["data"]["objections"]["edges"]] == ["CORRECTED"]
    assert (await award_check(parties))["verdict"] == "RESTRICTED"  # the corrected record


async def test_the_source_withdrawing_its_record_closes_the_objection(parties, db):
    await file(parties)
    await submit(parties.hub.http, db, [{**SANCTION, "status": "REVOKED"}], agency_seed=SOURCE)
    listed = await parties.ask(parties.hr, LIST)
    [node] = [e["node"] for e in listed["data"]["objections"]["edges"]]
    assert node["state"] == "WITHDRAWN"
    archive = await parties.ask(parties.source, ARCHIVE, {"n": SUBJECT["idNumber"]})
    [entry] = archive["data"]["person"]["archive"]["records"]
    assert entry["history"][-1]["kind"] == "OBJECTION_WITHDRAWN"
    assert "withdrew the record (REVOKED)" in entry["history"][-1]["reason"]


async def test_upholding_with_revoke_withdraws_the_record_at_once(parties):
    filed = (await file(parties))["data"]["fileObjection"]
    answer = await parties.ask(
        parties.source,
        RESOLVE,
        {"id": filed["id"], "o": "UPHELD", "r": "处分对象认定错误，撤销该记录", "revoke": True},
    )
    resolved = answer["data"]["resolveObjection"]
    assert resolved["state"] == "CORRECTED"
    assert resolved["record"]["status"] == "REVOKED"  # the source still sees its own record
    shown = await parties.ask(
        parties.hr, "query { objections { edges { node { record { id } } } } }"
    )
    assert shown["data"]["objections"]["edges"] == [{"node": {"record": None}}]  # withdrawn
    assert (await award_check(parties))["verdict"] == "CLEAR"


async def test_a_request_for_review_keeps_the_sanction_in_force(parties):
    filed = await file(parties, kind="SANCTION_REVIEW")
    assert filed["data"]["fileObjection"]["record"]["objection"] == "SANCTION_REVIEW"
    answer = await award_check(parties)
    assert answer["verdict"] == "RESTRICTED"  # 政务处分法 Art. 56: review does not suspend it
    assert [(f["outcome"], f["pendingReview"]) for f in answer["findings"]] == [
        ("RESTRICTED", True)
    ]


async def test_an_overdue_objection_is_listed_flagged_in_checks_and_counted(parties):
    filed = (await file(parties))["data"]["fileObjection"]
    parties.on(date(2026, 10, 15))  # the last day: not overdue yet
    assert (await parties.ask(parties.hr, LIST, {"f": {"overdue": True}}))["data"]["objections"][
        "edges"
    ] == []
    parties.on(date(2026, 10, 16))
    overdue = await parties.ask(parties.source, LIST, {"f": {"overdue": True, "toMyRecords": True}})
    assert [e["node"] for e in overdue["data"]["objections"]["edges"]] == [
        {"id": filed["id"], "state": "OPEN", "overdue": True}
    ]
    answer = await award_check(parties, as_of="2026-10-16")
    [finding] = answer["findings"]
    assert finding["disputed"] and finding["objectionOverdue"]
    metrics = (await parties.hub.http.get("/metrics")).text
    assert "hub_objections_overdue 1.0" in metrics and "hub_objections_open 1.0" in metrics


async def test_a_record_the_caller_cannot_see_does_not_exist_for_an_objection(parties, db):
    rid = await record_id(parties)
    await submit(parties.hub.http, db, [{**SANCTION, "status": "REVOKED"}], agency_seed=SOURCE)
    variables = {"i": {"record": rid, "kind": "DATA_ERROR", "reason": REASON}}
    hidden = (await parties.ask(parties.stranger, FILE, variables))["errors"][0]
    variables["i"]["record"] = "999999"
    absent = (await parties.ask(parties.stranger, FILE, variables))["errors"][0]
    assert hidden["extensions"] == absent["extensions"] == {"code": "NOT_FOUND", "field": "record"}
    assert hidden["message"].replace(rid, "N") == absent["message"].replace("999999", "N")


async def test_only_the_source_agency_answers_and_strangers_see_nothing(parties):
    filed = (await file(parties))["data"]["fileObjection"]
    resolve = {"id": filed["id"], "o": "REJECTED", "r": "自行认定异议不成立"}
    # The filing agency lacks the scope; a party with the scope that is not the source is
    # forbidden; an agency with no part in it is told the objection does not exist.
    no_scope = (await parties.ask(parties.hr, RESOLVE, resolve))["errors"][0]
    assert no_scope["extensions"]["code"] == "FORBIDDEN"
    stranger = (await parties.ask(parties.stranger, RESOLVE, resolve))["errors"][0]
    assert stranger["extensions"] == {"code": "NOT_FOUND", "field": "id"}
    listed = await parties.ask(parties.stranger, LIST)
    assert listed["data"]["objections"]["edges"] == []


async def test_the_filer_is_forbidden_to_answer_its_own_objection(parties, db):
    from factories import token_for

    both = await token_for(
        parties.hub.http, db, "records:read objections:file objections:manage", agency_seed=82
    )
    filed = (await file(parties, token=both))["data"]["fileObjection"]
    answer = await parties.ask(
        both, RESOLVE, {"id": filed["id"], "o": "REJECTED", "r": "自行驳回异议"}
    )
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_steps_out_of_order_and_duplicates_are_conflicts(parties):
    filed = (await file(parties))["data"]["fileObjection"]
    again = (await file(parties))["errors"][0]
    assert again["extensions"] == {"code": "CONFLICT", "field": "record", "objection": filed["id"]}
    resolve = {"id": filed["id"], "o": "REJECTED", "r": "经核对记载无误"}
    await parties.ask(parties.source, RESOLVE, resolve)
    twice = (await parties.ask(parties.source, RESOLVE, resolve))["errors"][0]
    assert twice["extensions"] == {"code": "CONFLICT", "field": "id", "state": "REJECTED"}
    late = (await parties.ask(parties.source, ACKNOWLEDGE, {"id": filed["id"]}))["errors"][0]
    assert late["extensions"]["code"] == "CONFLICT"


async def test_bad_input_names_the_field_and_stores_nothing(parties):
    short = (await file(parties, reason="错"))["errors"][0]
    assert short["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
    bad_id = await parties.ask(
        parties.hr, FILE, {"i": {"record": "abc", "kind": "DATA_ERROR", "reason": REASON}}
    )
    assert bad_id["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.record"}
    assert (await parties.ask(parties.hr, LIST))["data"]["objections"]["edges"] == []


async def test_a_deadline_in_a_year_the_calendar_does_not_know_is_refused_and_nothing_kept(parties):
    parties.on(date(2026, 12, 22))
    refused = (await file(parties))["errors"][0]
    assert refused["extensions"] == {"code": "CALENDAR_UNKNOWN", "field": "deadline"}
    assert "2027" in refused["message"]
    assert (await parties.ask(parties.hr, LIST))["data"]["objections"]["edges"] == []
    assert (await award_check(parties, as_of="2026-12-22"))["verdict"] == "RESTRICTED"


async def test_the_archive_shows_who_accessed_the_subject_only_to_audit_readers(parties, db):
    from factories import token_for

    await file(parties)
    await award_check(parties)
    query = """query($n: String!) { person(idNumber: $n) { archive {
      accesses { edges { node { operation purpose agency { name } } } } } } }"""
    auditor = await token_for(parties.hub.http, db, "records:read audit:read", agency_seed=86)
    body = await parties.ask(auditor, query, {"n": SUBJECT["idNumber"]})
    seen = [
        (n["node"]["operation"], n["node"]["purpose"])
        for n in body["data"]["person"]["archive"]["accesses"]["edges"]
    ]
    assert ("fileObjection", "OBJECTION") in seen and ("check", "AWARD") in seen
    refused = await parties.ask(parties.hr, query, {"n": SUBJECT["idNumber"]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
