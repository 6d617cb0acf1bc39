"""The HR system's CSV exports in UTF-8, UTF-8 with BOM and GBK: rows, checkpoints, resuming,
bad files and bad rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.base import Checkpoint, ConfigError, Row
from connectors.hr import STREAMS, Config, HrConnector

CONNECTOR = HrConnector()
HEADER = [
    "记录编号",
    "公民身份号码",
    "姓名",
    "所在单位",
    "考核年度",
    "考核等次",
    "考核结果确定日期",
]


def appraisal_lines(count: int) -> list[list[str]]:
    grades = ["优秀", "称职", "基本称职", "不称职"]
    return [
        [
            f"KH{n:04d}",
            "11010519491231002X",
            f"李{n}",
            "某县财政局",
            "2024",
            grades[n % 4],
            "2025-01-20",
        ]
        for n in range(1, count + 1)
    ]


def write_csv(
    path: Path, lines: list[list[str]], encoding: str, header: list[str] = HEADER
) -> Path:
    text = "\r\n".join(",".join(cells) for cells in [header, *lines]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def config(path: Path, stream: str = "appraisals", every: int = 1000) -> Config:
    return Config(stream=stream, path=str(path), checkpoint_every=every)


def read(path: Path, state: dict[str, Any] | None = None, every: int = 1000) -> list[Any]:
    return list(CONNECTOR.read(config(path, every=every), STREAMS["appraisals"], state or {}))


def rows_of(items: list[Any]) -> list[Row]:
    return [item for item in items if isinstance(item, Row)]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("hr") / "考核.csv", appraisal_lines(9), "utf-8")


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gbk", "GB18030/GBK")]
)
def test_reads_each_encoding(tmp_path: Path, encoding: str, label: str) -> None:
    path = write_csv(tmp_path / "考核.csv", appraisal_lines(3), encoding)
    CONNECTOR.check(config(path))
    items = read(path)
    rows = rows_of(items)
    assert [row.record and row.record["subject_name"] for row in rows] == ["李1", "李2", "李3"]
    assert [row.record and row.record["detail"]["grade"] for row in rows] == [
        "称职",
        "基本称职",
        "不称职",
    ]
    assert items[-1].notes == {"format": "csv", "encoding": label}


def test_discover_names_the_configured_stream(export: Path) -> None:
    assert CONNECTOR.name == "hr"
    [stream] = CONNECTOR.discover(config(export))
    assert (stream.name, stream.key_fields, stream.cursor_field) == (
        "appraisals",
        ("record_id",),
        None,
    )


def test_checkpoints_every_n_rows_and_at_the_end(export: Path) -> None:
    items = read(export, every=4)
    assert "".join("C" if isinstance(i, Checkpoint) else "R" for i in items) == "RRRRCRRRRCRC"
    states = [i.state for i in items if isinstance(i, Checkpoint)]
    assert [(s["offset"], s["done"]) for s in states] == [(5, False), (9, False), (10, True)]


@pytest.mark.parametrize("every", [1, 2, 4, 9, 20])
def test_resuming_from_any_checkpoint_yields_exactly_the_remaining_rows(
    export: Path, every: int
) -> None:
    items = read(export, every=every)
    everything = [row.location for row in rows_of(items)]
    seen = 0
    for item in items:
        if isinstance(item, Row):
            seen += 1
            continue
        after = [row.location for row in rows_of(read(export, dict(item.state), every))]
        assert everything[:seen] + after == everything


def test_a_done_state_yields_only_a_final_checkpoint_and_another_file_starts_over(
    export: Path,
) -> None:
    final = read(export)[-1].state
    assert [type(i) for i in read(export, dict(final))] == [Checkpoint]
    assert len(rows_of(read(export, {**final, "file": "f" * 64}))) == 9


def test_bad_rows_become_problems(tmp_path: Path) -> None:
    lines = appraisal_lines(3)
    lines[1][5] = "良好"
    path = write_csv(tmp_path / "bad.csv", lines, "utf-8")
    rows = rows_of(read(path))
    assert [row.problem is None for row in rows] == [True, False, True]
    assert rows[1].problem and rows[1].problem[0] == "考核等次/grade"
    assert rows[1].location == "bad.csv:3"


def test_missing_headers_are_named(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "考核等次"]
    path = write_csv(tmp_path / "partial.csv", [], "utf-8", header)
    with pytest.raises(ConfigError, match="考核等次/grade") as caught:
        CONNECTOR.check(config(path))
    assert "记录编号、公民身份号码" in caught.value.message


def test_sql_names_are_accepted_as_headers(tmp_path: Path) -> None:
    header = ["id_number", "name", "agency_uscc", "post", "status", "updated_at"]
    line = [
        "11010519491231002X",
        "李四",
        "11360000MB0000000K",
        "科员",
        "在职",
        "2025-01-21 09:30:00",
    ]
    path = write_csv(tmp_path / "roster.csv", [line], "utf-8", header)
    CONNECTOR.check(config(path, "roster"))
    [row] = rows_of(list(CONNECTOR.read(config(path, "roster"), STREAMS["roster"], {})))
    assert row.record and row.record["roster"] is True
    assert row.record["status"] == "在职"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "is empty"), (b"\x00\x01binary", "binary")],
)
def test_bad_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        CONNECTOR.check(config(path))


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (Config(stream="salaries", path="x.csv"), "unknown stream"),
        (Config(stream="roster"), "either `url`"),
        (Config(stream="roster", path="x.csv", url="sqlite://", table="t"), "either `url`"),
        (Config(stream="roster", path="x.csv", checkpoint_every=0), "checkpoint_every"),
    ],
)
def test_bad_config(cfg: Config, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CONNECTOR.check(cfg)


def test_reading_another_stream_than_configured_is_refused(export: Path) -> None:
    with pytest.raises(ConfigError, match="feeds 'appraisals'"):
        list(CONNECTOR.read(config(export), STREAMS["roster"], {}))
