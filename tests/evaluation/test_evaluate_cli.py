"""`hub evaluate` and `hub warnings` on the demo city, as an evaluator runs them, on both
databases: every indicator and warning kind has something to show, the result is the same
each time, and the workbook is the one a 考核 office circulates."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from sqlalchemy import select
from support import run_cli

from hub import clock
from hub.alerts.models import Alert


async def test_the_demo_city_is_evaluated_reproducibly_and_warned(env, db, tmp_path: Path) -> None:
    env = {**env, "COLUMNS": "300"}  # one line per row: nothing wrapped mid-word
    loaded = await run_cli(env, "demo", "--credentials", tmp_path / "demo.json")
    assert loaded.exit_code == 0, loaded.output
    year = str(clock.today().year)

    first = await run_cli(env, "evaluate", "--period", year, "--evidence")
    assert first.exit_code == 0, first.output
    again = await run_cli(env, "evaluate", "--period", year, "--evidence")
    assert again.output == first.output
    assert "江州市柳溪县人民政府" in first.output and "较差" in first.output
    assert "优秀" in first.output and "待录入" in first.output
    # Each source of evidence shows up somewhere: records, commitments, objections, repairs,
    # clues, feeds and an evaluator's entries.
    for label in ("拖欠", "的承诺", "异议", "修复申请", "线索", "最近成功报送", "录入"):
        assert label in first.output, label

    regions = await run_cli(env, "evaluate", "--period", year, "--level", "region")
    assert regions.exit_code == 0, regions.output
    assert "江州市江城区" in regions.output and "（本级）" in regions.output
    assert len(re.findall(r"│ 3612\d\d ", regions.output)) == 5  # the city, four counties

    workbook = tmp_path / "评价.xlsx"
    written = await run_cli(env, "evaluate", "--period", year, "--xlsx", workbook)
    assert written.exit_code == 0 and workbook.exists(), written.output
    book = openpyxl.load_workbook(workbook)
    results = list(book["评价结果"].iter_rows(min_row=4, values_only=True))
    assert len(results) == 40 and results[0][0] == 1
    assert book["指标说明"].max_row >= 13

    refused = await run_cli(env, "evaluate", "--period", year, "--publish")
    assert refused.exit_code != 0 and "period" in refused.output
    wrong = await run_cli(env, "evaluate", "--period", "去年")
    assert wrong.exit_code != 0 and "period" in wrong.output

    scanned = await run_cli(env, "warnings", "scan")
    assert scanned.exit_code == 0 and "new warning(s)" in scanned.output
    assert int(scanned.output.split()[0]) > 0
    assert (await run_cli(env, "warnings", "scan")).output.startswith("0 new")
    async with db.sessions() as session:
        rules = set(await session.scalars(select(Alert.rule)))
    assert rules >= {"serious_record", "defaulter_listed", "arrears_30", "arrears_60",
                     "objection_overdue", "clue_overdue", "commitment_due_soon",
                     "commitment_overdue", "source_silent"}  # fmt: skip
    listed = await run_cli(env, "warnings", "list")
    assert listed.exit_code == 0 and "commitment_overdue" in listed.output
