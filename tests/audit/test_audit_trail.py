"""Every read of a person and every check lands in the hash-chained audit trail, with who,
what, about whom (a keyed hash), why and with what result; reads without a purpose are
refused."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from factories import CHECK, CHECKS, record, submit
from sqlalchemy import func, select
from support import get_token, gql, make_client, make_id_number, make_uscc

from hub.audit.chain import chain_key
from hub.audit.models import AuditEvent, PendingAccess
from hub.audit.sealing import seal_batch
from hub.audit.service import verify_chain
from hub.subjects.pii import PiiCipher

PERSON = "query($n: String!) { person(idNumber: $n) { name records { sourceRef } } }"
RECORDS = "query($f: RecordFilter) { records(filter: $f, first: 50) { edges { node { id } } } }"
TRAIL = """query($s: SubjectInput!) { auditTrail(subject: $s) { edges { node {
  seq operation purpose reference result clientId requestId agency { name } } } } }"""
PERSON_A = make_id_number(seq=201)
PERSON_B = make_id_number(seq=203)


def sanction(ref, subject):
    return record(ref, subject, kind="DEMERIT", severity="GENERAL")


async def seed(http, db):
    rows = [
        sanction("江纪政处〔2025〕1号", {"idNumber": PERSON_A, "name": "欧阳测试甲"}),
        sanction("江纪政处〔2025〕2号", {"idNumber": PERSON_B, "name": "司马测试乙"}),
        sanction("江纪政处〔2025〕3号", {"uscc": make_uscc(seed=77), "name": "江州市某局"}),
    ]
    assert (await submit(http, db, rows))["inserted"] == 3


async def audit_rows(app, db):
    # What the requests recorded, once sealed (the sealer runs in the app's lifespan, which
    # an ASGI transport does not start).
    await app.runtime.sealer.seal_all()
    async with db.sessions() as session:
        return list(await session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def key_of(keys, id_number):
    return PiiCipher(keys.pii).lookup_hash(id_number)


async def test_a_person_read_without_a_purpose_is_refused_and_nothing_is_read(app, http, db):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))
    body = (await gql(http, token, PERSON, {"n": PERSON_A})).json()
    assert body["data"]["person"] is None
    assert body["errors"][0]["extensions"] == {"code": "PURPOSE_REQUIRED", "field": "purpose"}
    assert "X-Hub-Purpose" in body["errors"][0]["message"]
    assert await audit_rows(app, db) == []


async def test_a_person_read_is_audited_with_who_what_whom_why_and_the_request_id(
    app, http, db, keys
):
    await seed(http, db)
    reader = await make_client(db, "records:read", agency_seed=9)
    token = await get_token(http, reader)
    response = await http.post(
        "/graphql",
        json={"query": PERSON, "variables": {"n": PERSON_A}},
        headers={
            "Authorization": f"Bearer {token}",
            "X-Hub-Purpose": "hiring",
            "X-Hub-Reference": quote("江组招〔2026〕3号"),
            "X-Request-Id": "req-42",
        },
    )
    assert response.json()["data"]["person"]["records"] == [{"sourceRef": "江纪政处〔2025〕1号"}]
    [row] = await audit_rows(app, db)
    assert (row.client_id, row.agency_id, row.request_id) == (
        reader.client_id,
        reader.agency.id,
        "req-42",
    )
    assert (row.operation, row.subject_type, row.subject_key) == (
        "person",
        "PERSON",
        key_of(keys, PERSON_A),
    )
    assert (row.purpose, row.reference, row.result) == ("HIRING", "江组招〔2026〕3号", "found")
    assert PERSON_A not in (row.subject_key, row.result, row.reference)


async def test_the_purpose_argument_takes_precedence_over_the_header(app, http, db):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))
    query = 'query($n: String!) { person(idNumber: $n, purpose: OBJECTION, reference: "异议-7") { name } }'
    await gql(http, token, query, {"n": PERSON_A}, purpose="HIRING")
    [row] = await audit_rows(app, db)
    assert (row.purpose, row.reference) == ("OBJECTION", "异议-7")


async def test_a_lookup_of_an_unknown_person_is_audited_too(app, http, db, keys):
    token = await get_token(http, await make_client(db, "records:read"))
    unknown = make_id_number(seq=999)
    body = (await gql(http, token, PERSON, {"n": unknown}, purpose="SUPERVISION")).json()
    assert body["data"]["person"] is None
    [row] = await audit_rows(app, db)
    assert (row.subject_key, row.result) == (key_of(keys, unknown), "not found")


async def test_an_unknown_purpose_header_is_refused_naming_the_header(app, http, db):
    token = await get_token(http, await make_client(db, "records:read"))
    response = await gql(http, token, PERSON, {"n": PERSON_A}, purpose="CURIOSITY")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("X-Hub-Purpose")


async def test_a_reference_header_with_a_control_character_is_refused(app, http, db):
    token = await get_token(http, await make_client(db, "records:read"))
    response = await http.post(
        "/graphql",
        json={"query": PERSON, "variables": {"n": PERSON_A}},
        headers={
            "Authorization": f"Bearer {token}",
            "X-Hub-Purpose": "HIRING",
            "X-Hub-Reference": "ref%00",
        },
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("X-Hub-Reference")


async def test_a_records_page_audits_each_person_it_holds_once(app, http, db, keys):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))
    refused = (await gql(http, token, RECORDS, {})).json()
    assert refused["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    assert refused["data"] is None

    page = (await gql(http, token, RECORDS, {}, purpose="SUPERVISION")).json()
    assert len(page["data"]["records"]["edges"]) == 3
    rows = await audit_rows(app, db)
    assert sorted(r.subject_key for r in rows) == sorted(
        [key_of(keys, PERSON_A), key_of(keys, PERSON_B)]
    )
    assert {(r.operation, r.result, r.purpose) for r in rows} == {
        ("records", "1 records", "SUPERVISION")
    }


async def test_a_records_page_of_organizations_only_needs_no_purpose(app, http, db):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))
    body = (await gql(http, token, RECORDS, {"f": {"subjectType": "ORGANIZATION"}})).json()
    assert "errors" not in body and len(body["data"]["records"]["edges"]) == 1
    assert await audit_rows(app, db) == []


async def test_person_entities_need_the_purpose_header_and_are_audited(app, http, db, keys):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))
    uid = (
        await gql(
            http,
            token,
            "query($n: String!) { person(idNumber: $n) { id } }",
            {"n": PERSON_B},
            purpose="HIRING",
        )
    ).json()["data"]["person"]["id"]
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { name } } }"
    representations = {"r": [{"__typename": "Person", "id": uid}]}
    refused = (await gql(http, token, entities, representations)).json()
    assert refused["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    answered = (await gql(http, token, entities, representations, purpose="TRANSFER")).json()
    assert answered["data"]["_entities"] == [{"name": "司****"}]
    rows = await audit_rows(app, db)
    assert [(r.operation, r.purpose, r.subject_key) for r in rows] == [
        ("person", "HIRING", key_of(keys, PERSON_B)),
        ("_entities", "TRANSFER", key_of(keys, PERSON_B)),
    ]


async def test_checks_single_and_batch_are_audited_with_their_verdicts(app, http, db, keys):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "check:hiring check:award"))
    single = {"purpose": "HIRING", "subject": {"idNumber": PERSON_A}, "reference": "江组招-1"}
    check_id = (await gql(http, token, CHECK, {"i": single})).json()["data"]["check"]["id"]
    batch = [
        {"purpose": "AWARD", "subject": {"idNumber": n}, "reference": "2026评优"}
        for n in (PERSON_A, PERSON_B, make_id_number(seq=555))
    ]
    verdicts = (await gql(http, token, CHECKS, {"i": batch})).json()["data"]["checks"]
    rows = await audit_rows(app, db)
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].operation == "check" and rows[0].result.endswith(check_id)
    assert [(r.purpose, r.reference) for r in rows[1:]] == [("AWARD", "2026评优")] * 3
    assert [r.result.split(";")[0] for r in rows[1:]] == [v["verdict"] for v in verdicts]
    assert rows[3].subject_key == key_of(keys, make_id_number(seq=555))


async def test_opening_a_report_page_is_audited(app, http, db):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "check:hiring"))
    single = {"purpose": "HIRING", "subject": {"idNumber": PERSON_A}, "reference": "江组招-1"}
    check_id = (await gql(http, token, CHECK, {"i": single})).json()["data"]["check"]["id"]
    page = await http.get(f"/reports/{check_id}", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    rows = await audit_rows(app, db)
    assert [r.operation for r in rows] == ["check", "report"]
    assert rows[1].result == f"report of check {check_id}"


async def test_the_audit_trail_answers_who_looked_when_and_why(app, http, db):
    await seed(http, db)
    hr = await make_client(db, "records:read check:hiring", agency_seed=11, name="人事系统")
    hr_token = await get_token(http, hr)
    await gql(http, hr_token, PERSON, {"n": PERSON_A}, purpose="HIRING")
    single = {"purpose": "HIRING", "subject": {"idNumber": PERSON_A}, "reference": "江组招-9"}
    await gql(http, hr_token, CHECK, {"i": single})
    await gql(http, hr_token, PERSON, {"n": PERSON_B}, purpose="HIRING")  # someone else

    auditor = await make_client(db, "audit:read", agency_seed=12)
    auditor_token = await get_token(http, auditor)
    subject = {"s": {"idNumber": PERSON_A}}
    refused = (await gql(http, hr_token, TRAIL, subject, purpose="SUBJECT_REQUEST")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = (await gql(http, auditor_token, TRAIL, subject, purpose="SUBJECT_REQUEST")).json()
    nodes = [e["node"] for e in body["data"]["auditTrail"]["edges"]]
    assert [(n["operation"], n["purpose"], n["clientId"]) for n in nodes] == [
        ("check", "HIRING", hr.client_id),
        ("person", "HIRING", hr.client_id),
    ]
    assert nodes[0]["reference"] == "江组招-9" and nodes[0]["agency"]["name"] == "江州市测试局11"
    # Reading the trail is itself a read of the person, and lands in the trail.
    again = (await gql(http, auditor_token, TRAIL, subject, purpose="SUBJECT_REQUEST")).json()
    latest = again["data"]["auditTrail"]["edges"][0]["node"]
    assert (latest["operation"], latest["clientId"], latest["result"]) == (
        "auditTrail",
        auditor.client_id,
        "2 entries",
    )


async def test_concurrent_reads_and_concurrent_sealers_make_one_unbroken_chain(app, http, db, keys):
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))
    answers = await asyncio.gather(
        *(gql(http, token, PERSON, {"n": n}, purpose="HIRING") for n in [PERSON_A, PERSON_B] * 10)
    )
    assert all(a.status_code == 200 and "errors" not in a.json() for a in answers)
    key = chain_key(keys.pii.hmac_key)

    async def sealer():  # as two hub processes would, three rows at a time
        while True:
            async with db.sessions.begin() as session:
                if await seal_batch(session, key, limit=3) == 0:
                    return

    await asyncio.gather(sealer(), sealer())
    async with db.sessions() as session:
        report = await verify_chain(session, key)
        left = await session.scalar(select(func.count()).select_from(PendingAccess))
    assert report.intact and report.rows == 20 and left == 0
    assert [r.seq for r in await audit_rows(app, db)] == list(range(1, 21))


async def test_the_served_hub_seals_recorded_accesses_in_the_background(serve, db):
    hub = await (context := serve()).__aenter__()
    http = hub.http
    await seed(http, db)
    token = await get_token(http, await make_client(db, "records:read"))

    async def sealed_and_pending():
        async with db.sessions() as session:
            sealed = await session.scalar(select(func.count()).select_from(AuditEvent))
            pending = await session.scalar(select(func.count()).select_from(PendingAccess))
        return sealed, pending

    # The lifespan a server (uvicorn) runs started the sealer; it seals what is left when
    # the hub stops.
    await gql(http, token, PERSON, {"n": PERSON_A}, purpose="HIRING")
    for _ in range(100):
        if await sealed_and_pending() == (1, 0):
            break
        await asyncio.sleep(0.05)
    assert await sealed_and_pending() == (1, 0)
    await gql(http, token, PERSON, {"n": PERSON_B}, purpose="HIRING")
    await context.__aexit__(None, None, None)
    assert await sealed_and_pending() == (2, 0)
