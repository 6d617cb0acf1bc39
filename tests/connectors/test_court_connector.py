"""The court connector over real files: every format and encoding it reads, its checkpoints,
resuming from any of them, and the files and rows it refuses."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from connectors.base import Checkpoint, ConfigError, Row, Stream, TransientError
from connectors.court import Config, CourtConnector
from connectors.court.samples import DEFAULTER_HEADERS, write_defaulters, write_judgments

connector = CourtConnector()

FORMATS = [
    pytest.param("csv", "utf-8", "UTF-8", id="csv-utf8"),
    pytest.param("csv", "utf-8-sig", "UTF-8", id="csv-utf8-bom"),
    pytest.param("csv", "gbk", "GB18030/GBK", id="csv-gbk"),
    pytest.param("xlsx", "utf-8", None, id="xlsx"),
    pytest.param("jsonl", "utf-8", "UTF-8", id="jsonl"),
]


def read_all(config: Config, state: Mapping[str, Any] | None = None) -> list[Row | Checkpoint]:
    stream = connector.discover(config)[0]
    return list(connector.read(config, stream, state or {}))


def rows_of(items: Iterable[Row | Checkpoint]) -> list[Row]:
    return [item for item in items if isinstance(item, Row)]


def checkpoints_of(items: Iterable[Row | Checkpoint]) -> list[Checkpoint]:
    return [item for item in items if isinstance(item, Checkpoint)]


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def sample_row(**changes: str) -> list[str]:
    row = dict(
        zip(
            DEFAULTER_HEADERS,
            [
                "张三",
                "3423011964****3224",
                "",
                "男",
                "55",
                "合肥市蜀山区人民法院",
                "安徽",
                "（2019）皖0104民初1号",
                "20190709",
                "（2019）皖0104执1号",
                "合肥市蜀山区人民法院",
                "偿还借款50000元",
                "全部未履行",
                "违反限制消费令",
                "2019年07月13日",
            ],
            strict=True,
        )
    )
    row.update(changes)
    return list(row.values())


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "encoding", "label"), FORMATS)
def test_every_format_and_encoding_reads_every_row(
    tmp_path: Path, fmt: str, encoding: str, label: str | None
) -> None:
    path = write_defaulters(tmp_path / f"listing.{fmt}", 7, format=fmt, encoding=encoding, seed=3)
    config = Config(path=path)
    connector.check(config)
    items = read_all(config)
    rows = rows_of(items)
    assert len(rows) == 7
    assert all(row.problem is None and row.record is not None for row in rows)
    assert len({row.record["source_ref"] for row in rows if row.record}) == 7
    assert {row.record["category"] for row in rows if row.record} == {"JUDGMENT_DEFAULTER"}
    assert rows[0].location == f"listing.{fmt}:{1 if fmt == 'jsonl' else 2}"
    (final,) = checkpoints_of(items)
    assert final.state["done"] is True
    assert final.notes.get("format") == fmt
    assert final.notes.get("encoding") == label


@pytest.mark.parametrize(("fmt", "encoding", "label"), FORMATS)
def test_formats_give_the_same_records(
    tmp_path: Path, fmt: str, encoding: str, label: str | None
) -> None:
    reference = write_defaulters(tmp_path / "reference.csv", 5, format="csv", seed=9)
    path = write_defaulters(tmp_path / f"listing.{fmt}", 5, format=fmt, encoding=encoding, seed=9)
    expected = [row.record for row in rows_of(read_all(Config(path=reference)))]
    assert [row.record for row in rows_of(read_all(Config(path=path)))] == expected


def test_the_format_can_be_given_when_the_suffix_does_not_tell(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "export.txt", 3, format="csv", encoding="gbk")
    with pytest.raises(ConfigError, match="unknown format 'txt'"):
        connector.check(Config(path=path))
    assert len(rows_of(read_all(Config(path=path, format="csv")))) == 3


def test_judgments_are_read_from_their_own_stream(tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx"):
        path = write_judgments(tmp_path / f"judgments.{fmt}", 6, format=fmt, encoding="gbk")
        config = Config(path=path, stream="judgments")
        connector.check(config)
        (stream,) = connector.discover(config)
        assert (stream.name, stream.key_fields) == ("judgments", ("案号",))
        records = [row.record for row in rows_of(read_all(config))]
        assert len(records) == 6
        assert all(r is not None and r["category"] == "COURT_JUDGMENT" for r in records)
        assert {r["status"] for r in records if r} <= {"ACTIVE", "EXPIRED"}


def test_a_header_only_file_yields_a_final_checkpoint(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", DEFAULTER_HEADERS, [])
    connector.check(Config(path=path))
    items = read_all(Config(path=path))
    assert [type(item) for item in items] == [Checkpoint]
    assert items[0].state["offset"] == 0 and items[0].state["done"] is True


# -- checkpoints and resuming ----------------------------------------------------------------------


def test_a_checkpoint_follows_every_n_rows_and_the_end(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.csv", 7, format="csv")
    items = read_all(Config(path=path, checkpoint_every=3))
    kinds = ["R" if isinstance(item, Row) else "C" for item in items]
    assert "".join(kinds) == "RRRCRRRCRC"
    states = [c.state for c in checkpoints_of(items)]
    assert [(s["offset"], s["done"]) for s in states] == [(4, False), (7, False), (8, True)]
    notes = [c.notes for c in checkpoints_of(items)]
    assert notes[0] == {"format": "csv", "encoding": "UTF-8"} and notes[1:] == [{}, {}]


def _file_with_gaps(tmp_path: Path, fmt: str) -> Path:
    """13 rows, with blank lines between some of them: row numbers are not consecutive."""
    rows = [sample_row(案号=f"（2019）皖0104执{n}号") for n in range(1, 14)]
    if fmt == "xlsx":
        return write_xlsx(
            tmp_path / "gaps.xlsx", DEFAULTER_HEADERS, [*rows[:5], [None] * 15, *rows[5:]]
        )
    if fmt == "jsonl":
        keys = [
            "iname",
            "cardNum",
            "businessEntity",
            "sexy",
            "age",
            "courtName",
            "areaName",
            "gistId",
            "regDate",
            "caseCode",
            "gistUnit",
            "duty",
            "performance",
            "disruptTypeName",
            "publishDate",
        ]
        lines = [json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False) for row in rows]
        lines[4:4] = ["", "   "]
        (tmp_path / "gaps.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return tmp_path / "gaps.jsonl"
    return write_csv(
        tmp_path / "gaps.csv",
        DEFAULTER_HEADERS,
        [*rows[:3], [], *rows[3:9], [""] * 15, *rows[9:]],
        "gbk",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_resuming_from_any_checkpoint_yields_exactly_the_remaining_rows(
    tmp_path: Path, fmt: str
) -> None:
    path = _file_with_gaps(tmp_path, fmt)
    everything = [(row.location, row.raw) for row in rows_of(read_all(Config(path=path)))]
    assert len(everything) == 13
    for every in (1, 2, 3, 5, 13, 20):
        config = Config(path=path, checkpoint_every=every)
        items = read_all(config)
        for cut, item in enumerate(items):
            if not isinstance(item, Checkpoint):
                continue
            before = [(r.location, r.raw) for r in rows_of(items[:cut])]
            after = [(r.location, r.raw) for r in rows_of(read_all(config, item.state))]
            assert before + after == everything, (every, cut)


def test_a_finished_file_yields_only_its_final_checkpoint(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.xlsx", 4, format="xlsx")
    final = read_all(Config(path=path))[-1]
    again = read_all(Config(path=path), final.state)
    assert [type(item) for item in again] == [Checkpoint]
    assert again[0].state == final.state


def test_a_cursor_of_another_file_starts_from_the_beginning(tmp_path: Path) -> None:
    first = write_defaulters(tmp_path / "monday.csv", 4, format="csv", seed=1)
    second = write_defaulters(tmp_path / "tuesday.csv", 4, format="csv", seed=2)
    state = read_all(Config(path=first))[-1].state
    assert len(rows_of(read_all(Config(path=second), state))) == 4


def test_the_same_content_under_another_name_keeps_its_cursor(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.csv", 4, format="csv")
    state = read_all(Config(path=path, checkpoint_every=2))[2].state
    moved = path.rename(tmp_path / "renamed.csv")
    assert len(rows_of(read_all(Config(path=moved), state))) == 2


@pytest.mark.parametrize("offset", ["7", -1, None, True])
def test_a_cursor_this_connector_did_not_write_is_refused(tmp_path: Path, offset: Any) -> None:
    path = write_defaulters(tmp_path / "listing.csv", 2, format="csv")
    identity = read_all(Config(path=path))[-1].state["file"]
    with pytest.raises(ConfigError, match="cursor"):
        read_all(Config(path=path), {"file": identity, "offset": offset, "done": False})


# -- bad rows --------------------------------------------------------------------------------------


def test_unreadable_rows_become_rows_with_a_problem_and_reading_goes_on(tmp_path: Path) -> None:
    rows = [
        sample_row(案号="（2019）皖0104执1号"),
        sample_row(案号=""),
        sample_row(案号="（2019）皖0104执3号", 年龄="16"),
        sample_row(案号="（2019）皖0104执4号"),
    ]
    path = write_xlsx(tmp_path / "listing.xlsx", DEFAULTER_HEADERS, rows)
    read = rows_of(read_all(Config(path=path)))
    minor = (
        "年龄",
        "年龄 16: minors are never listed as 失信被执行人 (若干规定 第四条); "
        "the source must correct or delete this entry",
    )
    assert [row.problem for row in read] == [None, ("案号", "missing: 案号"), minor, None]
    assert read[1].location == "listing.xlsx:3"
    assert read[1].raw["被执行人姓名/名称"] == "张三"  # kept whole for the quarantine


def test_json_lines_that_are_not_objects_become_row_problems(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.jsonl", 2, format="jsonl")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n[1, 2]\n")
    read = rows_of(read_all(Config(path=path)))
    assert [row.problem for row in read[2:]] == [
        ("row", "not valid JSON"),
        ("row", "not a JSON object"),
    ]
    assert [row.location for row in read[2:]] == ["listing.jsonl:3", "listing.jsonl:4"]


# -- bad files and configs -------------------------------------------------------------------------


def _refused(config: Config, *fragments: str) -> None:
    with pytest.raises(ConfigError) as checked:
        connector.check(config)
    for fragment in fragments:
        assert fragment in checked.value.message
    # read() refuses it too, before yielding any row.
    items = connector.read(config, Stream(config.stream, ("案号",)), {})
    with pytest.raises(ConfigError):
        next(items)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    _refused(Config(path=tmp_path / "nowhere.csv"), "no such file")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    _refused(Config(path=tmp_path / "empty.csv"), "empty")


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    workbook = write_defaulters(tmp_path / "listing.xlsx", 2, format="xlsx")
    disguised = workbook.rename(tmp_path / "listing.csv")
    _refused(Config(path=disguised), "binary")


def test_a_csv_named_xlsx_is_refused(tmp_path: Path) -> None:
    text = write_defaulters(tmp_path / "listing.csv", 2, format="csv")
    _refused(Config(path=text.rename(tmp_path / "listing.xlsx")), "not an XLSX workbook")


def test_a_file_without_the_listing_headers_names_what_is_missing(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "other.csv", ["姓名", "案号", "金额"], [["张三", "（2019）皖0104执1号", "1"]]
    )
    _refused(
        Config(path=path),
        "被执行人姓名/名称",
        "身份证号码/组织机构代码",
        "发布时间/立案时间",
        "expected:",
    )


def test_a_listing_is_not_a_judgments_file(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.xlsx", 2, format="xlsx")
    _refused(Config(path=path, stream="judgments"), "被告机关名称", "统一社会信用代码", "履行情况")


def test_a_jsonl_file_whose_first_line_is_not_json_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "listing.jsonl", DEFAULTER_HEADERS, [sample_row()])
    _refused(Config(path=path), "is not JSON Lines: line 1 is not valid JSON")


def test_a_jsonl_file_without_the_api_keys_names_them(tmp_path: Path) -> None:
    (tmp_path / "listing.jsonl").write_text('{"name": "张三"}\n', encoding="utf-8")
    _refused(Config(path=tmp_path / "listing.jsonl"), "lacks the keys", "案号")


def test_an_unknown_stream_or_checkpoint_interval_is_refused(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.csv", 2, format="csv")
    _refused(
        Config(path=path, stream="verdicts"), "unknown stream 'verdicts'", "defaulters", "judgments"
    )
    _refused(Config(path=path, checkpoint_every=0), "checkpoint_every")


def test_reading_another_stream_than_configured_is_refused(tmp_path: Path) -> None:
    path = write_defaulters(tmp_path / "listing.csv", 2, format="csv")
    judgments = connector.discover(Config(path=path, stream="judgments"))[0]
    with pytest.raises(ConfigError, match="configured for stream 'defaulters'"):
        list(connector.read(Config(path=path), judgments, {}))


def test_the_config_is_a_frozen_dataclass_with_defaults() -> None:
    assert connector.spec() is Config
    assert connector.name == "court"
    config = Config(path=Path("x.csv"))
    assert (config.format, config.stream, config.checkpoint_every) == (None, "defaulters", 1000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.stream = "judgments"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (PermissionError(13, "Permission denied"), ConfigError),
        (OSError(5, "Input/output error"), TransientError),
    ],
)
def test_io_failures_are_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError, kind: type
) -> None:
    """A file the hub may not read is for the operator; a share that went away, a retry."""
    path = write_defaulters(tmp_path / "listing.csv", 2, format="csv")

    def unreadable(*_: object) -> None:
        raise failure

    monkeypatch.setattr("connectors.court.connector.open_tabular", unreadable)
    with pytest.raises(kind):
        connector.check(Config(path=path))
    with pytest.raises(kind):
        read_all(Config(path=path))
