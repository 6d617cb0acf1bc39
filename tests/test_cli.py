"""The `hub` command as an operator uses it, against the real databases."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner
from sqlalchemy import select
from support import make_agency, make_id_number, make_uscc
from support import run_cli as run

from hub.cli import main
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, SanctionKind, Severity
from hub.records.service import submit_records


def test_every_command_has_help():
    for args in (
        [],
        ["serve"],
        ["db"],
        ["db", "upgrade"],
        ["keys", "init"],
        ["clients", "add"],
        ["clients", "list"],
        ["clients", "revoke"],
        ["check"],
        ["agencies", "add"],
        ["agencies", "list"],
        ["demo"],
    ):
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
        assert "Usage:" in result.output


async def test_clients_add_list_revoke(db, env):
    async with db.sessions.begin() as session:
        agency = await make_agency(session, name="江州市委组织部", seed=31)
    added = await run(
        env,
        "clients",
        "add",
        "招录系统",
        "--agency",
        agency.uscc,
        "--scopes",
        "check:hiring records:read",
        "--json",
    )
    assert added.exit_code == 0, added.output
    credentials = json.loads(added.output)
    assert set(credentials) == {"client_id", "client_secret"}

    listed = await run(env, "clients", "list")
    assert credentials["client_id"] in listed.output and "active" in listed.output
    assert credentials["client_secret"] not in listed.output

    assert (await run(env, "clients", "revoke", credentials["client_id"])).exit_code == 0
    assert "revoked" in (await run(env, "clients", "list")).output


async def test_clients_add_rejects_unknown_scopes_and_agencies(db, env):
    async with db.sessions.begin() as session:
        agency = await make_agency(session, seed=32)
    bad_scope = await run(
        env, "clients", "add", "x", "--agency", agency.uscc, "--scopes", "check:everything"
    )
    assert bad_scope.exit_code != 0 and "unknown scope" in bad_scope.output
    bad_agency = await run(
        env, "clients", "add", "x", "--agency", "11361200MB0000000X", "--scopes", "check:hiring"
    )
    assert bad_agency.exit_code != 0 and "no agency" in bad_agency.output


async def test_local_check_prints_verdict_rule_and_article(db, env, pii):
    from hub.checks.models import Check

    person = make_id_number(seq=77)
    async with db.sessions.begin() as session:
        agency = await make_agency(session, seed=33)
        await submit_records(
            session,
            pii,
            agency_id=agency.id,
            actor="test",
            drafts=[
                RecordDraft(
                    source_ref="江纪政处〔2026〕1号",
                    category=RecordCategory.GOVERNMENT_SANCTION,
                    sanction_kind=SanctionKind.WARNING,
                    severity=Severity.MINOR,
                    subject=SubjectDraft(id_number=person, name="孙七"),
                    decided_at=date(2026, 1, 10),
                    summary="违反工作纪律",
                )
            ],
        )
    restricted = await run(
        env, "check", "--purpose", "AWARD", "--id-number", person, "--as-of", "2026-07-10"
    )
    assert restricted.exit_code == 0, restricted.output
    assert "RESTRICTED" in restricted.output and "AWARD-GOV-WARNING" in restricted.output
    assert "第八条" in restricted.output and "2026-07-10" in restricted.output

    clear = await run(
        env, "check", "--purpose", "AWARD", "--id-number", person, "--as-of", "2026-07-11"
    )
    assert "CLEAR" in clear.output

    async with db.sessions() as session:
        assert len((await session.scalars(select(Check))).all()) == 2


async def test_a_bad_id_number_is_one_clear_line(env):
    result = await run(env, "check", "--purpose", "HIRING", "--id-number", "123")
    assert result.exit_code != 0
    assert "居民身份证号码" in result.output and "--id-number" in result.output
    assert "Traceback" not in result.output


async def test_an_operator_registers_an_agency_then_gives_it_a_client(db, env):
    uscc = make_uscc(seed=41)
    added = await run(
        env, "agencies", "add", "--uscc", uscc, "--name", "江州市财政局", "--family", "FINANCE"
    )
    assert added.exit_code == 0, added.output
    assert "361200" in added.output
    again = await run(env, "agencies", "add", "--uscc", uscc, "--name", "江州市财政局")
    assert again.exit_code != 0 and "already registered" in again.output
    assert "江州市财政局" in (await run(env, "agencies", "list")).output
    client = await run(
        env,
        "clients",
        "add",
        "采购系统",
        "--agency",
        uscc,
        "--scopes",
        "check:procurement",
        "--json",
    )
    assert client.exit_code == 0, client.output


async def test_a_bad_agency_uscc_is_refused_with_its_field(db, env):
    result = await run(env, "agencies", "add", "--uscc", "11361200ABC", "--name", "某局")
    assert result.exit_code != 0
    assert "[uscc]" in result.output
