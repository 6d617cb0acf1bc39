"""submitRecords: rows validated one by one, idempotent upsert on (agency, sourceRef)."""

from __future__ import annotations

from sqlalchemy import select
from support import get_token, gql, make_client, make_id_number, make_uscc

from hub.records.models import CreditRecord, RecordEvent

SUBMIT = """
mutation($records: [RecordInput!]!) {
  submitRecords(records: $records) {
    accepted inserted updated unchanged rejected { index field reason } warnings { index field reason }
  }
}"""


def sanction(source_ref: str = "江纪政处〔2025〕1号", **overrides):
    row = {
        "sourceRef": source_ref,
        "category": "GOVERNMENT_SANCTION",
        "sanctionKind": "DEMERIT",
        "severity": "GENERAL",
        "subject": {"idNumber": make_id_number(seq=41), "name": "李四"},
        "decidedAt": "2025-03-01",
        "summary": "违规发放津贴补贴",
    }
    row.update(overrides)
    return row


async def submit(http, db, records, scopes="records:write"):
    credentials = await make_client(db, scopes, agency_seed=3)
    token = await get_token(http, credentials)
    response = await gql(http, token, SUBMIT, {"records": records})
    assert response.status_code == 200, response.text
    return response.json()["data"]["submitRecords"]


async def test_each_bad_row_is_rejected_with_its_index_field_and_reason(http, db):
    result = await submit(
        http,
        db,
        [
            sanction("A-1"),
            sanction("A-2", subject={"idNumber": "110105194912310021", "name": "王五"}),
            sanction("A-3", sanctionKind="PARTY_WARNING"),
            sanction("A-4", decidedAt="2999-01-01"),
            sanction("A-5", subject={"idNumber": make_id_number(seq=43)}),
            sanction("A-1"),
            sanction("A-6", category="EXAM_MISCONDUCT", sanctionKind=None),
        ],
    )
    assert result["accepted"] == 1
    rejected = {(r["index"], r["field"]) for r in result["rejected"]}
    assert rejected == {
        (1, "subject.idNumber"),
        (2, "sanctionKind"),
        (3, "decidedAt"),
        (4, "subject.name"),
        (6, "sanctionKind"),
    }
    assert all(r["reason"] for r in result["rejected"])
    # Row 5 repeats row 0's sourceRef: the last row is applied, the earlier one superseded.
    assert [(w["index"], w["field"]) for w in result["warnings"]] == [(0, "sourceRef")]
    assert "superseded by row 5" in result["warnings"][0]["reason"]


async def test_the_last_row_naming_a_source_ref_is_the_one_applied(http, db):
    result = await submit(http, db, [sanction(summary="初稿"), sanction(summary="定稿")])
    assert (result["inserted"], result["accepted"]) == (1, 1)
    async with db.sessions() as session:
        [record] = (await session.scalars(select(CreditRecord))).all()
        assert (record.summary, record.version) == ("定稿", 1)


async def test_resubmitting_the_same_row_changes_nothing(http, db):
    first = await submit(http, db, [sanction()])
    second = await submit(http, db, [sanction()])
    assert (first["inserted"], second["inserted"], second["unchanged"]) == (1, 0, 1)
    async with db.sessions() as session:
        [record] = (await session.scalars(select(CreditRecord))).all()
        assert record.version == 1
        events = (await session.scalars(select(RecordEvent))).all()
        assert [e.kind for e in events] == ["CREATED"]


async def test_a_changed_row_bumps_the_version_and_adds_an_event(http, db):
    await submit(http, db, [sanction()])
    result = await submit(http, db, [sanction(summary="违规发放津贴补贴（更正金额）")])
    assert result["updated"] == 1
    await submit(http, db, [sanction(status="REVOKED")])
    async with db.sessions() as session:
        [record] = (await session.scalars(select(CreditRecord))).all()
        assert (record.version, record.status.value) == (3, "REVOKED")
        events = (await session.scalars(select(RecordEvent).order_by(RecordEvent.id))).all()
        assert [(e.kind, e.version) for e in events] == [
            ("CREATED", 1),
            ("UPDATED", 2),
            ("STATUS_CHANGED", 3),
        ]


async def test_a_source_cannot_set_statuses_the_hub_owns(http, db):
    result = await submit(http, db, [sanction(status="REPAIRED")])
    assert [(r["index"], r["field"]) for r in result["rejected"]] == [(0, "status")]


async def test_an_organization_subject_and_a_legacy_uscc_warning(http, db):
    organization = {
        "sourceRef": "江财采违〔2025〕8号",
        "category": "PAYMENT_ARREARS",
        "severity": "GENERAL",
        "subject": {"uscc": "91350100M0001TGQXM", "name": "江州市某局"},
        "decidedAt": "2025-05-01",
        "summary": "拖欠中小企业货款",
    }
    result = await submit(
        http,
        db,
        [
            organization,
            {
                **organization,
                "sourceRef": "X-2",
                "subject": {"uscc": make_uscc(seed=5), "name": "江州市另一局"},
            },
        ],
    )
    assert result["inserted"] == 2
    assert [(w["index"], w["field"]) for w in result["warnings"]] == [(0, "subject")]


async def test_submitting_needs_records_write(http, db):
    credentials = await make_client(db, "records:read", agency_seed=4)
    token = await get_token(http, credentials)
    body = (await gql(http, token, SUBMIT, {"records": [sanction()]})).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with db.sessions() as session:
        assert (await session.scalars(select(CreditRecord))).all() == []


async def test_a_name_that_differs_from_the_one_on_file_is_accepted_with_a_warning(http, db):
    await submit(http, db, [sanction("B-1")])
    other = sanction("B-2", subject={"idNumber": make_id_number(seq=41), "name": "李思"})
    result = await submit(http, db, [other])
    assert result["inserted"] == 1
    assert [(w["index"], w["field"]) for w in result["warnings"]] == [(0, "subject.name")]


# --- a record never changes subject silently (issue 17 item 1) -------------------------------

SOMEONE_ELSE = {"idNumber": make_id_number(seq=44), "name": "王五"}
FIRST_SUBJECT = {"idNumber": make_id_number(seq=41), "name": "李四"}


async def test_reusing_a_source_ref_for_another_subject_is_refused_naming_the_row(http, db):
    await submit(http, db, [sanction()])
    result = await submit(http, db, [sanction("A-9"), sanction(subject=SOMEONE_ELSE)])
    assert result["accepted"] == 1
    [refused] = result["rejected"]
    assert (refused["index"], refused["field"]) == (1, "subject")
    assert "江纪政处〔2025〕1号" in refused["reason"] and "CORRECTED" in refused["reason"]
    async with db.sessions() as session:
        record = await session.scalar(
            select(CreditRecord).where(CreditRecord.source_ref == "江纪政处〔2025〕1号")
        )
        assert record.version == 1 and record.person_id is not None
        first_person = record.person_id
    codes = await gql_codes(http, db, [sanction(subject=SOMEONE_ELSE)])
    assert codes == ["SUBJECT_CHANGED"]
    async with db.sessions() as session:
        record = await session.get(CreditRecord, record.id)
        assert record.person_id == first_person


async def test_a_source_moves_a_record_only_by_withdrawing_it_from_the_old_subject(http, db):
    await submit(http, db, [sanction()])
    # CORRECTED without naming the subject it withdraws from: still refused.
    unnamed = await submit(http, db, [sanction(subject=SOMEONE_ELSE, status="CORRECTED")])
    assert [r["field"] for r in unnamed["rejected"]] == ["subject"]
    # Naming the wrong previous subject: refused too.
    wrong = sanction(
        subject=SOMEONE_ELSE,
        status="CORRECTED",
        previousSubject={"idNumber": make_id_number(seq=45)},
    )
    assert [r["field"] for r in (await submit(http, db, [wrong]))["rejected"]] == ["subject"]
    corrected = sanction(subject=SOMEONE_ELSE, status="CORRECTED", previousSubject=FIRST_SUBJECT)
    result = await submit(http, db, [corrected])
    assert (result["updated"], result["rejected"]) == (1, [])
    async with db.sessions() as session:
        [record] = (await session.scalars(select(CreditRecord))).all()
        assert (record.version, record.status.value) == (2, "CORRECTED")
        events = (await session.scalars(select(RecordEvent).order_by(RecordEvent.id))).all()
        assert [(e.kind, e.actor is not None) for e in events] == [
            ("CREATED", True),
            ("SUBJECT_CORRECTED", True),
        ]


async def test_a_previous_subject_needs_the_corrected_status(http, db):
    row = sanction(previousSubject=FIRST_SUBJECT)
    result = await submit(http, db, [row])
    assert [(r["index"], r["field"]) for r in result["rejected"]] == [(0, "previousSubject")]


async def gql_codes(http, db, records):
    credentials = await make_client(db, "records:write", agency_seed=3)
    token = await get_token(http, credentials)
    query = "mutation($r: [RecordInput!]!) { submitRecords(records: $r) { rejected { code } } }"
    body = (await gql(http, token, query, {"r": records})).json()
    return [r["code"] for r in body["data"]["submitRecords"]["rejected"]]


async def test_a_detail_the_database_could_not_store_is_rejected_by_its_field(http, db):
    # An integer literal written in the document itself reaches the hub as an unbounded
    # Python int; the JSON column stores at most 64 bits (found by the GraphQL fuzzer).
    token = await get_token(http, await make_client(db, "records:write", agency_seed=3))
    row = sanction()
    subject = f'{{idNumber: "{row["subject"]["idNumber"]}", name: "李四"}}'
    document = (
        'mutation { submitRecords(records: [{sourceRef: "A-9", category: GOVERNMENT_SANCTION, '
        f'sanctionKind: DEMERIT, severity: GENERAL, subject: {subject}, decidedAt: "2025-03-01", '
        'summary: "违规", detail: {n: 123456789012345678901234567890}}]) '
        "{ accepted rejected { index field reason } } }"
    )
    answer = (await gql(http, token, document)).json()
    result = answer["data"]["submitRecords"]
    assert result["accepted"] == 0
    assert [(r["index"], r["field"]) for r in result["rejected"]] == [(0, "detail")]
    assert "64-bit" in result["rejected"][0]["reason"]
