"""诚信评价, 监测预警, 承诺台账 and 失信线索 in the console: the same services as the API, with
the signed-in person's actor. The evaluation page draws the ranking, the region comparison
and the quarterly trend, and offers the workbook a 考核 office circulates."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from hub.agencies.models import Agency
from hub.alerts import service as alerts
from hub.auth.scopes import (
    ADMIN,
    CLUES_MANAGE,
    COMMITMENTS_MANAGE,
    EVALUATION_MANAGE,
    EVALUATION_READ,
    RECORDS_READ_PII,
)
from hub.clues import service as clues
from hub.clues.models import ClueChannel, ClueState
from hub.commitments import service as commitments
from hub.commitments.models import CommitmentKind, CommitmentState
from hub.console.charts import bars, lines
from hub.console.pages import View, page, refusal_notice
from hub.errors import HubError, InvalidInput
from hub.evaluation import service as evaluation
from hub.evaluation.indicators import current_system
from hub.evaluation.periods import Period, parse_period
from hub.evaluation.workbook import evaluation_workbook
from hub.subjects.service import rows_by

SHOWN = 100
READERS = frozenset({EVALUATION_READ, EVALUATION_MANAGE, ADMIN})


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}{'&' if '?' in path else '?'}notice={notice}", 303)


def _chosen(view: View) -> tuple[Period, evaluation.Level]:
    period = parse_period(view.value("period") or str(view.runtime.today().year))
    level = evaluation.Level.REGION if view.value("level") == "REGION" else evaluation.Level.AGENCY
    return period, level


async def _trend(
    session: AsyncSession, period: Period, today: date, unit: str | None
) -> dict[str, list[float | None]]:
    """Per quarter of the period's year: the mean agency score, and the chosen unit's."""
    mean: list[float | None] = []
    mine: list[float | None] = []
    for quarter in parse_period(period.name[:4]).quarters():
        if quarter.start > today:
            mean.append(None)
            mine.append(None)
            continue
        result = await evaluation.evaluate(session, quarter, evaluation.Level.AGENCY, today)
        scores = [u.score for u in result.units]
        mean.append(round(sum(scores) / len(scores), 2) if scores else None)
        mine.append(next((u.score for u in result.units if u.code == unit), None))
    series = {"全部单位平均": mean}
    if unit:
        series["所选单位"] = mine
    return series


@page(needs=READERS)
async def evaluation_page(view: View) -> Response:
    today = view.runtime.today()
    try:
        period, level = _chosen(view)
    except InvalidInput as error:
        view.errors["period"] = error.for_officers
        period, level = parse_period(str(today.year)), evaluation.Level.AGENCY
    unit_code = view.value("unit") or None
    async with view.acting() as caller:
        result = await evaluation.evaluate(caller.session, period, level, today)
        regions = (
            result
            if level is evaluation.Level.REGION
            else await evaluation.evaluate(caller.session, period, evaluation.Level.REGION, today)
        )
        trend = await _trend(caller.session, period, today, unit_code)
    system = current_system()
    unit = next((u for u in result.units if u.code == unit_code), None)
    quarters = [f"{q + 1}季度" for q in range(4)]
    return view.render(
        "evaluation.html",
        result=result,
        system=system,
        names={i.id: i.name for i in system.indicators},
        weights={i.id: i.weight for i in system.indicators},
        manual=[i for i in system.indicators if i.manual],
        unit=unit,
        period=period,
        level=level.value,
        ranking=bars(
            f"{result.period} 政务诚信评价得分",
            {u.name: u.score for u in result.units},
            row_height=18,
        ),
        region_chart=bars("各地区得分", {u.name: u.score for u in regions.units}),
        region_rows=regions.units,
        trend_chart=lines(f"{period.name[:4]} 年各季度得分", quarters, trend),
        trend=trend,
        quarters=quarters,
        may_manage=view.actor.has(EVALUATION_MANAGE),
        finished=period.end < today,
        notice=view.value("notice"),
    )


@page(needs=READERS)
async def evaluation_workbook_page(view: View) -> Response:
    try:
        period, level = _chosen(view)
    except InvalidInput as error:
        return _back("/evaluation", refusal_notice(error))
    async with view.acting() as caller:
        result = await evaluation.evaluate(caller.session, period, level, view.runtime.today())
    name = quote(
        f"政务诚信评价-{result.period}-{'地区' if level.value == 'REGION' else '单位'}.xlsx"
    )
    return Response(
        evaluation_workbook(result, current_system()),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@page(needs=EVALUATION_MANAGE)
async def enter_value_page(view: View) -> Response:
    back = f"/evaluation?period={quote(view.value('period'))}&unit={quote(view.value('agency'))}"
    try:
        percent = float(view.value("percent"))
    except ValueError:
        return _back(back, refusal_notice(InvalidInput("a number", zh="得分率应为 0 至 100 的数")))
    try:
        async with view.acting() as caller:
            await evaluation.enter_value(
                caller.session,
                view.actor,
                parse_period(view.value("period")),
                view.value("indicator"),
                view.value("agency"),
                percent,
                view.value("note"),
            )
    except HubError as error:
        return _back(back, refusal_notice(error))
    return _back(back, quote("已录入"))


@page(needs=EVALUATION_MANAGE)
async def publish_page(view: View) -> Response:
    back = f"/evaluation?period={quote(view.value('period'))}&level={quote(view.value('level'))}"
    try:
        period, level = _chosen(view)
        async with view.acting() as caller:
            await evaluation.publish(
                caller.session, view.actor, period, level, view.runtime.today()
            )
    except HubError as error:
        return _back(back, refusal_notice(error))
    return _back(back, quote("评价结果已发布"))


async def _agency_names(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    return {i: a.name for i, a in (await rows_by(session, Agency.id, ids)).items()}


@page(needs=frozenset(alerts.WARNING_SCOPES))
async def warnings_page(view: View) -> Response:
    show_all = view.value("all") == "1"
    async with view.acting() as caller:
        listed = await alerts.list_warnings(
            caller.session,
            view.actor,
            alerts.WarningFilter(open_only=not show_all),
            first=SHOWN,
            after=None,
        )
        names = await _agency_names(caller.session, [w.agency_id for w in listed.items])
    return view.render(
        "warnings.html",
        items=listed.items,
        names=names,
        show_all=show_all,
        may_handle_all=view.actor.has(EVALUATION_MANAGE) or view.actor.has(ADMIN),
        notice=view.value("notice"),
    )


@page(needs=frozenset(alerts.WARNING_SCOPES))
async def handle_warning_page(view: View) -> Response:
    warning_id = int(view.request.path_params["warning_id"])
    step = view.request.path_params["step"]
    if step not in ("acknowledge", "close"):
        return view.render("not_found.html", 404)
    try:
        async with view.acting() as caller:
            if step == "acknowledge":
                await alerts.acknowledge(caller.session, view.actor, warning_id)
            else:
                await alerts.close(caller.session, view.actor, warning_id, view.value("note"))
    except HubError as error:
        return _back("/warnings", refusal_notice(error))
    return _back("/warnings", quote("已知悉" if step == "acknowledge" else "预警已关闭"))


@page(needs=frozenset({COMMITMENTS_MANAGE, EVALUATION_READ, ADMIN}))
async def commitments_page(view: View) -> Response:
    today = view.runtime.today()
    async with view.acting() as caller:
        listed = await commitments.list_commitments(
            caller.session,
            view.actor,
            commitments.CommitmentFilter(),
            today,
            first=SHOWN,
            after=None,
        )
        names = await _agency_names(caller.session, [c.agency_id for c in listed.items])
    return view.render(
        "commitments.html",
        items=listed.items,
        names=names,
        today=today,
        overdue={c.id for c in listed.items if commitments.overdue(c, today)},
        kinds=list(CommitmentKind),
        open_state=CommitmentState.OPEN,
        may_record=view.actor.has(COMMITMENTS_MANAGE),
        own_agency=view.actor.agency_id,
        notice=view.value("notice"),
    )


def _date(view: View, name: str, zh: str) -> date:
    try:
        return date.fromisoformat(view.value(name))
    except ValueError:
        raise InvalidInput("a date", field=name, zh=f"请填写{zh}（年-月-日）") from None


@page(needs=COMMITMENTS_MANAGE)
async def record_commitment_page(view: View) -> Response:
    try:
        draft = commitments.CommitmentDraft(
            CommitmentKind(view.value("kind")),
            view.value("counterparty"),
            view.value("content"),
            _date(view, "made_on", "承诺日期"),
            _date(view, "due_on", "兑现期限"),
        )
        async with view.acting() as caller:
            await commitments.record_commitment(
                caller.session, view.actor, draft, view.runtime.today()
            )
    except (HubError, ValueError) as error:
        return _back("/commitments", refusal_notice(error))
    return _back("/commitments", quote("承诺已登记"))


@page(needs=COMMITMENTS_MANAGE)
async def fulfil_commitment_page(view: View) -> Response:
    commitment_id = int(view.request.path_params["commitment_id"])
    try:
        fulfilled_on = _date(view, "fulfilled_on", "兑现日期")
        async with view.acting() as caller:
            await commitments.report_fulfilled(
                caller.session,
                view.actor,
                commitment_id,
                fulfilled_on,
                view.value("evidence"),
                view.runtime.today(),
            )
    except HubError as error:
        return _back("/commitments", refusal_notice(error))
    return _back("/commitments", quote("已报告兑现"))


@page(needs=frozenset({CLUES_MANAGE, EVALUATION_READ, ADMIN}))
async def clues_page(view: View) -> Response:
    today = view.runtime.today()
    async with view.acting() as caller:
        listed = await clues.list_clues(
            caller.session, view.actor, clues.ClueFilter(), today, first=SHOWN, after=None
        )
        names = await _agency_names(caller.session, [c.agency_id for c in listed.items])
        # The contact in clear only for the PII role, each read audited (as in the API).
        contacts = {
            c.id: clues.reporter_contact(caller.session, view.runtime.pii, view.actor, c)
            for c in listed.items
        }
    return view.render(
        "clues.html",
        items=listed.items,
        names=names,
        contacts=contacts,
        overdue={c.id for c in listed.items if clues.overdue(c, today)},
        channels=list(ClueChannel),
        open_state=ClueState.OPEN,
        may_take=view.actor.has(CLUES_MANAGE),
        shows_pii=view.actor.has(RECORDS_READ_PII),
        own_agency=view.actor.agency_id,
        notice=view.value("notice"),
    )


@page(needs=CLUES_MANAGE)
async def report_clue_page(view: View) -> Response:
    try:
        report = clues.ClueReport(
            ClueChannel(view.value("channel")),
            view.value("agency"),
            view.value("content"),
            view.value("contact") or None,
        )
        async with view.acting() as caller:
            await clues.report_clue(
                caller.session,
                view.runtime.pii,
                view.runtime.calendar,
                view.actor,
                report,
                view.runtime.today(),
            )
    except (HubError, ValueError) as error:
        return _back("/clues", refusal_notice(error))
    return _back("/clues", quote("线索已登记并转办"))


@page(needs=CLUES_MANAGE)
async def decide_clue_page(view: View) -> Response:
    clue_id = int(view.request.path_params["clue_id"])
    verdict = {"verified": True, "dismissed": False}.get(view.value("answer"))
    try:
        if verdict is None:
            raise InvalidInput("choose", field="answer", zh="请选择核查结论")
        async with view.acting() as caller:
            await clues.decide_clue(
                caller.session, view.actor, clue_id, verdict, view.value("reason")
            )
    except HubError as error:
        return _back("/clues", refusal_notice(error))
    return _back("/clues", quote("线索已办结"))
