"""Every error carries extensions.code; personal data is masked without records:read:pii."""

from __future__ import annotations

from datetime import datetime

from factories import CHECK, SUBMIT, check, record, submit, token_for
from support import gql, make_id_number

from hub.clock import CHINA

PERSON = "query($n: String!) { person(idNumber: $n) { idNumber name records { sourceRef } } }"


async def test_a_bad_id_number_is_invalid_identifier_naming_the_input_path(http, db):
    token = await token_for(http, db, "check:hiring")
    variables = {
        "i": {"purpose": "HIRING", "subject": {"idNumber": "110105194912310021"}, "reference": "R"}
    }
    [error] = (await gql(http, token, CHECK, variables)).json()["errors"]
    assert error["extensions"] == {"code": "INVALID_IDENTIFIER", "field": "input.subject.idNumber"}
    assert "check character" in error["message"]


async def test_a_bad_uscc_names_its_field(http, db):
    token = await token_for(http, db, "check:procurement")
    variables = {"i": {"purpose": "PROCUREMENT", "subject": {"uscc": "ABC"}, "reference": "R"}}
    [error] = (await gql(http, token, CHECK, variables)).json()["errors"]
    assert error["extensions"] == {"code": "INVALID_IDENTIFIER", "field": "input.subject.uscc"}


async def test_an_empty_reference_is_bad_user_input(http, db):
    token = await token_for(http, db, "check:hiring")
    variables = {
        "i": {"purpose": "HIRING", "subject": {"idNumber": make_id_number()}, "reference": " "}
    }
    [error] = (await gql(http, token, CHECK, variables)).json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.reference"}


async def test_graphql_syntax_and_validation_errors_have_codes(http, db):
    token = await token_for(http, db, "check:hiring")
    [syntax] = (await gql(http, token, "{ check(")).json()["errors"]
    assert syntax["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    [invalid] = (await gql(http, token, "{ noSuchField }")).json()["errors"]
    assert invalid["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    bad_enum = {
        "i": {"purpose": "PARTY", "subject": {"idNumber": make_id_number()}, "reference": "R"}
    }
    [variable] = (await gql(http, token, CHECK, bad_enum)).json()["errors"]
    assert variable["extensions"]["code"] == "BAD_USER_INPUT"


async def test_only_json_posts_execute_operations(http, db):
    token = await token_for(http, db, "check:hiring")
    form = await http.post(
        "/graphql", data={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert form.status_code == 415
    get = await http.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert get.status_code == 405


async def seed_person(http, db, id_number):
    row = record("江纪政处〔2025〕9号", {"idNumber": id_number, "name": "欧阳修文"})
    await submit(http, db, [row], agency_seed=1)


async def test_without_the_pii_scope_id_number_and_name_are_masked(http, db):
    id_number = make_id_number(seq=61)
    await seed_person(http, db, id_number)
    token = await token_for(http, db, "records:read")
    person = (await gql(http, token, PERSON, {"n": id_number}, purpose="HIRING")).json()["data"][
        "person"
    ]
    assert person["idNumber"] == id_number[:6] + "********" + id_number[-4:]
    assert person["name"] == "欧***"
    assert person["records"] == [{"sourceRef": "江纪政处〔2025〕9号"}]


async def test_with_the_pii_scope_the_clear_values_are_shown(http, db):
    id_number = make_id_number(seq=63)
    await seed_person(http, db, id_number)
    token = await token_for(http, db, "records:read records:read:pii")
    person = (await gql(http, token, PERSON, {"n": id_number}, purpose="HIRING")).json()["data"][
        "person"
    ]
    assert person == {
        "idNumber": id_number,
        "name": "欧阳修文",
        "records": [{"sourceRef": "江纪政处〔2025〕9号"}],
    }


async def test_id_numbers_and_names_are_not_stored_in_clear(http, db):
    from sqlalchemy import text

    id_number = make_id_number(seq=65)
    await seed_person(http, db, id_number)
    rows = []
    async with db.engine.connect() as connection:
        for table in ("persons", "credit_records", "record_events", "checks"):
            rows.extend((await connection.execute(text(f"SELECT * FROM {table}"))).all())
    dump = " ".join(str(row) for row in rows)
    assert "*" in dump  # the masked forms are there, so the dump did read the rows
    assert id_number not in dump
    assert "欧阳修文" not in dump


async def test_a_name_longer_than_a_name_is_refused_naming_the_field(http, db):
    token = await token_for(http, db, "check:hiring")
    long_name = "张" * 51
    body = await check(
        http, token, "HIRING", {"idNumber": make_id_number(seq=71), "name": long_name}
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.subject.name"}
    row = record("江纪政处〔2025〕71号", {"idNumber": make_id_number(seq=71), "name": long_name})
    writer = await token_for(http, db, "records:write", agency_seed=2)
    answer = (await gql(http, writer, SUBMIT, {"r": [row]})).json()["data"]["submitRecords"]
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(0, "subject.name")]


async def test_a_full_width_id_number_is_checked_as_the_number_meant(http, db):
    token = await token_for(http, db, "check:hiring")
    number = make_id_number(seq=72)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # １２３… as an IME types it
    body = await check(http, token, "HIRING", {"idNumber": full_width})
    assert "errors" not in body and body["data"]["check"]["verdict"] == "CLEAR"


async def test_the_printed_report_gives_the_time_in_beijing(http, db):
    token = await token_for(http, db, "check:hiring")
    result = (await check(http, token, "HIRING", {"idNumber": make_id_number(seq=73)}))["data"]
    page = await http.get(
        f"/reports/{result['check']['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    checked = datetime.fromisoformat(result["check"]["checkedAt"]).astimezone(CHINA)
    assert f"{checked:%Y-%m-%d %H:%M:%S}（北京时间）" in page.text
