"""`hub objections list`, `hub repairs list` and `hub lifecycle run` as an operator uses them,
against the workflows' real tables (the CLI's today is the real one: 2026-12 or later, so the
deadlines of items filed on 24 September 2026 have passed)."""

from __future__ import annotations

from factories import body, record, submit
from parties import FINANCE
from support import run_cli
from test_objections_end_to_end import file
from test_repairs_and_publicity_end_to_end import ARREARS, apply, seed

from hub.agencies.models import AgencyFamily


async def test_every_lifecycle_command_has_help(env):
    for args in (
        ["objections", "list"], ["repairs", "list"], ["lifecycle", "run"], ["objections"],
    ):  # fmt: skip
        result = await run_cli(env, *args, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, result.output


async def test_the_operator_lists_overdue_objections_and_pending_repairs(parties, db, env):
    filed = (await file(parties))["data"]["fileObjection"]
    refs = await seed(parties, db)
    applied = (await apply(parties, refs[ARREARS["sourceRef"]]))["data"]["applyForRepair"]

    listed = await run_cli(env, "objections", "list", "--overdue")
    assert listed.exit_code == 0, listed.output
    assert "江监政处〔2026〕81号" in listed.output and "2026-10-15" in listed.output
    assert "逾期" in listed.output and "1 objection(s)" in listed.output
    assert filed["id"] in listed.output.split()
    none = await run_cli(env, "objections", "list", "--state", "REJECTED")
    assert "0 objection(s)" in none.output
    wrong = await run_cli(env, "objections", "list", "--state", "LOST")
    assert wrong.exit_code == 2 and "LOST" in wrong.output

    repairs = await run_cli(env, "repairs", "list")
    assert repairs.exit_code == 0, repairs.output
    assert "待决定" in repairs.output and "2026-10-15" in repairs.output
    assert "逾期" in repairs.output and applied["id"] in repairs.output.split()


async def test_the_lifecycle_run_notes_ended_publicity_once(parties, db, env):
    old = record(
        "江财欠〔2023〕1号", body(842), category="PAYMENT_ARREARS", kind=None,
        severity="GENERAL", decided="2023-01-10",
    )  # fmt: skip
    await submit(parties.hub.http, db, [old], agency_seed=FINANCE, family=AgencyFamily.FINANCE)
    first = await run_cli(env, "lifecycle", "run")
    assert first.exit_code == 0, first.output
    assert "publicity ended for 1 record(s)" in first.output
    again = await run_cli(env, "lifecycle", "run")
    assert "publicity ended for 0 record(s)" in again.output
