"""The API defends itself: limits on an operation's shape (in both modes), one operation per
request, bounded bodies, only JSON posts, no introspection or suggestions in production,
and no exception detail in any answer."""

from __future__ import annotations

import httpx
import pytest
from graphql import get_introspection_query
from support import get_token, gql, make_client, make_id_number

import schema.checks
from hub.web import sessions as handler


@pytest.fixture
def production(production_http) -> httpx.AsyncClient:
    return production_http


async def reader(client, db):
    return await get_token(client, await make_client(db, "records:read check:hiring"))


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


def nested_person(levels: int) -> str:
    """person → records → subject → records … : two levels of depth per repetition."""
    inner = "regionCode"
    for _ in range(levels):
        inner = f"records {{ subject {{ ... on Person {{ {inner} }} }} }}"
    return f'{{ person(idNumber: "{make_id_number()}") {{ {inner} }} }}'


async def test_an_operation_deeper_than_10_is_refused(production, db):
    token = await reader(production, db)
    assert (
        "errors" not in (await gql(production, token, nested_person(4), purpose="HIRING")).json()
    )  # depth 9
    refused = await gql(production, token, nested_person(5))  # depth 11
    assert refused.json()["data"] is None
    assert "exceeds maximum operation depth of 10" in refused.json()["errors"][0]["message"]


async def test_at_most_15_aliases(production, db):
    token = await reader(production, db)
    fifteen = " ".join(f"a{i}: __typename" for i in range(15))
    assert (await gql(production, token, f"{{ {fifteen} }}")).json()["data"]["a14"] == "Query"
    refused = await gql(production, token, f"{{ {fifteen} a15: __typename }}")
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert refused.json()["errors"][0]["message"] == "16 aliases found. Allowed: 15"


async def test_a_document_of_more_than_2000_tokens_is_not_parsed(production, db):
    token = await reader(production, db)
    refused = await gql(production, token, "{ " + "__typename " * 2001 + "}")
    assert codes(refused) == ["GRAPHQL_PARSE_FAILED"]
    assert "more than 2000 tokens" in refused.json()["errors"][0]["message"]


async def test_at_most_3_directives_in_one_place(production, db):
    token = await reader(production, db)
    two = "{ __typename @include(if: true) @skip(if: false) }"
    assert (await gql(production, token, two)).json() == {"data": {"__typename": "Query"}}
    four = "{ __typename @include(if: true) @skip(if: false) @a @b }"
    [error] = (await gql(production, token, four)).json()["errors"]
    assert error["message"] == "4 directives in one place. Allowed: 3"


async def test_the_limits_apply_in_development_too_and_introspection_works_there(http, db):
    token = await reader(http, db)
    introspection = (await gql(http, token, get_introspection_query())).json()
    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"
    aliases = " ".join(f"a{i}: __typename" for i in range(16))
    assert (await gql(http, token, f"{{ {aliases} }}")).json()["data"] is None
    assert (await gql(http, token, nested_person(5))).json()["data"] is None


async def test_production_serves_the_federation_sdl_and_typename(production, db):
    token = await reader(production, db)
    gateway = await get_token(production, await make_client(db, "federation:sdl", agency_seed=8))
    body = (await gql(production, gateway, "{ __typename _service { sdl } }")).json()
    assert body["data"]["__typename"] == "Query"
    assert "type Query" in body["data"]["_service"]["sdl"]
    refused = await gql(production, token, '{ __type(name: "Person") { name } }')
    assert refused.json()["data"] is None


SUGGESTIONS = [
    ("{ chek { verdict } }", None),
    ('{ verifyReport(tokn: "x") { valid } }', None),
    ("query($i: CheckInpt!) { check(input: $i) { verdict } }", None),
    (
        '{ check(input: {purpose: HIRNG, subject: {uscc: "x"}, reference: "r"}) { verdict } }',
        None,
    ),
    (
        "query($i: CheckInput!) { check(input: $i) { verdict } }",
        {"i": {"purpose": "HIRNG", "subject": {"uscc": "x"}, "reference": "r"}},
    ),
    (
        "query($i: CheckInput!) { check(input: $i) { verdict } }",
        {"i": {"purpose": "HIRING", "subjct": {"uscc": "x"}, "reference": "r"}},
    ),
]


async def test_production_suggests_no_field_argument_type_or_value(production, http, db):
    token = await reader(production, db)
    for query, variables in SUGGESTIONS:
        answer = (await gql(production, token, query, variables)).json()
        assert answer["errors"], query
        assert "Did you mean" not in str(answer), query
    # Development keeps them: they help whoever writes a query in GraphiQL.
    development = (await gql(http, token, *SUGGESTIONS[-1])).json()
    assert "Did you mean 'subject'?" in str(development)


async def test_a_json_array_is_refused_as_a_batch(http, db):
    token = await reader(http, db)
    response = await http.post(
        "/graphql",
        json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert codes(response) == ["BATCH_NOT_SUPPORTED"]


async def test_bodies_over_2_mib_are_refused_declared_or_streamed(production):
    big = b'{"query": "{ __typename }", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    declared = await production.post(
        "/graphql", content=big, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert codes(declared) == ["PAYLOAD_TOO_LARGE"]

    async def chunks():
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = await production.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "request_body",
    [
        {"data": {"query": "{ __typename }"}},
        {"files": {"query": (None, "{ __typename }")}},
        {"content": '{"query": "{ __typename }"}', "headers": {"Content-Type": "text/plain"}},
        {"content": '{"query": "{ __typename }"}'},
    ],
    ids=["form", "multipart", "text-plain", "no-content-type"],
)
async def test_only_json_bodies_are_operations(production, request_body):
    response = await production.post("/graphql", **request_body)
    assert response.status_code == 415
    assert codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]


async def test_json_with_a_charset_is_json(production):
    response = await production.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_failing_resolver_is_masked_in_production(production, monkeypatch):
    def broken(*_):
        raise RuntimeError("connection to 10.0.0.7 failed for 110101199003070011")

    monkeypatch.setattr(schema.checks, "verify_report", broken)
    response = await gql(production, None, '{ verifyReport(token: "x") { valid } }')
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "110101" not in response.text and "Traceback" not in response.text


async def test_a_failure_outside_graphql_is_a_masked_json_500(production, db, monkeypatch):
    token = await reader(production, db)

    async def broken(*_):
        raise OSError("database at 10.0.0.7:5432 unreachable")

    monkeypatch.setattr(handler, "actor_for_token", broken)
    response = await gql(production, token, "{ __typename }")
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }


async def test_a_query_text_over_50000_characters_is_refused(production):
    query = '{ verifyReport(token: "' + "x" * 50_000 + '") { valid } }'
    response = await gql(production, None, query)
    assert response.status_code == 413
    assert "send values in `variables`" in response.json()["errors"][0]["message"]


async def test_the_token_endpoint_and_the_console_forms_have_the_same_body_limit(production):
    """One body limit for every route: a token request or a sign-in form is not read whole."""
    # Fields under Starlette's own 1 MiB per-field limit, together over the body limit.
    form = b"grant_type=client_credentials" + b"".join(
        b"&pad%d=" % i + b"x" * 600_000 for i in range(4)
    )
    for path in ("/oauth/token", "/login"):

        async def chunks():
            for start in range(0, len(form), 64 * 1024):
                yield form[start : start + 64 * 1024]

        answer = await production.post(
            path, content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert answer.status_code == 413, (path, answer.status_code, answer.text[:200])
        assert codes(answer) == ["PAYLOAD_TOO_LARGE"]
