"""诚信档案: a person's or organization's records with their history, the objections and
repairs, and the checks made about them. A read of a person states its purpose, like the
API's `person`, and is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from hub.agencies.models import Agency
from hub.audit.purposes import AccessPurpose, require_purpose
from hub.auth.scopes import OBJECTIONS_FILE, RECORDS_READ, RECORDS_READ_PII, REPAIR_APPLY
from hub.checks.models import Check
from hub.console.pages import View, page
from hub.errors import HubError, InvalidInput
from hub.lifecycle.archive import files_of
from hub.records.enums import ObjectionKind, SubjectType
from hub.records.service import records_of_subjects
from hub.subjects.identifiers import parse_id_number, parse_uscc
from hub.subjects.service import organizations_by_uscc, read_person

SHOWN_CHECKS = 50
EVENT_LABELS = {
    "CREATED": "报送",
    "UPDATED": "更新",
    "STATUS_CHANGED": "状态变更",
    "SUBJECT_CHANGED": "更正当事人",
    "SUBJECT_CORRECTED": "更正当事人",
    "OBJECTION_OPENED": "提出异议",
    "OBJECTION_ACKNOWLEDGED": "受理异议",
    "OBJECTION_UPHELD": "异议成立",
    "OBJECTION_REJECTED": "异议不成立",
    "OBJECTION_CORRECTED": "异议已更正",
    "OBJECTION_WITHDRAWN": "异议随记录撤销",
    "REPAIR_APPLIED": "申请信用修复",
    "REPAIR_APPROVED": "准予信用修复",
    "REPAIR_REJECTED": "不予信用修复",
    "REPAIR_WITHDRAWN": "修复申请随记录撤销",
    "PUBLICITY_ENDED": "公示期届满",
}
# What a console user may state when opening a person's archive.
ARCHIVE_PURPOSES = tuple(p for p in AccessPurpose if p is not AccessPurpose.PLATFORM_SYNC)


@page(needs=RECORDS_READ)
async def archive_page(view: View) -> Response:
    if not view.value("idNumber") and not view.value("uscc"):
        return _render(view, None)
    try:
        async with view.acting() as caller:
            found = await _archive(view, caller.session)
    except HubError as error:
        view.errors[(error.field or "idNumber").rsplit(".", 1)[-1]] = error.for_officers
        return _render(view, None, 400)
    return _render(view, found)


def _render(view: View, found: dict[str, Any] | None, status: int = 200) -> Response:
    return view.render(
        "archive.html",
        status,
        found=found,
        purposes=ARCHIVE_PURPOSES,
        kinds=list(ObjectionKind),
        may_object=view.actor.has(OBJECTIONS_FILE),
        may_repair=view.actor.has(REPAIR_APPLY),
        event_labels=EVENT_LABELS,
    )


async def _archive(view: View, session: Any) -> dict[str, Any]:
    pii = view.runtime.pii
    if view.value("idNumber"):
        purpose = _purpose(view.value("purpose"))
        stated = require_purpose(purpose, view.value("reference") or None)
        subject = parse_id_number(view.value("idNumber"), field="idNumber")
        person = await read_person(session, pii, subject, stated)
        if person is None:
            return {"known": False}
        shown = view.actor.has(RECORDS_READ_PII)
        name = pii.decrypt(person.name_cipher) if shown else person.name_masked
        number = subject.number if shown else person.id_masked
        records = (await records_of_subjects(session, SubjectType.PERSON, [person.id]))[person.id]
        key = person.id_hash
    else:
        uscc = parse_uscc(view.value("uscc"), field="uscc").code
        organization = (await organizations_by_uscc(session, [uscc])).get(uscc)
        if organization is None:
            return {"known": False}
        name, number = organization.name, organization.uscc
        records = (await records_of_subjects(session, SubjectType.ORGANIZATION, [organization.id]))[
            organization.id
        ]
        key = organization.uscc
    checks = await session.execute(
        select(Check, Agency.name)
        .outerjoin(Agency, Agency.id == Check.agency_id)
        .where(Check.subject_key == key)
        .order_by(Check.checked_at.desc())
        .limit(SHOWN_CHECKS)
    )
    sources = {a.id: a.name for a in await session.scalars(select(Agency))}
    return {
        "known": True,
        "name": name,
        "number": number,
        "files": await files_of(session, records),
        "checks": list(checks),
        "sources": sources,
    }


def _purpose(text: str) -> AccessPurpose:
    """A read of a person states why (PIPL Art. 6)."""
    if not text:
        raise InvalidInput("state a purpose", field="purpose", zh="查询个人档案须选择查询目的")
    try:
        return AccessPurpose(text)
    except ValueError as exc:
        raise InvalidInput("unknown purpose", field="purpose", zh="请选择查询目的") from exc
