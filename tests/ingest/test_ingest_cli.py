"""`hub sync`, `hub sync status` and `hub quarantine` as an operator uses them, against the
real databases, with a real XLSX export of the discipline case system."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from support import make_agency, make_id_number, run_cli

from hub.agencies.models import AgencyFamily
from hub.ingest.models import IngestRun, QuarantinedRow
from hub.records.models import CreditRecord

HEADER = [
    "决定文号",
    "被处分人姓名",
    "公民身份号码",
    "所在单位",
    "处分类别",
    "处分种类",
    "作出决定日期",
    "违纪违法事实摘要",
    "决定状态",
]


def decisions(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def decision(n: int, kind: str = "记过", id_number: str | None = None) -> list[object]:
    return [
        f"江监政处〔2025〕{n}号",
        f"褚{n}",
        id_number or make_id_number(seq=700 + n),
        "江州市财政局",
        "政务处分",
        kind,
        datetime(2025, 3, 1 + n),
        "违规发放津贴补贴",
        "有效",
    ]


async def test_sync_a_workbook_then_see_status_and_quarantine(db, env, tmp_path):
    async with db.sessions.begin() as session:
        monitor = await make_agency(
            session, name="江州市监察委员会", seed=97, family=AgencyFamily.DISCIPLINE
        )
    path = decisions(
        tmp_path / "decisions.xlsx", [decision(1), decision(2, kind="罚站"), decision(3)]
    )
    result = await run_cli(env, "sync", "discipline", "--agency", monitor.uscc, "--file", path)
    assert result.exit_code == 0, result.output
    assert "SUCCEEDED" in result.output and "hub quarantine list" in result.output

    status = await run_cli(env, "sync", "status")
    assert (
        "discipline" in status.output
        and "decisions" in status.output
        and "offset=4" in status.output  # the last row read is the 4th of the sheet
    )

    held = await run_cli(env, "quarantine", "list")
    assert "罚站" in held.output and "decisions.xlsx:3" in held.output
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditRecord)) == 2
        [row] = (await session.scalars(select(QuarantinedRow))).all()

    replayed = await run_cli(env, "quarantine", "replay", row.id)
    assert replayed.exit_code == 0 and "0 accepted, 1 still quarantined" in replayed.output


async def test_a_file_that_is_not_a_workbook_fails_the_run_and_changes_nothing(db, env, tmp_path):
    async with db.sessions.begin() as session:
        monitor = await make_agency(session, seed=98, family=AgencyFamily.DISCIPLINE)
    fake = tmp_path / "decisions.xlsx"
    fake.write_text("决定文号,被处分人姓名\n", encoding="utf-8")
    result = await run_cli(env, "sync", "discipline", "--agency", monitor.uscc, "--file", fake)
    assert result.exit_code == 1
    assert "FAILED" in result.output and "XLSX" in result.output
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditRecord)) == 0


async def test_an_unknown_agency_is_refused_before_anything_is_read(db, env, tmp_path):
    path = decisions(tmp_path / "d.xlsx", [decision(1)])
    result = await run_cli(
        env, "sync", "discipline", "--agency", "11361200MB0000000L", "--file", path
    )
    assert result.exit_code != 0 and "hub agencies add" in result.output


async def test_a_connector_feeds_only_agencies_of_its_family(db, env, tmp_path):
    # `hub sync court --agency <组织部>` would put court listings under the wrong agency.
    async with db.sessions.begin() as session:
        organisation = await make_agency(
            session, name="江州市委组织部", seed=97, family=AgencyFamily.HR
        )
    path = tmp_path / "listing.csv"
    path.write_text("被执行人姓名/名称,身份证号码/组织机构代码,案号\n", encoding="utf-8")
    refused = await run_cli(env, "sync", "court", "--agency", organisation.uscc, "--file", path)
    assert refused.exit_code == 1
    assert "court connector reads COURT" in refused.output
    assert "江州市委组织部" in refused.output and "registered as HR" in refused.output
    async with db.sessions() as session:
        assert (await session.scalars(select(IngestRun))).all() == []  # no run was started

    forced = await run_cli(
        env, "sync", "court", "--agency", organisation.uscc, "--file", path,
        "--allow-family-mismatch",
    )  # fmt: skip
    assert "family_override" in forced.output, forced.output
    async with db.sessions() as session:
        [run] = (await session.scalars(select(IngestRun))).all()
    assert "operator override" in run.notes["family_override"]
