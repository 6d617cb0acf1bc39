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
        ["rules"],
        ["sync"],
        ["sync", "court"],
        ["sync", "discipline"],
        ["sync", "hr"],
        ["sync", "finance"],
        ["sync", "status"],
        ["quarantine", "list"],
        ["audit", "verify"],
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
    assert "ID number" in result.output and "--id-number" in result.output
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


def test_sync_options_come_from_each_connector_config():
    # `hub sync <connector>` is made from the connector's spec(): every field, its help.
    finance = CliRunner().invoke(main, ["sync", "finance", "--help"]).output
    for option in ("--url", "--token-env", "--page-size", "--max-retries", "--as-of"):
        assert option in finance
    assert "--token " not in finance  # a secret is named by its environment variable
    court = CliRunner().invoke(main, ["sync", "court", "--help"]).output
    assert "--file" in court and "defaulters|judgments" in court


async def test_a_checkpoint_above_one_transaction_is_a_usage_error(env, tmp_path):
    result = await run(
        env, "sync", "court", "--agency", make_uscc(seed=5), "--file", tmp_path / "x.csv",
        "--checkpoint-every", "5001",
    )  # fmt: skip
    assert result.exit_code == 2 and "5000" in result.output


async def test_a_secret_from_an_unset_variable_is_refused(env):
    result = await run(
        env, "sync", "finance", "--agency", make_uscc(seed=5), "--url", "http://127.0.0.1:9",
        "--token-env", "HUB_TEST_NO_SUCH_TOKEN",
    )  # fmt: skip
    assert result.exit_code == 2 and "HUB_TEST_NO_SUCH_TOKEN is not set" in result.output


def test_rules_are_printed_grouped_by_article_for_a_purpose():
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["rules", "--purpose", "TRANSFER"])
    assert result.exit_code == 0, result.output
    assert "rule set 2026.12.1" in result.output
    assert "《中华人民共和国公务员法》第二十六条" in result.output
    assert "TRANSFER-GOV-DEMERIT" in result.output and "HIRE-EXAM-BAN-5Y" not in result.output
    assert "AWARD-GOV-WARNING" not in result.output


def test_rule_changes_since_a_version_say_why():
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["rules", "--changes", "2026.11.2"])
    assert result.exit_code == 0, result.output
    assert "PROC-DEFAULTER" in result.output and "why:" in result.output
    later = CliRunner().invoke(main, ["rules", "--changes", "2026.12.1"])
    assert "no changes after 2026.12.1" in later.output


async def _sanctioned(db, pii, person, kind, decided, ref="江纪政处〔2026〕8号"):
    async with db.sessions.begin() as session:
        agency = await make_agency(session, seed=34)
        await submit_records(
            session,
            pii,
            agency_id=agency.id,
            actor="test",
            drafts=[
                RecordDraft(
                    source_ref=ref,
                    category=RecordCategory.GOVERNMENT_SANCTION,
                    sanction_kind=kind,
                    severity=Severity.MINOR,
                    subject=SubjectDraft(id_number=person, name="周九"),
                    decided_at=decided,
                    summary="违反工作纪律",
                )
            ],
        )


async def test_a_local_appraisal_check_judges_the_year_given(db, env, pii):
    person = make_id_number(seq=78)
    await _sanctioned(db, pii, person, SanctionKind.DEMERIT, date(2026, 3, 1))
    args = ("check", "--purpose", "APPRAISAL", "--id-number", person, "--as-of", "2027-01-10")
    judged = await run(env, *args, "--appraisal-year", "2026")
    assert judged.exit_code == 0, judged.output
    assert "appraisal year 2026: NO_GRADE" in judged.output and "RESTRICTED" in judged.output
    default = await run(env, *args)
    assert "appraisal year 2027: not affected" in default.output


async def test_a_stored_check_is_answered_again_with_the_current_rules(db, env, pii):
    from sqlalchemy import update

    from hub.checks.models import Check

    person = make_id_number(seq=79)
    await _sanctioned(db, pii, person, SanctionKind.DEMERIT, date(2026, 2, 1))
    first = await run(
        env, "check", "--purpose", "TRANSFER", "--id-number", person, "--as-of", "2026-06-01"
    )
    assert "RESTRICTED" in first.output
    async with db.sessions.begin() as session:
        stored = await session.scalar(select(Check))
        check_id = stored.id
        # As 2026.11.2 answered it: TRANSFER only knew the hiring bars.
        await session.execute(
            update(Check)
            .where(Check.id == check_id)
            .values(verdict="CLEAR", ruleset_version="2026.11.2", result={"findings": []})
        )
    again = await run(env, "check", "--recheck", check_id)
    assert again.exit_code == 0, again.output
    assert f"stored check {check_id}: CLEAR under rule set 2026.11.2" in again.output
    assert "verdict CLEAR → RESTRICTED" in again.output
    assert "+ TRANSFER-GOV-DEMERIT" in again.output and "2027-02-01" in again.output
    async with db.sessions() as session:
        checks = (await session.scalars(select(Check).order_by(Check.checked_at))).all()
    assert [c.verdict.value for c in checks] == ["CLEAR", "RESTRICTED"]
    assert checks[1].reference.startswith(f"重新核查 {check_id}")
    unchanged = await run(env, "check", "--recheck", checks[1].id)
    assert "no difference" in unchanged.output


async def test_recheck_of_an_unknown_check_is_one_clear_line(env):
    result = await run(env, "check", "--recheck", "no-such-check")
    assert result.exit_code == 1 and "no stored check no-such-check" in result.output
    mixed = await run(env, "check", "--recheck", "x", "--purpose", "HIRING")
    assert mixed.exit_code == 2
