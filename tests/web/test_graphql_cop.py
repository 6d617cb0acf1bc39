"""The 12 probes of graphql-cop (dolevf/graphql-cop), against the production app.

Each test sends what the probe sends and asserts that what the probe counts as a finding is
absent. The probes run with an agency client's token, the strongest position an outside
caller can hold; graphql-cop itself sends whatever headers it is given."""

from __future__ import annotations

import httpx
import pytest
from support import get_token, make_client


@pytest.fixture
async def cop(db, production_http) -> httpx.AsyncClient:
    token = await get_token(production_http, await make_client(db, "check:hiring records:read"))
    production_http.headers["Authorization"] = f"Bearer {token}"
    return production_http


async def graph_query(client: httpx.AsyncClient, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query})


def error_messages(response: httpx.Response) -> str:
    return " ".join(e["message"] for e in response.json().get("errors", []))


async def test_field_suggestions_are_not_given(cop):
    for query in ("query cop { __schema { directive } }", "query cop { chek { verdict } }"):
        response = await graph_query(cop, query)
        assert response.json()["errors"]
        assert "Did you mean" not in error_messages(response)


async def test_introspection_is_refused(cop):
    response = await graph_query(cop, "query cop { __schema { types { name fields { name } } } }")
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection has been disabled" in error_messages(response)


async def test_no_graphql_ide_is_served(cop):
    heuristics = ("graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground")
    for path in ("/graphql", "/graphiql", "/playground", "/console"):
        response = await cop.get(path, headers={"Accept": "text/html"})
        assert response.status_code in (404, 405)
        assert not any(word in response.text for word in heuristics)


async def test_queries_by_get_are_refused(cop):
    response = await cop.get("/graphql", params={"query": "query cop { __typename }"})
    assert response.status_code == 405
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_alias_overloading_is_refused(cop):
    aliases = " ".join(f"alias{i}:__typename" for i in range(101))
    response = await graph_query(cop, f"query cop {{ {aliases} }}")
    body = response.json()
    assert body.get("data") is None
    # Refused before validation: 101 selections are over the budget of one selection set.
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_TOO_LARGE"
    assert "101 selections in one selection set" in error_messages(response)


async def test_array_batching_is_refused(cop):
    batch = [{"query": "query cop { __typename }"}] * 10
    response = await cop.post("/graphql", json=batch)
    assert response.status_code == 400
    assert not isinstance(response.json(), list)
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCH_NOT_SUPPORTED"


async def test_no_trace_mode(cop):
    body = (await graph_query(cop, "query cop { __typename }")).json()
    assert body == {"data": {"__typename": "Query"}}
    invalid = (await graph_query(cop, "query cop { __typenam }")).json()
    assert "tracing" not in invalid.get("extensions", {})
    assert all("tracing" not in e["extensions"] for e in invalid["errors"])
    assert "stacktrace" not in str(invalid).lower()


async def test_directive_overloading_is_refused_with_one_error(cop):
    response = await graph_query(cop, "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
    [error] = response.json()["errors"]
    assert error["message"] == "10 directives in one place. Allowed: 3"


async def test_circular_introspection_is_refused(cop):
    query = (
        "query cop { __schema { types { fields { type { fields { type { fields { type "
        "{ fields { type { name } } } } } } } } } } }"
    )
    body = (await graph_query(cop, query)).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_mutations_by_get_are_refused(cop):
    response = await cop.get("/graphql", params={"query": "mutation cop { __typename }"})
    assert response.status_code == 405
    assert "data" not in response.json()


async def test_url_encoded_posts_are_refused(cop):
    response = await cop.post("/graphql", data={"query": "query cop { __typename }"})
    assert response.status_code == 415
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_errors_carry_no_exception_details(cop):
    response = await graph_query(cop, "qwerty cop { abc }")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert "exception" not in error["extensions"]
