"""The subgraph as a federation router sees it: `_service { sdl }` and `_entities`."""

from __future__ import annotations

from factories import body, person, record, submit
from support import get_token, gql, make_client, make_id_number, make_uscc

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Organization { uscc name known records { sourceRef } }
    ... on Person { id idNumber name known }
  }
}"""


async def seed(http, db):
    rows = [
        record(
            f"R-{i}",
            body(100 + i, f"江州市第{i}局"),
            category="PAYMENT_ARREARS",
            kind=None,
            severity="GENERAL",
            decided="2025-01-01",
            summary="拖欠账款",
        )
        for i in range(2)
    ]
    rows.append(record("P-1", person(51, "赵六"), decided="2025-01-01", summary="工作失职"))
    assert (await submit(http, db, rows, agency_seed=11))["inserted"] == 3


async def test_service_sdl_declares_federation_2_9_keys_and_scopes(http, db):
    reader = await make_client(db, "federation:sdl")
    body = (await gql(http, await get_token(http, reader), "{ _service { sdl } }")).json()
    sdl = body["data"]["_service"]["sdl"]
    assert 'url: "https://specs.apollo.dev/federation/v2.9"' in sdl
    assert 'type Organization @key(fields: "uscc")' in sdl
    assert 'type Person @key(fields: "id")' in sdl
    check_field = sdl[sdl.index("  check(input: CheckInput!)") :].split("\n\n")[0]
    for scope in (
        "check:hiring",
        "check:transfer",
        "check:award",
        "check:appraisal",
        "check:procurement",
    ):
        assert f'["{scope}"]' in check_field
    assert (
        'submitRecords(records: [RecordInput!]!): SubmitResult! @requiresScopes(scopes: [["records:write"]])'
        in sdl
    )


async def test_entities_keep_the_order_of_representations_and_answer_unknown_ones(http, db):
    await seed(http, db)
    reader = await make_client(db, "records:read")
    token = await get_token(http, reader)
    person = (
        await gql(
            http,
            token,
            "query($n: String!) { person(idNumber: $n) { id } }",
            {"n": make_id_number(seq=51)},
            purpose="HIRING",
        )
    ).json()
    person_id = person["data"]["person"]["id"]
    representations = [
        {"__typename": "Organization", "uscc": make_uscc(seed=101)},
        {"__typename": "Organization", "uscc": make_uscc(seed=999)},
        {"__typename": "Person", "id": person_id},
        {"__typename": "Organization", "uscc": make_uscc(seed=100)},
    ]
    body = (
        await gql(http, token, ENTITIES, {"representations": representations}, purpose="HIRING")
    ).json()
    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert entities[0] == {
        "__typename": "Organization",
        "uscc": make_uscc(seed=101),
        "name": "江州市第1局",
        "known": True,
        "records": [{"sourceRef": "R-1"}],
    }
    # Unknown: answered, not null, so a gateway merging its non-null fields does not fail
    # (tests/gateway shows it through Hive Gateway).
    assert entities[1] == {
        "__typename": "Organization", "uscc": make_uscc(seed=999), "name": None,
        "known": False, "records": [],
    }  # fmt: skip
    assert entities[2]["__typename"] == "Person" and entities[2]["id"] == person_id
    assert entities[2]["name"] == "赵*" and "*" in entities[2]["idNumber"]
    assert entities[3]["name"] == "江州市第0局"


async def test_entities_need_the_scopes_their_types_declare(http, db):
    """The SDL declares on both entity types what `_entities` enforces: records:read or a
    check scope (persons and bodies reach checkers as their checks' subjects)."""
    await seed(http, db)
    gateway = await get_token(http, await make_client(db, "federation:sdl", agency_seed=2))
    sdl = (await gql(http, gateway, "{ _service { sdl } }")).json()["data"]["_service"]["sdl"]
    scopes = ("records:read", "check:hiring", "check:transfer", "check:award",
              "check:appraisal", "check:procurement")  # fmt: skip
    declared = "@requiresScopes(scopes: [\n" + "".join(f'  ["{s}"]\n' for s in scopes) + "])"
    assert f'type Organization @key(fields: "uscc") {declared}' in sdl
    assert f'type Person @key(fields: "id") {declared}' in sdl

    writer = await get_token(http, await make_client(db, "records:write", agency_seed=3))
    checker = await get_token(http, await make_client(db, "check:procurement", agency_seed=4))
    for typename, key in (("Person", {"id": "x"}), ("Organization", {"uscc": make_uscc(seed=100)})):
        representations = [{"__typename": typename, **key}]
        refused = (await gql(http, writer, ENTITIES, {"representations": representations})).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body_only = [{"__typename": "Organization", "uscc": make_uscc(seed=100)}]
    names = (
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { name } } }"
    )
    allowed = (await gql(http, checker, names, {"r": body_only})).json()
    assert allowed["data"]["_entities"][0]["name"] == "江州市第0局"


async def test_the_schema_is_readable_only_by_a_gateway_or_an_administrator(http, db):
    """The whole SDL (mutations included) maps the API for an attacker: not for every client."""
    for scopes, allowed in (("records:read check:hiring", False), ("federation:sdl", True),
                            ("admin", True)):  # fmt: skip
        token = await get_token(http, await make_client(db, scopes, agency_seed=3))
        body = (await gql(http, token, "{ _service { sdl } }")).json()
        if allowed:
            assert "type Mutation" in body["data"]["_service"]["sdl"]
        else:
            assert body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
