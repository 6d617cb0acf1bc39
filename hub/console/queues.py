"""异议 and 信用修复 queues: for a source agency, what waits for its answer (deadlines,
overdue in red) with the decision form; for the filing agency, the state of what it filed.
Filing an objection or applying for a repair starts from a record in the 诚信档案."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from hub.auth.scopes import OBJECTIONS_FILE, OBJECTIONS_MANAGE, REPAIR_APPLY, REPAIR_DECIDE
from hub.console.pages import View, page, refusal_notice
from hub.errors import HubError, InvalidInput
from hub.objections.rules import OpenObjection, overdue
from hub.objections.service import (
    Filing,
    ObjectionFilter,
    Resolution,
    file_objection,
    list_objections,
    resolve,
)
from hub.records.enums import ObjectionKind, RepairState
from hub.records.models import CreditRecord
from hub.repairs.service import (
    Application,
    Decision,
    RepairFilter,
    apply_for_repair,
    decide,
    list_repairs,
)
from hub.subjects.service import rows_by

SHOWN = 100


@page()
async def objections_page(view: View) -> Response:
    mine = view.value("view", "queue" if view.actor.has(OBJECTIONS_MANAGE) else "filed") == "queue"
    today = view.runtime.today()
    async with view.acting() as caller:
        listed = await list_objections(
            caller.session,
            view.actor,
            ObjectionFilter(to_my_records=mine),
            today,
            first=SHOWN,
            after=None,
        )
        records = await rows_by(
            caller.session, CreditRecord.id, [o.record_id for o in listed.items]
        )
    return view.render(
        "objections.html",
        mine=mine,
        items=listed.items,
        records=records,
        today=today,
        overdue_ids={o.id for o in listed.items if overdue(OpenObjection.of(o), today)},
        may_answer=view.actor.has(OBJECTIONS_MANAGE),
        notice=view.value("notice"),
    )


@page(needs=OBJECTIONS_MANAGE)
async def resolve_objection(view: View) -> Response:
    objection_id = int(view.request.path_params["objection_id"])
    answer = view.value("answer")
    try:
        if answer not in ("upheld", "revoke", "rejected"):
            raise InvalidInput("choose an answer", field="answer", zh="请选择处理结果")
        resolution = Resolution(
            objection_id,
            upheld=answer != "rejected",
            reason=view.value("reason"),
            revoke=answer == "revoke",
        )
        async with view.acting() as caller:
            await resolve(
                caller.session, view.runtime.calendar, view.actor, resolution, view.runtime.today()
            )
    except HubError as error:
        return RedirectResponse(f"/objections?view=queue&notice={refusal_notice(error)}", 303)
    return RedirectResponse("/objections?view=queue&notice=已办结异议", 303)


@page(needs=OBJECTIONS_FILE)
async def file_objection_page(view: View) -> Response:
    try:
        record_id = _int(view.value("record"), "record")
        kind = ObjectionKind(view.value("kind") or "DATA_ERROR")
        async with view.acting() as caller:
            await file_objection(
                caller.session,
                view.runtime.pii,
                view.runtime.calendar,
                view.actor,
                Filing(record_id, kind, view.value("reason")),
                view.runtime.today(),
            )
    except (HubError, ValueError) as error:
        return RedirectResponse(f"/objections?view=filed&notice={refusal_notice(error)}", 303)
    return RedirectResponse("/objections?view=filed&notice=异议已提交，已转来源单位处理", 303)


@page()
async def repairs_page(view: View) -> Response:
    mine = view.value("view", "queue" if view.actor.has(REPAIR_DECIDE) else "filed") == "queue"
    async with view.acting() as caller:
        listed = await list_repairs(
            caller.session, view.actor, RepairFilter(to_my_records=mine), first=SHOWN, after=None
        )
        records = await rows_by(
            caller.session, CreditRecord.id, [a.record_id for a in listed.items]
        )
    return view.render(
        "repairs.html",
        mine=mine,
        items=listed.items,
        records=records,
        pending=RepairState.PENDING,
        may_decide=view.actor.has(REPAIR_DECIDE),
        notice=view.value("notice"),
    )


@page(needs=REPAIR_DECIDE)
async def decide_repair_page(view: View) -> Response:
    application_id = int(view.request.path_params["application_id"])
    try:
        approve = {"approve": True, "reject": False}.get(view.value("answer"))
        if approve is None:
            raise InvalidInput("choose", field="answer", zh="请选择是否准予修复")
        async with view.acting() as caller:
            await decide(
                caller.session,
                view.actor,
                Decision(application_id, approve, view.value("reason")),
                view.runtime.today(),
            )
    except HubError as error:
        return RedirectResponse(f"/repairs?view=queue&notice={refusal_notice(error)}", 303)
    return RedirectResponse("/repairs?view=queue&notice=已作出修复决定", 303)


@page(needs=REPAIR_APPLY)
async def apply_repair_page(view: View) -> Response:
    try:
        application = Application(
            record_id=_int(view.value("record"), "record"),
            commitment=view.value("commitment"),
            obligations_fulfilled=view.value("fulfilled") == "on",
        )
        async with view.acting() as caller:
            await apply_for_repair(
                caller.session,
                view.runtime.pii,
                view.runtime.calendar,
                view.runtime.ruleset,
                view.actor,
                application,
                view.runtime.today(),
            )
    except HubError as error:
        return RedirectResponse(f"/repairs?view=filed&notice={refusal_notice(error)}", 303)
    return RedirectResponse("/repairs?view=filed&notice=修复申请已提交", 303)


def _int(text: str, field: str) -> int:
    if not text.isdigit():
        raise InvalidInput("not a record", field=field, zh="记录编号不正确")
    return int(text)
