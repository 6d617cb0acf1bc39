"""Errors name the field and the reason, and never carry the value that was refused: an ID
number sent in the wrong place must not come back in an error (or reach a log)."""

from __future__ import annotations

from support import get_token, gql, make_client, make_id_number

NUMBER = make_id_number(seq=611)
CHECK = "query($i: CheckInput!) { check(input: $i) { verdict } }"


async def _errors(http, db, query, variables=None):
    token = await get_token(http, await make_client(db, "check:hiring records:read"))
    answer = await gql(http, token, query, variables)
    assert NUMBER not in answer.text and NUMBER[:6] + "*" not in answer.text
    return answer.json()["errors"]


async def test_a_misspelt_input_field_is_named_without_echoing_the_input(http, db):
    errors = await _errors(
        http,
        db,
        CHECK,
        {"i": {"purpos": "HIRING", "reference": "r", "subject": {"idNumber": NUMBER}}},
    )
    fields = {e["extensions"]["field"] for e in errors}
    assert fields == {"i.purpose", "i.purpos"}
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors)
    assert all("found" not in e["message"].lower() for e in errors)


async def test_a_wrong_enum_value_or_scalar_type_is_named_without_the_value(http, db):
    bad_enum = await _errors(
        http,
        db,
        CHECK,
        {"i": {"purpose": "HIRINGX", "reference": "r", "subject": {"idNumber": NUMBER}}},
    )
    assert bad_enum[0]["extensions"]["field"] == "i.purpose"
    assert "HIRINGX" not in bad_enum[0]["message"] and "Purpose" in bad_enum[0]["message"]
    as_number = await _errors(
        http,
        db,
        CHECK,
        {"i": {"purpose": "HIRING", "reference": "r", "subject": {"idNumber": int(NUMBER[:17])}}},
    )
    assert as_number[0]["extensions"]["field"] == "i.subject.idNumber"
    assert NUMBER[:17] not in str(as_number)


async def test_a_number_written_into_the_document_is_not_echoed_either(http, db):
    errors = await _errors(
        http, db, f"{{ person(idNumber: {NUMBER[:17]}, purpose: HIRING) {{ id }} }}"
    )
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert NUMBER[:17] not in str(errors)


async def test_person_and_organization_name_their_own_argument_once(http, db):
    empty = await _errors(http, db, '{ person(idNumber: "", purpose: HIRING) { id } }')
    assert empty[0]["extensions"]["field"] == "idNumber"
    assert "uscc" not in empty[0]["message"]
    short = await _errors(http, db, '{ organization(uscc: "123") { name } }')
    assert short[0]["extensions"] == {"code": "INVALID_IDENTIFIER", "field": "uscc"}
