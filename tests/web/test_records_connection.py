"""records(filter, first, after): a Relay connection that pages without gaps or repeats."""

from __future__ import annotations

from factories import person, record, submit, token_for
from support import gql, make_id_number

RECORDS = """
query($filter: RecordFilter, $first: Int!, $after: String) {
  records(filter: $filter, first: $first, after: $after) {
    edges { cursor node { sourceRef category sanctionLabel sourceAgency { name } subject { __typename ... on Person { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def seed(http, db, count=7):
    rows = [
        record(
            f"江纪政处〔2025〕{i}号",
            person(100 + i, f"王{i}明"),
            category="GOVERNMENT_SANCTION" if i % 2 else "PARTY_DISCIPLINE",
            kind="WARNING" if i % 2 else "PARTY_WARNING",
            decided="2025-02-01",
        )
        for i in range(count)
    ]
    await submit(http, db, rows, agency_seed=21)
    return await token_for(http, db, "records:read", agency_seed=22)


async def test_paging_visits_every_record_once(http, db):
    token = await seed(http, db)
    seen, after = [], None
    while True:
        body = (
            await gql(http, token, RECORDS, {"first": 3, "after": after}, purpose="HIRING")
        ).json()
        page = body["data"]["records"]
        seen += [edge["node"]["sourceRef"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(f"江纪政处〔2025〕{i}号" for i in range(7))
    assert len(seen) == len(set(seen))


async def test_filters_and_nested_fields(http, db):
    token = await seed(http, db)
    body = (
        await gql(
            http,
            token,
            RECORDS,
            {"first": 10, "filter": {"category": "PARTY_DISCIPLINE"}},
            purpose="SUPERVISION",
        )
    ).json()
    nodes = [edge["node"] for edge in body["data"]["records"]["edges"]]
    assert len(nodes) == 4
    assert {n["sanctionLabel"] for n in nodes} == {"党内警告"}
    assert {n["sourceAgency"]["name"] for n in nodes} == {"江州市测试局21"}
    assert all(
        n["subject"]["__typename"] == "Person" and n["subject"]["name"].endswith("**")
        for n in nodes
    )

    one = (
        await gql(
            http,
            token,
            RECORDS,
            {"first": 10, "filter": {"subject": {"idNumber": make_id_number(seq=103)}}},
            purpose="SUPERVISION",
        )
    ).json()
    assert [e["node"]["sourceRef"] for e in one["data"]["records"]["edges"]] == [
        "江纪政处〔2025〕3号"
    ]


async def test_a_foreign_cursor_and_a_huge_page_are_bad_input(http, db):
    token = await seed(http, db, count=1)
    [bad_cursor] = (await gql(http, token, RECORDS, {"first": 3, "after": "bm9wZQ=="})).json()[
        "errors"
    ]
    assert bad_cursor["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    [too_many] = (await gql(http, token, RECORDS, {"first": 100000})).json()["errors"]
    assert too_many["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
