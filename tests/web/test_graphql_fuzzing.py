"""Schemathesis fuzzing of `/graphql` as deployed (HUB_ENV=production), on both databases.

Every root field, federation's `_entities` and `_service` included, gets operations generated
from the schema, valid ones and (negative mode) invalid ones, sent with the token of a client
holding every scope. Whatever arrives, the hub answers below 500 and every error is one that
schema.errors classified: it has an `extensions.code`, and nothing of the exception behind it.

Production refuses introspection, so the schema is introspected in-process from the development
build, which differs from production's only in its extensions (checked below)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import NameNode, ObjectFieldNode, ObjectValueNode, ValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes
from support import Database, get_token, make_client, make_id_number, make_uscc, served

from hub.auth.scopes import ALL_SCOPES
from hub.keys import Keys
from hub.settings import Settings
from schema import build_schema
from schema.errors import INTERNAL


def _object(fields: dict[str, ValueNode]) -> ObjectValueNode:
    return nodes.Object(
        [ObjectFieldNode(name=NameNode(value=name), value=value) for name, value in fields.items()]
    )


# Schemathesis keeps scalar strategies in a process-wide registry; only this module uses it.
# `String` is overridden too: random text alone never makes a valid 身份证号码 or 统一社会信用代码,
# and without one no operation gets past input validation to the services and the database.
STRINGS = st.one_of(
    st.text(max_size=30),
    st.builds(
        make_id_number,
        birth=st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)),
        seq=st.integers(0, 999),
    ),
    st.integers(0, 5).map(lambda seed: make_uscc(seed=seed)),  # seed 1: the caller's agency
)
JSON_LITERALS = st.recursive(
    st.one_of(
        st.just(nodes.Null),
        st.booleans().map(nodes.Boolean),
        st.integers().map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        STRINGS.map(nodes.String),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(nodes.List),
        st.dictionaries(st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,8}\Z"), inner, max_size=3).map(
            _object
        ),
    ),
    max_leaves=8,
)
# The router sends `{__typename, <key>}`; a caller of the subgraph can send anything at all.
REPRESENTATIONS = st.one_of(
    STRINGS.map(
        lambda uscc: _object(
            {"__typename": nodes.String("Organization"), "uscc": nodes.String(uscc)}
        )
    ),
    STRINGS.map(
        lambda id_: _object({"__typename": nodes.String("Person"), "id": nodes.String(id_)})
    ),
    JSON_LITERALS,
)
schemathesis.graphql.scalar("String", STRINGS.map(nodes.String))
schemathesis.graphql.scalar("JSON", JSON_LITERALS)
schemathesis.graphql.scalar("_Any", REPRESENTATIONS)

FUZZED = schemathesis.graphql.from_dict(build_schema().introspect())
OPERATIONS = {
    f"{root}.{field}": FUZZED[root][field]
    for root in ("Query", "Mutation")
    for field in FUZZED[root]
}
CASES = {
    label: st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    for label, operation in OPERATIONS.items()
}

LABELS = list(OPERATIONS)


@pytest.fixture
async def production(db: Database, keys_dir: Path, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """The production app, called by a client holding every scope. Rate limiting is off: the
    fuzzer is one client sending as fast as it can, and a 429 would tell it nothing."""
    settings_ = Settings(database_url=db.url, env="production", keys_dir=keys_dir, rate_limit=None)
    async with served(settings_, keys) as hub:
        client = hub.http
        credentials = await make_client(db, " ".join(sorted(ALL_SCOPES)))
        client.headers["Authorization"] = f"Bearer {await get_token(client, credentials)}"
        # Reads of persons state a purpose; without it they would stop at PURPOSE_REQUIRED.
        client.headers["X-Hub-Purpose"] = "SUPERVISION"
        yield client


def test_the_fuzzed_schema_is_the_production_schema():
    assert build_schema().as_str() == build_schema(production=True).as_str()


@pytest.mark.parametrize("label", LABELS)
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    # One app, database and token serve all examples of a test, on purpose: what one example
    # submits is there for the next to find.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_fuzzed_operations_fail_only_with_classified_errors(
    production: httpx.AsyncClient, label: str, data: st.DataObject
):
    case = data.draw(CASES[label], label="case")
    response = await production.post("/graphql", json={"query": case.body})
    mode = case.meta.generation.mode.value if case.meta else "?"
    sent = f"{label} ({mode}):\n{case.body}"
    assert response.status_code < 500, f"{response.status_code} for {sent}\n{response.text}"
    body = response.json()
    assert isinstance(body, dict), sent
    for error in body.get("errors", []):
        assert_classified(error, sent)


def assert_classified(error: dict[str, Any], sent: str) -> None:
    extensions = error.get("extensions") or {}
    assert isinstance(extensions.get("code"), str), f"no extensions.code: {error} for {sent}"
    assert extensions["code"] != INTERNAL, f"unmasked failure: {error} for {sent}"
    assert "exception" not in extensions, f"exception details: {error} for {sent}"
    text = str(error).lower()
    assert "stacktrace" not in text and "traceback" not in text, f"{error} for {sent}"


# What the fuzzer found, reduced to reproductions.

MALFORMED_REPRESENTATIONS = (
    "[]",
    '"x"',
    "{}",
    '{__typename: "Nope"}',
    '{__typename: "Query"}',
    '{__typename: "Person", uscc: "x"}',
    '{__typename: "Organization", uscc: ["x"]}',
)


async def test_malformed_entity_representations_are_bad_input_naming_their_index(
    production: httpx.AsyncClient,
):
    for representation in MALFORMED_REPRESENTATIONS:
        query = f"{{ _entities(representations: [{representation}]) {{ __typename }} }}"
        response = await production.post("/graphql", json={"query": query})
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "representations.0"}


async def test_a_check_as_of_year_3_is_refused_naming_as_of(
    production: httpx.AsyncClient,
):
    subject = f'{{uscc: "{make_uscc(seed=1)}"}}'
    query = f'{{ check(input: {{purpose: PROCUREMENT, reference: "x", subject: {subject}, asOf: "0003-12-31"}}) {{ verdict }} }}'
    response = await production.post("/graphql", json={"query": query})
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.asOf"}


ID_NUMBER = make_id_number()
NUL_OPERATIONS = {
    "variable": (
        "query($input: CheckInput!) { check(input: $input) { verdict } }",
        {"input": {"purpose": "HIRING", "subject": {"idNumber": ID_NUMBER}, "reference": "HR\x00"}},
    ),
    "literal": (
        f'{{ check(input: {{purpose: HIRING, subject: {{idNumber: "{ID_NUMBER}"}}, reference: "HR\\u0000"}}) {{ verdict }} }}',
        {},
    ),
    "entity-key": (
        '{ _entities(representations: [{__typename: "Organization", uscc: "\\u0000"}]) { __typename } }',
        {},
    ),
}


@pytest.mark.parametrize(("query", "variables"), NUL_OPERATIONS.values(), ids=NUL_OPERATIONS)
async def test_a_nul_character_is_refused_before_it_reaches_the_database(
    production: httpx.AsyncClient, query: str, variables: dict[str, Any]
):
    # PostgreSQL's text cannot hold U+0000: the check used to fail there as an internal error.
    response = await production.post("/graphql", json={"query": query, "variables": variables})
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "U+0000" in error["message"]
