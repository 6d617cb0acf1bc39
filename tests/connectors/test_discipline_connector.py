"""Reading real XLSX workbooks of decisions: rows, checkpoints, resuming, bad files."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from connectors.base import Checkpoint, ConfigError, Row
from connectors.discipline import DECISIONS, Config, DisciplineConnector

HEADER = [
    "决定文号",
    "被处分人姓名",
    "公民身份号码",
    "所在单位",
    "处分类别",
    "处分种类",
    "察看期限",
    "作出决定日期",
    "批准日期",
    "违纪违法事实摘要",
    "决定状态",
]
CONNECTOR = DisciplineConnector()


def decision_row(n: int) -> list[Any]:
    category, kind = [("政务处分", "记过"), ("党纪处分", "警告"), ("组织处理", "诫勉")][n % 3]
    return [
        f"赣纪处〔2025〕{n}号",
        f"姓名{n}",
        "11010519491231002X",
        "某县财政局",
        category,
        kind,
        None,
        datetime(2025, 1, 1 + n % 28),
        None,
        "违规发放津贴补贴",
        "有效",
    ]


def write_xlsx(path: Path, rows: Iterable[list[Any]], header: list[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def read(path: Path, state: dict[str, Any] | None = None, every: int = 1000) -> list[Any]:
    return list(CONNECTOR.read(Config(str(path), every), DECISIONS, state or {}))


def rows_of(items: list[Any]) -> list[Row]:
    return [item for item in items if isinstance(item, Row)]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("discipline") / "处分决定.xlsx"
    return write_xlsx(path, (decision_row(n) for n in range(1, 11)))


def test_spec_and_discover() -> None:
    assert CONNECTOR.name == "discipline"
    assert CONNECTOR.spec() is Config
    assert CONNECTOR.discover(Config("x.xlsx")) == [DECISIONS]
    assert DECISIONS.key_fields == ("决定文号",)


def test_reads_every_row_with_its_record_and_location(workbook: Path) -> None:
    CONNECTOR.check(Config(str(workbook)))
    rows = rows_of(read(workbook))
    assert [row.location for row in rows] == [f"处分决定.xlsx:{n}" for n in range(2, 12)]
    assert [row.record["sanction_kind"] for row in rows[:3] if row.record] == [
        "PARTY_WARNING",
        "ADMONISHMENT",
        "DEMERIT",
    ]
    assert rows[0].raw["决定文号"] == "赣纪处〔2025〕1号"
    assert rows[0].record and rows[0].record["decided_at"] == "2025-01-02"


def test_checkpoints_every_n_rows_and_at_the_end(workbook: Path) -> None:
    items = read(workbook, every=4)
    kinds = ["C" if isinstance(item, Checkpoint) else "R" for item in items]
    assert "".join(kinds) == "RRRRCRRRRCRRC"
    checkpoints = [item for item in items if isinstance(item, Checkpoint)]
    assert [c.state["offset"] for c in checkpoints] == [5, 9, 11]
    assert [c.state["done"] for c in checkpoints] == [False, False, True]
    assert checkpoints[0].notes == {"format": "xlsx"}
    assert checkpoints[1].notes == {}


@pytest.mark.parametrize("every", [1, 2, 3, 7, 10, 50])
def test_resuming_from_any_checkpoint_yields_exactly_the_remaining_rows(
    workbook: Path, every: int
) -> None:
    items = read(workbook, every=every)
    all_locations = [row.location for row in rows_of(items)]
    seen = 0
    for item in items:
        if isinstance(item, Row):
            seen += 1
            continue
        after = [row.location for row in rows_of(read(workbook, dict(item.state), every))]
        assert all_locations[:seen] + after == all_locations


def test_a_done_state_yields_only_a_final_checkpoint(workbook: Path) -> None:
    final = read(workbook)[-1]
    again = read(workbook, dict(final.state))
    assert len(again) == 1 and isinstance(again[0], Checkpoint)
    assert again[0].state == final.state


def test_a_state_for_another_file_starts_from_the_beginning(workbook: Path) -> None:
    stale = {"file": "0" * 64, "offset": 8, "done": True}
    assert len(rows_of(read(workbook, stale))) == 10


def test_blank_and_short_rows(tmp_path: Path) -> None:
    short = decision_row(1)[:8]  # trailing empty cells are not written at all
    path = write_xlsx(tmp_path / "short.xlsx", [short, [None] * 11, decision_row(2)])
    rows = rows_of(read(path))
    assert [row.location for row in rows] == ["short.xlsx:2", "short.xlsx:4"]
    assert all(row.record for row in rows)


def test_bad_rows_become_problems_and_reading_goes_on(tmp_path: Path) -> None:
    bad = decision_row(1)
    bad[5] = "通报批评"
    path = write_xlsx(tmp_path / "bad.xlsx", [bad, decision_row(2)])
    first, second = rows_of(read(path))
    assert first.record is None
    assert first.problem and first.problem[0] == "处分种类"
    assert "通报批评" in first.problem[1]
    assert second.record and second.problem is None


def test_missing_columns_are_named(tmp_path: Path) -> None:
    header = [h for h in HEADER if h not in ("公民身份号码", "作出决定日期", "批准日期")]
    path = write_xlsx(tmp_path / "partial.xlsx", [], header)
    with pytest.raises(ConfigError) as caught:
        CONNECTOR.check(Config(str(path)))
    assert "公民身份号码" in caught.value.message
    assert "作出决定日期 or 批准日期" in caught.value.message
    with pytest.raises(ConfigError):
        read(path)


def test_a_header_only_workbook_reads_no_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "empty.xlsx", [])
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], Checkpoint)
    assert items[0].state["offset"] == 0 and items[0].state["done"]


def test_a_csv_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    path.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not an XLSX workbook"):
        CONNECTOR.check(Config(str(path)))


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "decisions.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(ConfigError, match="cannot be read as XLSX"):
        CONNECTOR.check(Config(str(path)))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("missing.xlsx", None, "no such file"), ("empty.xlsx", b"", "is empty")],
)
def test_absent_or_empty_files(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        CONNECTOR.check(Config(str(path)))


def test_bad_config(workbook: Path) -> None:
    with pytest.raises(ConfigError, match="checkpoint_every"):
        CONNECTOR.check(Config(str(workbook), checkpoint_every=0))
    other = DECISIONS.__class__("appraisals", ("x",))
    with pytest.raises(ConfigError, match="unknown stream"):
        list(CONNECTOR.read(Config(str(workbook)), other, {}))


def test_a_workbook_that_misstates_its_size_is_read_whole(tmp_path: Path) -> None:
    written = write_xlsx(tmp_path / "written.xlsx", [decision_row(1), decision_row(2)])
    path = tmp_path / "misstated.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:K3" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in data
            target.writestr(item, data)
    CONNECTOR.check(Config(str(path)))
    assert [row.record is not None for row in rows_of(read(path))] == [True, True]
