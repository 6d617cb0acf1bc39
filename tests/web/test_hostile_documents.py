"""Documents built to make validation expensive are refused on a single pass over the parsed
document, before graphql-core's validation runs: for anonymous callers with a much smaller
budget. (The latency of other requests under such an attack: bench/hostile.py.)"""

from __future__ import annotations

import pytest
from support import get_token, gql, make_client

from hub.web.limits import LIMITS
from schema import limits as validation


def _copies(n: int) -> str:
    """One field n times, no alias: each copy differs (its token), so no cache helps."""
    return "{ " + " ".join(f'verifyReport(token: "t{i}") {{ valid }}' for i in range(n)) + " }"


@pytest.fixture
def validations():
    """How many documents graphql-core validated (the cache's misses) since the start."""
    start = validation._validate.cache_info().misses
    return lambda: validation._validate.cache_info().misses - start


async def test_an_anonymous_flood_of_one_field_is_refused_before_validation(http, validations):
    answer = await http.post("/graphql", json={"query": _copies(190)})
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "OPERATION_TOO_LARGE"
    assert "more than 200 tokens for an anonymous caller" in error["message"]
    assert validations() == 0


async def test_the_same_flood_from_a_client_is_refused_on_its_repeats(http, db, validations):
    token = await get_token(http, await make_client(db, "check:hiring"))
    answer = await gql(http, token, _copies(190))
    assert answer.status_code == 400
    assert "verifyReport is selected 190 times" in answer.json()["errors"][0]["message"]
    assert validations() == 0


async def test_an_anonymous_caller_has_a_much_smaller_budget(http, validations):
    aliased = " ".join(f'v{i}: verifyReport(token: "t{i}") {{ valid reason }}' for i in range(8))
    answer = await http.post("/graphql", json={"query": "{ " + aliased + " }"})
    assert answer.json()["errors"][0]["extensions"]["code"] == "OPERATION_TOO_LARGE"
    assert f"more than {LIMITS.anonymous_max_fields} fields" in answer.text
    assert validations() == 0


async def test_an_authenticated_caller_is_bounded_too(http, db, validations):
    token = await get_token(http, await make_client(db, "records:read"))
    wide = "{ " + " ".join(f"f{i}: __typename" for i in range(61)) + " }"
    answer = await gql(http, token, wide)
    assert answer.status_code == 400
    assert "61 selections in one selection set" in answer.json()["errors"][0]["message"]
    assert validations() == 0


async def test_ordinary_documents_pass_the_budget_and_are_validated(http, db, validations):
    token = await get_token(http, await make_client(db, "records:read"))
    answer = await gql(http, token, "{ __typename again: __typename }")
    assert answer.status_code == 200 and "errors" not in answer.json()
    public = await http.post("/graphql", json={"query": '{ verifyReport(token: "x") { valid } }'})
    assert public.json()["data"]["verifyReport"]["valid"] is False
    assert validations() >= 1
