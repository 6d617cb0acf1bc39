"""Signed check reports: verifiable by anyone, broken by any change, surviving key rotation,
and printable by the agency that asked."""

from __future__ import annotations

import base64
import re
import shutil

from factories import CHECK
from support import get_token, gql, make_client, make_id_number, served

from hub.keys import load_keys, rotate_signing_key
from hub.settings import Settings

VERIFY = """query($t: String!) { verifyReport(token: $t) { valid reason report } }"""


def check_input(seq=301):
    return {
        "i": {
            "purpose": "HIRING",
            "subject": {"idNumber": make_id_number(seq=seq), "name": "吴九"},
            "reference": "江州市2026年遴选公告",
            "asOf": "2026-11-01",
        }
    }


async def checked(http, db, seq=301):
    credentials = await make_client(db, "check:hiring", agency_seed=61, name="招录系统")
    token = await get_token(http, credentials)
    return (await gql(http, token, CHECK, check_input(seq))).json()["data"]["check"], token


async def verify(http, report_token):
    # No Authorization header: whoever holds a printed report may verify it.
    response = await http.post("/graphql", json={"query": VERIFY, "variables": {"t": report_token}})
    assert response.status_code == 200
    return response.json()["data"]["verifyReport"]


async def test_a_report_verifies_without_a_token_and_carries_the_answer(http, db):
    result, _ = await checked(http, db)
    verification = await verify(http, result["reportToken"])
    assert verification["valid"] is True and verification["reason"] is None
    report = verification["report"]
    assert report["checkId"] == result["id"]
    assert report["verdict"] == result["verdict"] == "CLEAR"
    assert report["subject"]["idNumber"].count("*") == 8
    assert report["subject"]["name"] == "吴*"
    assert report["requestingAgency"]["name"] == "江州市测试局61"
    assert report["rulesetVersion"]


async def test_any_changed_byte_makes_the_report_invalid(http, db):
    result, _ = await checked(http, db)
    head, payload, signature = result["reportToken"].split(".")
    document = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    forged = document.replace(b'"CLEAR"', b'"RESTRICTED"')
    assert forged != document
    forged_payload = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    for token in (
        f"{head}.{forged_payload}.{signature}",
        f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        f"{head}.{payload[:-1]}.{signature}",
        "not-a-token",
    ):
        verification = await verify(http, token)
        assert verification["valid"] is False and verification["reason"], token


async def test_reports_signed_before_a_key_rotation_still_verify(http, db, keys_dir, tmp_path):
    result, _ = await checked(http, db)
    rotated_dir = tmp_path / "rotated"
    shutil.copytree(keys_dir, rotated_dir)
    new_kid = rotate_signing_key(rotated_dir)
    rotated = Settings(database_url=db.url, keys_dir=rotated_dir)
    async with served(rotated, load_keys(rotated)) as hub:
        after = hub.http
        assert (await verify(after, result["reportToken"]))["valid"] is True
        jwks = (await after.get("/.well-known/jwks.json")).json()
        assert len(jwks["keys"]) == 2 and jwks["keys"][0]["kid"] == new_kid
        credentials = await make_client(db, "check:hiring", agency_seed=62)
        fresh = (await gql(after, await get_token(after, credentials), CHECK, check_input())).json()
        new_report = fresh["data"]["check"]["reportToken"]
        header = base64.urlsafe_b64decode(new_report.split(".")[0] + "==")
        assert new_kid.encode() in header
        assert (await verify(after, new_report))["valid"] is True


async def test_anonymous_callers_get_nothing_but_verification(http, db):
    response = await http.post(
        "/graphql",
        json={
            "query": '{ verifyReport(token: "x") { valid } records(first: 1) { edges { cursor } } }'
        },
    )
    assert response.status_code == 401
    mutation = await http.post(
        "/graphql", json={"query": "mutation { submitRecords(records: []) { accepted } }"}
    )
    assert mutation.status_code == 401


async def test_the_printable_report_is_for_the_agency_that_asked(http, db):
    result, token = await checked(http, db)
    page = await http.get(f"/reports/{result['id']}", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    assert "信用核查报告" in page.text and "未发现限制" in page.text
    assert "江州市2026年遴选公告" in page.text
    printed = re.search(r'<p class="token">([^<]+)</p>', page.text).group(1)
    verification = await verify(http, printed)
    assert verification["valid"] is True and verification["report"]["checkId"] == result["id"]
    other = await get_token(http, await make_client(db, "check:hiring", agency_seed=63))
    assert (
        await http.get(f"/reports/{result['id']}", headers={"Authorization": f"Bearer {other}"})
    ).status_code == 404
    assert (await http.get(f"/reports/{result['id']}")).status_code == 401
