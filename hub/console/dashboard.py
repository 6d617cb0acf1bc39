"""概览: records by category and source family over time, this agency's verdicts, its open
and overdue objections and repairs, source freshness and the ingest quarantine."""

from __future__ import annotations

from starlette.responses import Response

from hub.agencies.models import AgencyFamily
from hub.alerts.service import WARNING_SCOPES, open_by_level
from hub.alerts.states import WarningLevel
from hub.console import charts
from hub.console.pages import View, page
from hub.overview.service import overview
from hub.screening.results import FAMILY_LABELS


@page()
async def dashboard(view: View) -> Response:
    sees_warnings = any(view.actor.has(s) for s in WARNING_SCOPES)
    async with view.acting() as caller:
        figures = await overview(caller.session, view.actor.agency_id, view.runtime.today())
        warnings = await open_by_level(caller.session, view.actor) if sees_warnings else None
    families = [f for f in AgencyFamily if any(k[1] is f for k in figures.records_by_year)]
    by_year = {
        FAMILY_LABELS.get(f, f.value): [
            figures.records_by_year.get((y, f), 0) for y in figures.years
        ]
        for f in families
    }
    categories = {
        c.label: n for c, n in sorted(figures.records_by_category.items(), key=lambda i: -i[1])
    }
    verdicts = {v.label: n for v, n in figures.verdicts.items()}
    return view.render(
        "dashboard.html",
        figures=figures,
        warnings=warnings,
        levels=WarningLevel,
        family_labels=FAMILY_LABELS,
        by_year=by_year,
        categories=categories,
        verdicts=verdicts,
        year_chart=charts.stacked_bars(
            "各年度失信记录（按来源）", [str(y) for y in figures.years], by_year
        ),
        category_chart=charts.bars("失信记录类别", categories),
        verdict_chart=charts.bars("本单位近90天核查结论", verdicts) if verdicts else None,
    )
