"""`hub check --batch`: an HR officer screens a list before 评优评先, against the real databases."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from support import make_agency, make_id_number, make_uscc
from support import run_cli as run

from hub.checks.models import Check
from hub.errors import InvalidInput
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, SanctionKind, Severity
from hub.records.service import submit_records
from hub.screening.lists import read_batch

REFERENCE = "2026年度评优第1批"
WARNED = make_id_number(seq=201)  # 警告 2026-01-10: restricted through 2026-07-10
DEMERITED = make_id_number(seq=202)  # 记过 2025-06-01: restricted through 2026-06-01
LAPSED = make_id_number(seq=203)  # 警告 2025-01-10: over by 2026-03-01
UNKNOWN = make_id_number(seq=204)  # no record at all
BODY = make_uscc(seed=901)
BAD_ID = WARNED[:-1] + ("0" if WARNED[-1] != "0" else "1")  # a typo in the check digit
HEADER = ["序号", "姓名", "身份证号码", "统一社会信用代码", "备注"]
ROWS = [
    HEADER,
    ["1", "张三", WARNED, "", "办公室"],
    ["2", "李四", DEMERITED, "", ""],
    ["3", "王五", LAPSED, "", ""],
    ["", "", "", "", ""],
    ["4", "赵六", UNKNOWN, "", ""],
    ["5", "江州市某公司", "", BODY, "合作单位"],
    ["6", "钱七", BAD_ID, "", ""],
    ["7", "孙八", "", "", "未填证件号"],
]
# Spreadsheet row numbers (the header is row 1; the blank row 5 is skipped).
VALID = [(2, WARNED), (3, DEMERITED), (4, LAPSED), (6, UNKNOWN), (7, BODY)]
PERSONS = {WARNED: "张三", DEMERITED: "李四", LAPSED: "王五", UNKNOWN: "赵六"}
EXPECTED = {2: "RESTRICTED", 3: "RESTRICTED", 4: "CLEAR", 6: "CLEAR", 7: "CLEAR"}


@pytest.fixture
async def records(db, pii):
    async with db.sessions.begin() as session:
        agency = await make_agency(session, name="江州市纪委监委", seed=61)
        await submit_records(
            session,
            pii,
            agency_id=agency.id,
            actor="test",
            drafts=[
                _sanction(
                    "江纪政处〔2026〕1号", WARNED, "张三", SanctionKind.WARNING, date(2026, 1, 10)
                ),
                _sanction(
                    "江纪政处〔2025〕9号", DEMERITED, "李四", SanctionKind.DEMERIT, date(2025, 6, 1)
                ),
                _sanction(
                    "江纪政处〔2025〕2号", LAPSED, "王五", SanctionKind.WARNING, date(2025, 1, 10)
                ),
            ],
        )


def _sanction(ref, id_number, name, kind, decided):
    return RecordDraft(
        source_ref=ref,
        category=RecordCategory.GOVERNMENT_SANCTION,
        sanction_kind=kind,
        severity=Severity.MINOR,
        subject=SubjectDraft(id_number=id_number, name=name),
        decided_at=decided,
        summary="违反工作纪律",
    )


def write_xlsx(path: Path, rows) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


async def screen(env, source: Path, out: Path, *extra):
    return await run(
        env,
        "check",
        "--batch",
        source,
        "--purpose",
        "AWARD",
        "--reference",
        REFERENCE,
        "--out",
        out,
        "--as-of",
        "2026-03-01",
        *extra,
    )


def sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    finally:
        workbook.close()


def sheet_rows(path: Path, title: str) -> list[dict[object, object]]:
    header, *rows = sheets(path)[title]
    return [dict(zip(header, row, strict=True)) for row in rows]


def all_text(path: Path) -> str:
    return "\n".join(
        str(value)
        for rows in sheets(path).values()
        for row in rows
        for value in row
        if value is not None
    )


async def stored_checks(db) -> int:
    async with db.sessions() as session:
        query = select(func.count()).select_from(Check).where(Check.reference == REFERENCE)
        return int(await session.scalar(query) or 0)


# --- the whole screening, on both databases ------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "encoding", "format_shown"),
    [(".xlsx", None, "Excel"), (".csv", "utf-8-sig", "UTF-8"), (".csv", "gbk", "GB18030/GBK")],
)
async def test_a_list_is_screened_row_by_row_in_order(
    db, env, records, tmp_path, suffix, encoding, format_shown
):
    source = tmp_path / f"名单{suffix}"
    if encoding is None:
        write_xlsx(source, ROWS)
    else:
        write_csv(source, ROWS, encoding)
    result = await screen(env, source, tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    assert format_shown in result.output and "核查中" in result.output

    rows = sheet_rows(tmp_path / "out.xlsx", "核查结果")
    assert [r["行号"] for r in rows] == [row for row, _ in VALID]
    assert {r["行号"]: str(r["核查结论"]).split("(")[1].rstrip(")") for r in rows} == EXPECTED
    assert (
        rows[0]["核查结论"] == "受限 (RESTRICTED)" and rows[2]["核查结论"] == "未发现限制 (CLEAR)"
    )
    assert rows[4]["证件号码（脱敏）"] == BODY
    assert await stored_checks(db) == len(VALID)


async def test_batch_verdicts_agree_with_single_checks(db, env, records, tmp_path):
    result = await screen(env, write_xlsx(tmp_path / "in.xlsx", ROWS), tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    batch = {r["行号"]: r["核查结论"] for r in sheet_rows(tmp_path / "out.xlsx", "核查结果")}
    for row, id_number in VALID[:4]:
        single = await run(
            env, "check", "--purpose", "AWARD", "--id-number", id_number, "--as-of", "2026-03-01"
        )
        verdict = re.search(r"verdict: (\w+)", single.output)
        assert verdict is not None, single.output
        assert str(batch[row]).endswith(f"({verdict.group(1)})")


async def test_restricted_rows_give_rule_article_record_and_end(env, records, tmp_path):
    await screen(env, write_xlsx(tmp_path / "in.xlsx", ROWS), tmp_path / "out.xlsx")
    warned, demerited = sheet_rows(tmp_path / "out.xlsx", "核查结果")[:2]
    assert "AWARD-GOV-WARNING" in str(warned["适用规则"])
    assert "政务处分法》第八条" in str(warned["法律依据"])
    assert "江纪政处〔2026〕1号" in str(warned["记录文号"]) and "警告" in str(warned["记录文号"])
    assert warned["限制至"] == "2026-07-10" and warned["备注/提示"] == "办公室"
    assert "AWARD-GOV-DEMERIT" in str(demerited["适用规则"])
    assert demerited["限制至"] == "2026-06-01"


async def test_personal_data_is_masked_unless_asked_for(env, records, tmp_path):
    source = write_xlsx(tmp_path / "in.xlsx", ROWS)
    await screen(env, source, tmp_path / "masked.xlsx")
    text = all_text(tmp_path / "masked.xlsx")
    for id_number, name in PERSONS.items():
        assert id_number not in text and name not in text
    assert BAD_ID not in text
    first = sheet_rows(tmp_path / "masked.xlsx", "核查结果")[0]
    assert first["证件号码（脱敏）"] == WARNED[:6] + "********" + WARNED[-4:]
    assert first["姓名"] == "张*"

    shown = await screen(env, source, tmp_path / "clear.xlsx", "--show-pii")
    assert shown.exit_code == 0 and "personal data" in shown.output
    first = sheet_rows(tmp_path / "clear.xlsx", "核查结果")[0]
    assert first["证件号码"] == WARNED and first["姓名"] == "张三"


async def test_rows_that_cannot_be_read_are_listed_with_row_and_reason(env, records, tmp_path):
    result = await screen(env, write_xlsx(tmp_path / "in.xlsx", ROWS), tmp_path / "out.xlsx")
    problems = sheet_rows(tmp_path / "out.xlsx", "无法读取的行")
    assert [p["行号"] for p in problems] == [8, 9]
    assert problems[0]["列"] == "身份证号码" and "校验位不符" in str(problems[0]["原因"])
    assert "缺少身份证号码或统一社会信用代码" in str(problems[1]["原因"])
    assert "row 8 [身份证号码]" in result.output and "row 9" in result.output


async def test_the_about_sheet_states_purpose_reference_rules_and_counts(env, records, tmp_path):
    await screen(env, write_xlsx(tmp_path / "in.xlsx", ROWS), tmp_path / "out.xlsx")
    about = {r["项目"]: r["内容"] for r in sheet_rows(tmp_path / "out.xlsx", "说明")}
    assert about["核查用途"] == "评优评先 (AWARD)"
    assert about["核查事由（评选批次）"] == REFERENCE
    assert about["核查基准日"] == "2026-03-01" and about["规则集版本"]
    assert about["受限 (RESTRICTED)"] == 2 and about["未发现限制 (CLEAR)"] == 3
    assert about["无法读取的行"] == 2 and about["核查对象"] == 5


async def test_the_summary_counts_verdicts_and_names_the_output(env, records, tmp_path):
    out = tmp_path / "out.xlsx"
    result = await screen(env, write_xlsx(tmp_path / "in.xlsx", ROWS), out)
    assert re.search(r"受限 \(RESTRICTED\)\s*│\s*2", result.output), result.output
    assert re.search(r"未发现限制 \(CLEAR\)\s*│\s*3", result.output)
    assert re.search(r"unreadable rows\s*│\s*2", result.output)
    assert str(out) in result.output


async def test_checks_the_service_refuses_become_problem_rows(db, pii, tmp_path):
    from hub.auth.actor import Actor
    from hub.checks.purposes import Purpose
    from hub.checks.ruleset import current_ruleset
    from hub.screening.results import Screening, check_chunk

    items = read_batch(write_xlsx(tmp_path / "in.xlsx", ROWS)).items
    without_scope = Actor(client_id=None, agency_id=None, scopes=frozenset())
    screening = Screening(Purpose.AWARD, REFERENCE, date(2026, 3, 1))
    async with db.sessions.begin() as session:
        answered = await check_chunk(
            session, pii, current_ruleset(), without_scope, screening, items
        )
    assert answered.rows == []
    assert [p.row for p in answered.problems] == [row for row, _ in VALID]
    assert all("check:award" in p.reason for p in answered.problems)
    assert await stored_checks(db) == 0


# --- refusals: one clear line, nothing checked -----------------------------------------------


async def test_a_file_that_is_not_a_workbook_is_refused(db, env, tmp_path):
    source = tmp_path / "名单.xlsx"
    source.write_text("姓名,身份证号码\n张三,1\n", encoding="utf-8")
    result = await screen(env, source, tmp_path / "out.xlsx")
    assert result.exit_code == 1
    assert "could not be opened as an Excel workbook" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out.xlsx").exists()
    assert await stored_checks(db) == 0


async def test_a_list_without_the_headers_is_refused_naming_them(env, tmp_path):
    source = write_csv(tmp_path / "in.csv", [["张三", WARNED]], "utf-8")
    result = await screen(env, source, tmp_path / "out.xlsx")
    assert result.exit_code == 1
    assert "no header row" in result.output and "身份证号码 (id_number)" in result.output


async def test_an_unknown_extension_is_refused(env, tmp_path):
    source = tmp_path / "名单.txt"
    source.write_text("姓名,身份证号码\n", encoding="utf-8")
    result = await screen(env, source, tmp_path / "out.xlsx")
    assert result.exit_code == 1 and "unsupported file type .txt" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id-number", WARNED], "do not combine it with --id-number"),
        (["--out", "out.csv"], "--out must name an .xlsx workbook"),
        (["--out", "out.xlsx", "--reference", " "], "--batch needs --reference"),
        (["--reference", REFERENCE], "--batch needs --out"),
    ],
)
async def test_batch_usage_errors(env, tmp_path, args, message):
    source = write_xlsx(tmp_path / "in.xlsx", ROWS)
    result = await run(env, "check", "--purpose", "AWARD", "--batch", source, *args)
    assert result.exit_code == 2 and message in result.output


async def test_out_and_show_pii_need_batch(env):
    result = await run(env, "check", "--purpose", "AWARD", "--id-number", WARNED, "--show-pii")
    assert result.exit_code == 2 and "go with --batch" in result.output


# --- reading, without a database -------------------------------------------------------------


def test_english_headers_in_any_case_and_spacing(tmp_path):
    rows = [["Name", " ID Number ", "USCC", "NOTE"], ["Zhang San", WARNED, "", "x"]]
    batch = read_batch(write_csv(tmp_path / "in.csv", rows, "utf-8"))
    [item] = batch.items
    assert (item.row, item.name, item.note, item.subject.number) == (2, "Zhang San", "x", WARNED)
    assert batch.format == "CSV (UTF-8)"


def test_a_title_line_above_the_header_is_passed_over(tmp_path):
    rows = [["2026年度评优候选人名单"], ["姓名", "身份证号"], ["张三", WARNED]]
    [item] = read_batch(write_xlsx(tmp_path / "in.xlsx", rows)).items
    assert item.row == 3


def test_an_id_number_typed_into_a_number_cell_is_explained(tmp_path):
    rows = [["姓名", "身份证号码"], ["张三", float(WARNED[:-1] + "0")]]
    [problem] = read_batch(write_xlsx(tmp_path / "in.xlsx", rows)).problems
    assert problem.row == 2 and "15 位有效数字" in problem.reason


def test_full_width_digits_are_read(tmp_path):
    full_width = WARNED.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [["姓名", "身份证号码"], ["张三", full_width]]
    [item] = read_batch(write_csv(tmp_path / "in.csv", rows, "utf-8")).items
    assert item.subject.number == WARNED


def test_a_repeated_subject_is_checked_and_pointed_out(tmp_path):
    rows = [["姓名", "身份证号码"], ["张三", WARNED], ["张三", WARNED]]
    first, second = read_batch(write_csv(tmp_path / "in.csv", rows, "utf-8")).items
    assert first.duplicate_of is None and second.duplicate_of == 2


def test_both_identifiers_on_one_row_is_a_problem(tmp_path):
    rows = [["姓名", "身份证号码", "统一社会信用代码"], ["张三", WARNED, BODY]]
    [problem] = read_batch(write_csv(tmp_path / "in.csv", rows, "utf-8")).problems
    assert problem.column == "身份证号码/统一社会信用代码" and "只填一个" in problem.reason


def test_more_than_ten_thousand_rows_must_be_split(tmp_path):
    rows = [["身份证号码"], *([[WARNED]] * 10_001)]
    with pytest.raises(InvalidInput, match="split it"):
        read_batch(write_csv(tmp_path / "in.csv", rows, "utf-8"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"PK\x03\x04rest", "rename it to .xlsx"),
        ("姓名,身份证号码\n".encode("utf-16"), "not a CSV text file"),
        ("姓名,身份证号码\n".encode(), "no data rows"),
    ],
)
def test_csv_files_that_are_not_lists(tmp_path, content, message):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        read_batch(source)


def test_two_columns_for_the_same_identifier_are_refused(tmp_path):
    rows = [["身份证号", "证件号码"], [WARNED, WARNED]]
    with pytest.raises(InvalidInput, match="two columns mean the same thing"):
        read_batch(write_csv(tmp_path / "in.csv", rows, "utf-8"))


async def test_an_appraisal_list_takes_its_year_from_the_option_or_the_row(env, records, tmp_path):
    # 李四's 记过 of 2025-06-01: no grade for 2025, nothing for 2026.
    rows = [
        ["姓名", "身份证号码", "考核年度"],
        ["李四", DEMERITED, ""],
        ["李四", DEMERITED, "2026年"],
        ["李四", DEMERITED, "二〇二五"],
    ]
    source, out = write_xlsx(tmp_path / "in.xlsx", rows), tmp_path / "out.xlsx"
    result = await run(
        env, "check", "--batch", source, "--purpose", "APPRAISAL", "--reference", "2025年度考核",
        "--out", out, "--as-of", "2026-01-15", "--appraisal-year", "2025",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    results = sheet_rows(out, "核查结果")
    assert [(r["行号"], r["核查结论"]) for r in results] == [
        (2, "受限 (RESTRICTED)"),
        (3, "未发现限制 (CLEAR)"),
    ]
    assert "2025 年度考核：不确定等次" in results[0]["备注/提示"]
    [problem] = sheet_rows(out, "无法读取的行")
    assert (problem["行号"], problem["列"]) == (4, "考核年度")
    assert "四位年份" in problem["原因"]
    about = dict(sheets(out)["说明"][1:])
    assert about["考核年度"] == 2025


async def test_a_batch_builds_one_engine_and_reads_the_keys_once(
    env, records, tmp_path, monkeypatch
):
    # Counted, not mocked: the real functions run, a wrapper counts the calls.
    import hub.runtime

    calls = {"engines": 0, "keys": 0}
    real_engine, real_keys = hub.runtime.create_engine, hub.runtime.load_keys

    def counting_engine(*args, **kwargs):
        calls["engines"] += 1
        return real_engine(*args, **kwargs)

    def counting_keys(*args, **kwargs):
        calls["keys"] += 1
        return real_keys(*args, **kwargs)

    monkeypatch.setattr(hub.runtime, "create_engine", counting_engine)
    monkeypatch.setattr(hub.runtime, "load_keys", counting_keys)
    rows = [["姓名", "身份证号码"], *([["张三", WARNED]] * 1200)]  # three chunks of 500
    source, out = write_xlsx(tmp_path / "in.xlsx", rows), tmp_path / "out.xlsx"
    result = await screen(env, source, out)
    assert result.exit_code == 0, result.output
    assert calls == {"engines": 1, "keys": 1}
    assert len(sheet_rows(out, "核查结果")) == 1200
