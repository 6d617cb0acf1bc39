"""The evaluation as the workbook a 考核 office circulates: 评价结果 (rank, unit, score,
grade, points per indicator), 得分依据 (each score's evidence) and 指标说明 (the indicator
system with weights and basis). Written by `hub evaluate --xlsx` and the console alike."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hub.evaluation.indicators import IndicatorSystem
from hub.evaluation.scoring import Status
from hub.evaluation.service import Evaluation, Level

_HEADER = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_STATUS = {Status.SCORED: "计分", Status.NOT_APPLICABLE: "不适用", Status.PENDING_INPUT: "待录入"}


def evaluation_workbook(evaluation: Evaluation, system: IndicatorSystem) -> bytes:
    book = Workbook()
    results = book.active
    assert results is not None
    results.title = "评价结果"
    _results(results, evaluation, system)
    _evidence(book.create_sheet("得分依据"), evaluation, system)
    _about(book.create_sheet("指标说明"), system)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _unit_word(evaluation: Evaluation) -> str:
    return "单位" if evaluation.level is Level.AGENCY else "地区"


def _results(sheet: Any, evaluation: Evaluation, system: IndicatorSystem) -> None:
    unit = _unit_word(evaluation)
    sheet.append([f"{system.title} · {evaluation.period} 年度政务诚信评价结果（按{unit}）"])
    published = (
        f"已于 {evaluation.published_at:%Y-%m-%d} 发布"
        if evaluation.published_at
        else "未发布（按当前数据计算）"
    )
    sheet.append([f"数据截至 {evaluation.as_of}；指标版本 {evaluation.version}；{published}"])
    header = ["排名", unit, "代码", "总分", "等次", "待录入项"]
    header += [f"{i.id} {i.name}（{i.weight:g}分）" for i in system.indicators]
    sheet.append(header)
    for u in evaluation.units:
        points = {r.indicator_id: r for r in u.indicators}
        row: list[object] = [u.rank, u.name, u.code, u.score, u.grade_label, u.pending]
        for indicator in system.indicators:
            found = points.get(indicator.id)
            if found is None or found.points is None:
                row.append(_STATUS[found.status] if found else "")
            else:
                row.append(found.points)
        sheet.append(row)
    _style(sheet, header_row=3, widths=[6, 30, 22, 8, 8, 8] + [14] * len(system.indicators))


def _evidence(sheet: Any, evaluation: Evaluation, system: IndicatorSystem) -> None:
    sheet.append([_unit_word(evaluation), "指标", "状态", "原始值", "得分", "说明", "依据"])
    names = {i.id: i.name for i in system.indicators}
    for u in evaluation.units:
        for r in u.indicators:
            if r.status is Status.NOT_APPLICABLE and not r.evidence:
                continue
            sheet.append(
                [
                    u.name,
                    f"{r.indicator_id} {names.get(r.indicator_id, '')}",
                    _STATUS[r.status],
                    r.value,
                    r.points,
                    r.detail,
                    "\n".join(e.label for e in r.evidence),
                ]
            )
    _style(sheet, header_row=1, widths=[30, 30, 8, 10, 8, 30, 80])


def _about(sheet: Any, system: IndicatorSystem) -> None:
    sheet.append(["编号", "维度", "指标", "分值", "计分方式", "依据"])
    for i in system.indicators:
        sheet.append(
            [i.id, system.dimensions[i.dimension], i.name, i.weight, i.scoring.value, i.basis]
        )
    sheet.append([])
    sheet.append(["等次", "、".join(f"{g.label} ≥ {g.min_score:g}" for g in system.grades)])
    _style(sheet, header_row=1, widths=[8, 14, 36, 8, 10, 90])


def _style(sheet: Any, header_row: int, widths: list[int]) -> None:
    for cell in sheet[header_row]:
        cell.font, cell.fill = _HEADER, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
