"""核查: one person or organization, with the verdict and its reasons; the report to print."""

from __future__ import annotations

from starlette.responses import Response

from hub import clock
from hub.agencies.models import Agency
from hub.auth.scopes import CHECK_SCOPES
from hub.checks.purposes import Purpose
from hub.checks.reports import report_document
from hub.checks.service import CheckRequest, run_check
from hub.console import forms
from hub.console.pages import View, page
from hub.errors import HubError, InvalidInput
from hub.subjects.identifiers import IdNumber, Uscc, parse_id_number, parse_uscc
from hub.web.report_page import report_context


@page(needs=frozenset(CHECK_SCOPES))
async def check_page(view: View) -> Response:
    purposes = forms.purposes_for(view)
    if view.form is None:
        return view.render("check.html", purposes=purposes, today=clock.today(), result=None)
    try:
        request = _request(view, purposes)
    except HubError as error:
        view.errors[error.field or "subject"] = error.for_officers
        return view.render("check.html", 400, purposes=purposes, today=clock.today(), result=None)
    try:
        async with view.acting() as caller:
            outcome = await run_check(
                caller.session, view.runtime.pii, view.runtime.ruleset, view.actor, request
            )
            agency = await caller.session.get(Agency, view.actor.agency_id)
    except HubError as error:
        view.errors[_form_field(error.field)] = error.for_officers
        return view.render("check.html", 400, purposes=purposes, today=clock.today(), result=None)
    document = report_document(outcome.check, agency)
    return view.render(
        "check.html",
        purposes=purposes,
        today=clock.today(),
        result=report_context(document),
    )


def _request(view: View, purposes: list[Purpose]) -> CheckRequest:
    """The form as a check request; each problem names the form field it is about."""
    chosen = forms.purpose(view, purposes)
    return CheckRequest(
        purpose=chosen,
        subject=_subject(view),
        reference=forms.reference(view),
        as_of=forms.as_of(view),
        name=view.value("name") or None,
        appraisal_year=forms.appraisal_year(view, chosen),
    )


def _subject(view: View) -> IdNumber | Uscc:
    number, code = view.value("idNumber"), view.value("uscc")
    if number and code:
        raise InvalidInput(
            "one subject", field="idNumber", zh="身份证号码与统一社会信用代码只填一项"
        )
    if number:
        return parse_id_number(number, field="idNumber")
    if code:
        return parse_uscc(code, field="uscc")
    raise InvalidInput(
        "a subject is required", field="idNumber", zh="请填写身份证号码或统一社会信用代码"
    )


def _form_field(field: str | None) -> str:
    """A service's field name as the form names it (`subject.idNumber` → idNumber)."""
    if not field:
        return "subject"
    return field.rsplit(".", 1)[-1]
