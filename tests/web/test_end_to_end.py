"""The main job over real HTTP through the ASGI app: token → submit a record → check."""

from __future__ import annotations

from factories import CHECK, SUBMIT, check, person, record, submit, token_for
from support import get_token, gql, make_client, make_id_number, make_uscc


async def test_submitted_expulsion_makes_a_hiring_check_restricted(http, db):
    source = await make_client(db, "records:write", agency_seed=7, name="纪委案管系统")
    hr = await make_client(db, "check:hiring", agency_seed=8, name="组织部招录系统")
    person = make_id_number(seq=31)

    write_token = await get_token(http, source)
    submitted = await gql(
        http,
        write_token,
        SUBMIT,
        {
            "r": [
                {
                    "sourceRef": "江纪政处〔2024〕37号",
                    "category": "GOVERNMENT_SANCTION",
                    "sanctionKind": "EXPULSION",
                    "severity": "SERIOUS",
                    "subject": {"idNumber": person, "name": "张三"},
                    "decidedAt": "2024-09-18",
                    "summary": "严重违反廉洁纪律，收受巨额财物",
                }
            ]
        },
    )
    assert submitted.status_code == 200
    assert submitted.json()["data"]["submitRecords"]["inserted"] == 1

    check_token = await get_token(http, hr)
    answered = await gql(
        http,
        check_token,
        CHECK,
        {
            "i": {
                "purpose": "HIRING",
                "subject": {"idNumber": person},
                "reference": "江州2026年考录公告第1号",
                "asOf": "2026-11-22",
            }
        },
    )
    result = answered.json()["data"]["check"]
    assert result["verdict"] == "RESTRICTED"
    [finding] = result["findings"]
    assert finding["rule"]["id"] == "HIRE-EXPULSION"
    assert "第二十六条" in finding["rule"]["legalBasis"]
    assert (finding["record"]["sourceRef"], finding["record"]["sanctionKind"]) == (
        "江纪政处〔2024〕37号",
        "EXPULSION",
    )
    assert finding["restrictsUntil"] is None
    assert finding["disputed"] is False


async def test_a_person_unknown_to_the_hub_is_clear_for_hiring(http, db):
    hr = await make_client(db, "check:hiring")
    token = await get_token(http, hr)
    answered = await gql(
        http,
        token,
        CHECK,
        {
            "i": {
                "purpose": "HIRING",
                "subject": {"idNumber": make_id_number(seq=99)},
                "reference": "R-1",
            }
        },
    )
    assert answered.json()["data"]["check"]["verdict"] == "CLEAR"


async def test_a_clear_about_an_unknown_subject_says_the_hub_knows_nothing(http, db):
    token = await token_for(http, db, "check:hiring check:procurement")
    unknown = await check(http, token, "HIRING", {"idNumber": make_id_number(seq=98)})
    result = unknown["data"]["check"]
    assert (result["verdict"], result["subjectKnown"], result["subject"]) == ("CLEAR", False, None)
    assert any("未在本平台登记" in w for w in result["warnings"])
    page = await http.get(f"/reports/{result['id']}", headers={"Authorization": f"Bearer {token}"})
    assert "未在本平台登记" in page.text


async def test_a_uscc_failing_its_check_character_is_clear_only_with_a_warning(http, db):
    token = await token_for(http, db, "check:procurement")
    good = make_uscc(seed=97)
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = (await check(http, token, "PROCUREMENT", {"uscc": typo}))["data"]["check"]
    assert (result["verdict"], result["subjectKnown"]) == ("CLEAR", False)
    assert any("校验位不符" in w and "输入错误" in w for w in result["warnings"])
    assert any("未在本平台登记" in w for w in result["warnings"])


async def test_a_subject_on_file_is_known_and_carries_no_such_notice(http, db):
    await submit(http, db, [record("江纪政处〔2024〕38号", person(96, "钱五"))])
    token = await token_for(http, db, "check:hiring")
    result = (await check(http, token, "HIRING", {"idNumber": make_id_number(seq=96)}))["data"][
        "check"
    ]
    assert result["subjectKnown"] is True
    assert not any("未在本平台登记" in w for w in result["warnings"])
