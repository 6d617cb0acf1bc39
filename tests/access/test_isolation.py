"""One agency's rows through another agency's eyes: revoked and repaired records stay with
their owner, a client with a jurisdiction sees only subjects registered there, a stored
check belongs to the agency that asked, and no operation lets an agency change another's
records. Every read goes through the API, as a caller would make it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from factories import CHECK, CHECKS
from sqlalchemy import select, update
from support import (
    Credentials,
    get_token,
    gql,
    make_client,
    make_id_number,
    make_uscc,
)

from hub.records.enums import RecordStatus
from hub.records.models import CreditRecord
from hub.subjects.models import Person

IN_PERSON = make_id_number(region="320102", seq=11)  # 南京市玄武区
OUT_PERSON = make_id_number(region="330106", seq=12)  # 杭州市西湖区
IN_ORG = make_uscc(region="320100", seed=31)  # 南京市
OUT_ORG = make_uscc(region="330100", seed=32)  # 杭州市
NANJING = "320100"

# B's records, in the order they are stored (ids ascending): the unshared ones come last,
# so a page that ends on A's last visible row is followed only by rows A may not see.
B_SHARED = {"B-ACTIVE-P", "B-ACTIVE-O"}
B_OUTSIDE = {"B-OUTSIDE-P", "B-OUTSIDE-O"}
B_UNSHARED = {"B-REVOKED-P", "B-REPAIRED-P", "B-REVOKED-O", "B-REPAIRED-O"}
A_UNSHARED = {"A-REVOKED-P"}

SUBMIT = """
mutation($records: [RecordInput!]!) {
  submitRecords(records: $records) { inserted updated unchanged rejected { index field reason } }
}"""
RECORDS = """
query($filter: RecordFilter, $first: Int!, $after: String) {
  records(filter: $filter, first: $first, after: $after) {
    edges { node { sourceRef } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PERSON = "query($n: String!) { person(idNumber: $n) { regionCode records { sourceRef } } }"
ORGANIZATION = "query($u: String!) { organization(uscc: $u) { regionCode records { sourceRef } } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Person { known regionCode records { sourceRef } }
    ... on Organization { known regionCode records { sourceRef } }
  }
}"""


def row(source_ref, subject, **overrides):
    person = {
        "category": "GOVERNMENT_SANCTION",
        "sanctionKind": "DEMERIT",
        "summary": "违规发放津贴补贴",
    }
    organization = {"category": "PAYMENT_ARREARS", "summary": "拖欠中小企业货款"}
    kind = person if "idNumber" in subject else organization
    return {
        "sourceRef": source_ref,
        "severity": "GENERAL",
        "subject": subject,
        "decidedAt": "2025-03-01",
        **kind,
        **overrides,
    }


def in_person(name="李四"):
    return {"idNumber": IN_PERSON, "name": name}


def in_org():
    return {"uscc": IN_ORG, "name": "南京市某局"}


@dataclass
class World:
    a: str
    b: str
    admin: str
    b_agency: Credentials

    def token(self, caller):
        return getattr(self, caller)


async def submit(http, token, records):
    body = (await gql(http, token, SUBMIT, {"records": records})).json()
    assert "errors" not in body, body
    result = body["data"]["submitRecords"]
    assert result["rejected"] == [], result
    return result


@pytest.fixture
async def world(http, db):
    """Agency A and agency B each hold records:read, records:write and check:hiring; B owns
    shared, revoked and repaired records about subjects in 南京 and shared ones in 杭州, A
    owns one revoked record; an admin client of a third agency reads everything."""
    scopes = "records:read records:write check:hiring"
    a = await make_client(db, scopes, agency_seed=71, name="A局系统")
    b = await make_client(db, scopes, agency_seed=72, name="B局系统")
    admin = await make_client(db, "admin records:read check:hiring", agency_seed=73)
    world = World(
        a=await get_token(http, a),
        b=await get_token(http, b),
        admin=await get_token(http, admin),
        b_agency=b,
    )
    await submit(http, world.a, [row("A-REVOKED-P", in_person(), status="REVOKED")])
    await submit(
        http,
        world.b,
        [
            row("B-ACTIVE-P", in_person()),
            row("B-ACTIVE-O", in_org()),
            row("B-OUTSIDE-P", {"idNumber": OUT_PERSON, "name": "王五"}),
            row("B-OUTSIDE-O", {"uscc": OUT_ORG, "name": "杭州市某局"}),
            row("B-REVOKED-P", in_person(), status="REVOKED"),
            row("B-REPAIRED-P", in_person()),
            row("B-REVOKED-O", in_org(), status="REVOKED"),
            row("B-REPAIRED-O", in_org()),
        ],
    )
    # 信用修复 is the hub's own workflow; the operator's session is not a caller's.
    async with db.sessions.begin() as session:
        await session.execute(
            update(CreditRecord)
            .where(CreditRecord.source_ref.in_(["B-REPAIRED-P", "B-REPAIRED-O"]))
            .values(repaired_on=date(2026, 6, 1))
        )
    return world


async def jurisdiction_client(
    db, http, jurisdiction, *, agency_seed, scopes="records:read check:hiring check:procurement"
):
    client = await make_client(
        db, scopes, agency_seed=agency_seed, name="区县系统", jurisdiction=jurisdiction
    )
    return await get_token(http, client)


async def visible_refs(http, token, filter=None, first=20):
    """sourceRefs of every record the caller can page through."""
    seen, after = [], None
    while True:
        variables = {"filter": filter, "first": first, "after": after}
        body = (await gql(http, token, RECORDS, variables, purpose="SUPERVISION")).json()
        assert "errors" not in body, body
        page = body["data"]["records"]
        seen += [edge["node"]["sourceRef"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    return set(seen)


async def person_uid(db, region):
    async with db.sessions() as session:
        return await session.scalar(select(Person.uid).where(Person.region_code == region))


SEEN_BY = {
    "a": B_SHARED | B_OUTSIDE | A_UNSHARED,
    "b": B_SHARED | B_OUTSIDE | B_UNSHARED,
    "admin": B_SHARED | B_OUTSIDE | B_UNSHARED | A_UNSHARED,
}
CALLERS = pytest.mark.parametrize("caller", ["a", "b", "admin"])


def about_nanjing(refs, suffix):
    """The refs about the 南京 person ("-P") or organization ("-O")."""
    return {r for r in refs if r.endswith(suffix) and "OUTSIDE" not in r}


# --- reading records --------------------------------------------------------------------


@CALLERS
async def test_records_show_unshared_rows_only_to_their_owner_and_admins(http, world, caller):
    assert await visible_refs(http, world.token(caller)) == SEEN_BY[caller]


@CALLERS
async def test_paging_one_row_at_a_time_skips_rows_the_caller_may_not_see(http, world, caller):
    assert await visible_refs(http, world.token(caller), first=1) == SEEN_BY[caller]


async def test_the_last_visible_page_has_no_next_page_when_only_unshared_rows_follow(http, world):
    variables = {"first": len(SEEN_BY["a"])}
    body = (await gql(http, world.a, RECORDS, variables, purpose="SUPERVISION")).json()
    assert body["data"]["records"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("status", ["REVOKED", "REPAIRED"])
async def test_filtering_by_an_unshared_status_finds_only_the_callers_own_rows(http, world, status):
    refs = await visible_refs(http, world.a, {"status": status})
    assert refs == {r for r in A_UNSHARED if status in r}
    assert await visible_refs(http, world.b, {"status": status}) == {
        r for r in B_UNSHARED if status in r
    }


async def test_filtering_by_the_other_agency_finds_only_its_shared_rows(http, world):
    filter = {"sourceAgencyUscc": world.b_agency.agency.uscc}
    assert await visible_refs(http, world.a, filter) == B_SHARED | B_OUTSIDE
    assert await visible_refs(http, world.b, filter) == B_SHARED | B_OUTSIDE | B_UNSHARED


@CALLERS
async def test_filtering_by_subject_hides_unshared_rows_about_that_subject(http, world, caller):
    refs = await visible_refs(http, world.token(caller), {"subject": {"idNumber": IN_PERSON}})
    assert refs == about_nanjing(SEEN_BY[caller], "-P")


@CALLERS
async def test_a_persons_records_show_unshared_rows_only_to_their_owner_and_admins(
    http, world, caller
):
    body = (
        await gql(http, world.token(caller), PERSON, {"n": IN_PERSON}, purpose="SUPERVISION")
    ).json()
    refs = {r["sourceRef"] for r in body["data"]["person"]["records"]}
    assert refs == about_nanjing(SEEN_BY[caller], "-P")


@CALLERS
async def test_an_organizations_records_show_unshared_rows_only_to_their_owner_and_admins(
    http, world, caller
):
    body = (await gql(http, world.token(caller), ORGANIZATION, {"u": IN_ORG})).json()
    refs = {r["sourceRef"] for r in body["data"]["organization"]["records"]}
    assert refs == about_nanjing(SEEN_BY[caller], "-O")


@CALLERS
async def test_entities_records_show_unshared_rows_only_to_their_owner_and_admins(
    http, db, world, caller
):
    representations = [
        {"__typename": "Person", "id": await person_uid(db, "320102")},
        {"__typename": "Organization", "uscc": IN_ORG},
    ]
    body = (
        await gql(
            http,
            world.token(caller),
            ENTITIES,
            {"representations": representations},
            purpose="SUPERVISION",
        )
    ).json()
    person, organization = body["data"]["_entities"]
    assert {r["sourceRef"] for r in person["records"]} == about_nanjing(SEEN_BY[caller], "-P")
    assert {r["sourceRef"] for r in organization["records"]} == about_nanjing(SEEN_BY[caller], "-O")


# --- writing records --------------------------------------------------------------------


async def records_with_ref(db, source_ref):
    async with db.sessions() as session:
        rows = await session.scalars(
            select(CreditRecord)
            .where(CreditRecord.source_ref == source_ref)
            .order_by(CreditRecord.id)
        )
        return {r.source_agency_id: r for r in rows}


async def test_submitting_another_agencys_source_ref_creates_the_callers_own_record(
    http, db, world
):
    before = await records_with_ref(db, "B-ACTIVE-P")
    result = await submit(http, world.a, [row("B-ACTIVE-P", in_person(), summary="篡改内容")])
    assert result["inserted"] == 1 and result["updated"] == 0
    after = await records_with_ref(db, "B-ACTIVE-P")
    b_id = world.b_agency.agency.id
    assert (after[b_id].version, after[b_id].content_hash, after[b_id].summary) == (
        before[b_id].version,
        before[b_id].content_hash,
        before[b_id].summary,
    )
    [a_id] = set(after) - {b_id}
    assert after[a_id].summary == "篡改内容"


async def test_revoking_another_agencys_source_ref_leaves_its_record_active(http, db, world):
    await submit(http, world.a, [row("B-ACTIVE-O", in_org(), status="REVOKED")])
    after = await records_with_ref(db, "B-ACTIVE-O")
    b_id = world.b_agency.agency.id
    assert (after[b_id].status, after[b_id].version) == (RecordStatus.ACTIVE, 1)
    assert [r.status for a, r in after.items() if a != b_id] == [RecordStatus.REVOKED]
    assert "B-ACTIVE-O" in await visible_refs(http, world.admin, {"status": "ACTIVE"})


# --- jurisdictions ----------------------------------------------------------------------


async def test_a_client_with_a_jurisdiction_pages_only_through_records_of_subjects_there(
    http, db, world
):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    assert await visible_refs(http, nanjing) == B_SHARED
    assert await visible_refs(http, nanjing, first=1) == B_SHARED


async def test_a_filter_on_a_subject_outside_the_jurisdiction_finds_nothing(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    assert await visible_refs(http, nanjing, {"subject": {"idNumber": OUT_PERSON}}) == set()
    assert await visible_refs(http, nanjing, {"subject": {"uscc": OUT_ORG}}) == set()


async def test_a_person_outside_the_jurisdiction_is_not_found(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    outside = (await gql(http, nanjing, PERSON, {"n": OUT_PERSON}, purpose="HIRING")).json()
    inside = (await gql(http, nanjing, PERSON, {"n": IN_PERSON}, purpose="HIRING")).json()
    assert outside == {"data": {"person": None}}
    assert {r["sourceRef"] for r in inside["data"]["person"]["records"]} == {"B-ACTIVE-P"}


async def test_an_organization_outside_the_jurisdiction_is_not_found(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    outside = (await gql(http, nanjing, ORGANIZATION, {"u": OUT_ORG})).json()
    inside = (await gql(http, nanjing, ORGANIZATION, {"u": IN_ORG})).json()
    assert outside == {"data": {"organization": None}}
    assert {r["sourceRef"] for r in inside["data"]["organization"]["records"]} == {"B-ACTIVE-O"}


async def test_entities_outside_the_jurisdiction_resolve_to_nothing_known(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    representations = [
        {"__typename": "Person", "id": await person_uid(db, "330106")},
        {"__typename": "Organization", "uscc": OUT_ORG},
        {"__typename": "Person", "id": await person_uid(db, "320102")},
        {"__typename": "Organization", "uscc": IN_ORG},
    ]
    body = (
        await gql(http, nanjing, ENTITIES, {"representations": representations}, purpose="HIRING")
    ).json()
    assert "errors" not in body, body
    out_person, out_org, in_person_, in_org_ = body["data"]["_entities"]
    # Answered as unknown, exactly as a subject the hub never saw: nothing of it shows.
    nothing = {"known": False, "regionCode": None, "records": []}
    assert (out_person, out_org) == (nothing, nothing)
    assert in_person_["regionCode"] == "320102" and in_org_["regionCode"] == "320100"


async def test_successive_callers_each_get_their_own_jurisdiction(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    hangzhou = await jurisdiction_client(db, http, "330100", agency_seed=75)
    for _ in range(2):
        assert await visible_refs(http, nanjing) == B_SHARED
        assert await visible_refs(http, hangzhou) == B_OUTSIDE
        assert await visible_refs(http, world.a) == SEEN_BY["a"]


async def test_a_writer_with_a_jurisdiction_cannot_tell_whether_a_subject_outside_exists(
    http, db, world
):
    writer = await jurisdiction_client(
        db, http, NANJING, agency_seed=76, scopes="records:read records:write"
    )
    unknown = make_id_number(region="330106", seq=99)
    for_known = [row("W-1", {"idNumber": OUT_PERSON, "name": "王五"})]
    for_unknown = [row("W-1", {"idNumber": unknown, "name": "王五"})]
    known = await gql(http, writer, SUBMIT, {"records": for_known})
    new = await gql(http, writer, SUBMIT, {"records": for_unknown})
    assert "errors" not in known.json(), known.json()
    assert known.json() == new.json()
    assert known.json()["data"]["submitRecords"] == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": [
            {"index": 0, "field": "subject", "reason": "outside this client's jurisdiction (3201)"}
        ],
    }


def hiring(subject):
    return {"purpose": "HIRING", "subject": subject, "reference": "2026年南京市公务员招录"}


def procurement(subject):
    return {"purpose": "PROCUREMENT", "subject": subject, "reference": "宁采〔2026〕1号"}


async def test_checks_on_subjects_outside_the_jurisdiction_are_forbidden_at_their_index(
    http, db, world
):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    inputs = [
        hiring({"idNumber": IN_PERSON}),
        hiring({"idNumber": OUT_PERSON}),
        procurement({"uscc": IN_ORG}),
        procurement({"uscc": OUT_ORG}),
    ]
    body = (await gql(http, nanjing, CHECKS, {"i": inputs})).json()
    answers = body["data"]["checks"]
    assert answers[0]["verdict"] and answers[2]["verdict"]
    assert answers[1] is None and answers[3] is None
    assert sorted((e["path"], e["extensions"]) for e in body["errors"]) == [
        (["checks", 1], {"code": "FORBIDDEN", "field": "inputs.1.subject"}),
        (["checks", 3], {"code": "FORBIDDEN", "field": "inputs.3.subject"}),
    ]


async def test_a_single_check_outside_the_jurisdiction_is_forbidden(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    body = (await gql(http, nanjing, CHECK, {"i": hiring({"idNumber": OUT_PERSON})})).json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "input.subject"}


async def test_a_single_check_inside_the_jurisdiction_is_answered(http, db, world):
    nanjing = await jurisdiction_client(db, http, NANJING, agency_seed=74)
    body = (await gql(http, nanjing, CHECK, {"i": hiring({"idNumber": IN_PERSON})})).json()
    assert "errors" not in body, body
    assert body["data"]["check"]["verdict"]


# --- stored checks ----------------------------------------------------------------------


async def report(http, token, check_id):
    return await http.get(f"/reports/{check_id}", headers={"Authorization": f"Bearer {token}"})


async def test_a_check_report_is_not_found_for_another_agency(http, world):
    body = (await gql(http, world.b, CHECK, {"i": hiring({"idNumber": IN_PERSON})})).json()
    check_id = body["data"]["check"]["id"]
    refused = await report(http, world.a, check_id)
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await report(http, world.b, check_id)).status_code == 200
    assert (await report(http, world.admin, check_id)).status_code == 200
