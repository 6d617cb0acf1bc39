"""The console's work, through real HTTP to the ASGI app on both databases: a check with
its reasons, its report and public verification, a screened list, an objection across two
agencies, and the admin page."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import date

import openpyxl
from console_support import check_form, csrf_of, form_token, person_with_roles, sign_in
from factories import person, record, submit
from sqlalchemy import select
from support import make_id_number

from hub.agencies.models import AgencyFamily
from hub.audit.models import AuditEvent, PendingAccess
from hub.checks.models import Check
from hub.objections.models import Objection
from hub.records.enums import ObjectionState

DEMOTED = person(41, "陈雅婷")
CLEAN = person(42, "李明远")


async def _seed(http, db):
    await submit(
        http,
        db,
        [
            record(
                "江监政处〔2026〕97号",
                DEMOTED,
                kind="DEMOTION",
                severity="SERIOUS",
                decided="2026-06-15",
                summary="违反工作纪律，给予降级处分",
            )
        ],
    )


async def _accessors(db) -> set[str | None]:
    async with db.sessions() as session:
        sealed = set(await session.scalars(select(AuditEvent.client_id)))
        pending = set(await session.scalars(select(PendingAccess.client_id)))
    return sealed | pending


async def test_a_check_shows_the_verdict_and_its_reasons_and_is_stored_as_the_officers(http, db):
    await _seed(http, db)
    await person_with_roles(db, "wangmin", "checker")
    await sign_in(http, "wangmin")
    answer = await check_form(http, DEMOTED["idNumber"], "AWARD", "2026年度评优第1批")
    assert answer.status_code == 200
    assert re.search(r'id="verdict">\s*受限', answer.text)
    assert "江监政处〔2026〕97号" in answer.text and "2028-06-15" in answer.text
    # Masked: the checker holds no PII role; the typed number is not echoed back in clear.
    assert DEMOTED["idNumber"] not in answer.text.replace(f'value="{DEMOTED["idNumber"]}"', "")
    async with db.sessions() as session:
        stored = await session.scalar(select(Check))
    assert stored is not None and stored.checked_by == "user:wangmin"
    assert stored.client_id is None and stored.reference == "2026年度评优第1批"
    assert "user:wangmin" in await _accessors(db)


async def test_a_bad_id_number_is_named_next_to_its_field_and_nothing_is_stored(http, db):
    await person_with_roles(db, "wangmin", "checker")
    await sign_in(http, "wangmin")
    answer = await check_form(http, "36120219880512", "HIRING", "x")
    assert answer.status_code == 400
    assert 'id="idNumber-error"' in answer.text and "所填为14位" in answer.text
    async with db.sessions() as session:
        assert await session.scalar(select(Check)) is None


async def test_the_printed_reports_code_verifies_on_the_public_page_and_a_wrong_one_does_not(
    http, db, serve
):
    await _seed(http, db)
    await person_with_roles(db, "wangmin", "checker")
    await sign_in(http, "wangmin")
    answer = await check_form(http, CLEAN["idNumber"], "HIRING", "招录2026-1")
    report_path = re.search(r'href="(/report/[^"]+)"', answer.text).group(1)
    report = await http.get(report_path)
    assert report.status_code == 200 and "<svg" in report.text  # the QR code
    link = re.search(r'id="verify-link">([^<]+)<', report.text).group(1).replace("&amp;", "&")
    code = re.search(r'id="verification-code">([^<]+)<', report.text).group(1)
    async with serve() as hub:  # anyone: no session, no token
        valid = await hub.http.get(link.replace("http://hub.test", ""))
        assert valid.status_code == 200 and "报告真实有效" in valid.text
        wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
        forged = await hub.http.get(link.replace(code, wrong).replace("http://hub.test", ""))
        assert forged.status_code == 404 and "验证未通过" in forged.text
        jws = re.search(r'id="token">([^<]+)<', report.text).group(1)
        pasted = await hub.http.post("/verify", data={"token": jws})
        assert pasted.status_code == 200 and "报告真实有效" in pasted.text
        tampered = await hub.http.post("/verify", data={"token": jws[:-4] + "AAAA"})
        assert "验证未通过" in tampered.text


async def test_another_agencys_report_is_not_found(http, db, serve):
    await _seed(http, db)
    await person_with_roles(db, "wangmin", "checker")
    await person_with_roles(db, "other", "checker", agency_seed=9)
    await sign_in(http, "wangmin")
    answer = await check_form(http, CLEAN["idNumber"], "HIRING", "r")
    report_path = re.search(r'href="(/report/[^"]+)"', answer.text).group(1)
    async with serve() as hub:
        await sign_in(hub.http, "other")
        assert (await hub.http.get(report_path)).status_code == 404


def _csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["姓名", "身份证号码", "备注"])
    writer.writerow(["陈雅婷", DEMOTED["idNumber"], "候选人"])
    writer.writerow(["错号", "12345", ""])
    for i in range(rows - 2):
        number = make_id_number(birth=date(1970 + i // 800, 3, 1), seq=100 + i % 800)
        writer.writerow([f"候选人{i}", number, ""])
    return buffer.getvalue().encode("utf-8-sig")


async def test_a_list_is_screened_in_the_background_with_progress_and_masked_results(http, db):
    await _seed(http, db)
    await person_with_roles(db, "wangmin", "checker")
    await sign_in(http, "wangmin")
    token = await form_token(http, "/batch")
    started = await http.post(
        "/batch",
        data={"csrf_token": token, "purpose": "AWARD", "reference": "2026年度评优第1批"},
        files={"file": ("名单.csv", _csv(1000), "text/csv")},
    )
    assert started.status_code == 303
    job = started.headers["location"]
    progress: dict = {}
    for _ in range(600):
        progress = (await http.get(f"{job}/progress")).json()
        if progress["state"] != "RUNNING":
            break
        await asyncio.sleep(0.05)
    assert progress == {"state": "DONE", "done": 999, "total": 999, "percent": 100}
    page = await http.get(job)
    assert 'value="100"' in page.text and "下载核查结果" in page.text
    assert "12345" not in page.text or "行号" in page.text  # the unreadable row is listed by row
    result = await http.get(f"{job}/result.xlsx")
    assert result.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(result.content), read_only=True)
    assert workbook.sheetnames == ["核查结果", "无法读取的行", "说明"]
    rows = list(workbook["核查结果"].iter_rows(values_only=True))
    assert len(rows) == 1 + 999
    demoted = next(r for r in rows[1:] if r[0] == 2)
    assert demoted[2] != DEMOTED["idNumber"] and "*" in demoted[2]  # masked
    assert "受限" in demoted[4]
    assert len(list(workbook["无法读取的行"].iter_rows(values_only=True))) == 2
    async with db.sessions() as session:
        stored = list(await session.scalars(select(Check.checked_by)))
    assert len(stored) == 999 and set(stored) == {"user:wangmin"}


async def test_a_file_that_is_not_a_list_is_refused_next_to_the_file_field(http, db):
    await person_with_roles(db, "wangmin", "checker")
    await sign_in(http, "wangmin")
    token = await form_token(http, "/batch")
    answer = await http.post(
        "/batch",
        data={"csrf_token": token, "purpose": "AWARD", "reference": "批次"},
        files={"file": ("名单.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert answer.status_code == 400 and 'id="file-error"' in answer.text


async def test_an_objection_filed_by_one_agency_is_resolved_by_the_source_agency(http, db, serve):
    await _seed(http, db)
    await person_with_roles(db, "wangmin", "checker,pii")
    await person_with_roles(
        db, "handler", "objection-handler", agency_seed=5, family=AgencyFamily.DISCIPLINE
    )
    await sign_in(http, "wangmin")
    archive = await http.get(
        "/archive",
        params={"idNumber": DEMOTED["idNumber"], "purpose": "AWARD", "reference": "评优"},
    )
    assert archive.status_code == 200 and "陈雅婷" in archive.text  # PII role: in clear
    record_id = re.search(r'name="record" value="(\d+)"', archive.text).group(1)
    filed = await http.post(
        "/objections/file",
        data={
            "csrf_token": csrf_of(archive),
            "record": record_id,
            "kind": "DATA_ERROR",
            "reason": "处分决定日期有误",
        },
    )
    assert filed.status_code == 303 and "异议已提交" in _unquoted(filed.headers["location"])
    async with serve() as hub:
        await sign_in(hub.http, "handler")
        queue = await hub.http.get("/objections?view=queue")
        assert "处分决定日期有误" in queue.text
        objection_id = re.search(r'action="/objections/(\d+)/resolve"', queue.text).group(1)
        resolved = await hub.http.post(
            f"/objections/{objection_id}/resolve",
            data={"csrf_token": csrf_of(queue), "answer": "rejected", "reason": "经核对，日期无误"},
        )
        assert "已办结" in _unquoted(resolved.headers["location"])
    async with db.sessions() as session:
        objection = await session.scalar(select(Objection))
    assert objection is not None and objection.state is ObjectionState.REJECTED
    assert objection.filed_by == "user:wangmin" and objection.resolved_by == "user:handler"
    filed_view = await http.get("/objections?view=filed")
    assert "异议不成立" in filed_view.text


async def test_the_admin_adds_a_user_and_a_client_whose_secret_is_shown_once(http, db):
    agency = await person_with_roles(db, "root", "admin")
    await sign_in(http, "root")
    page = await http.get("/admin")
    added = await http.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "login": "newcomer",
            "displayName": "新同事",
            "agency": agency.uscc,
            "roles": ["checker"],
            "password": "Welcome-Pass-2026",
        },
    )
    assert added.status_code == 200 and "已添加用户 newcomer" in added.text
    issued = await http.post(
        "/admin/clients",
        data={
            "csrf_token": csrf_of(page),
            "clientName": "采购系统",
            "clientAgency": agency.uscc,
            "scopes": "check:procurement",
        },
    )
    secret = re.search(r'id="issued-secret">([^<]+)<', issued.text).group(1)
    again = await http.get("/admin")
    assert secret not in again.text
    bad = await http.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "login": "Bad Login",
            "displayName": "x",
            "agency": agency.uscc,
            "roles": ["checker"],
            "password": "Welcome-Pass-2026",
        },
    )
    assert bad.status_code == 400 and 'id="login-error"' in bad.text


async def test_the_dashboard_counts_this_agencys_open_objections(http, db):
    await _seed(http, db)
    await person_with_roles(
        db, "handler", "objection-handler", agency_seed=5, family=AgencyFamily.DISCIPLINE
    )
    await sign_in(http, "handler")
    home = await http.get("/")
    assert home.status_code == 200
    assert re.search(r'id="objections-open">0<', home.text)
    assert "data:image/svg+xml;base64," in home.text


def _unquoted(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


async def test_the_admin_changes_a_users_roles_and_they_apply_at_the_next_page(http, db, serve):
    await person_with_roles(db, "root", "admin")
    await person_with_roles(db, "clerk", "objection-handler")
    async with serve() as hub:
        await sign_in(hub.http, "clerk")
        assert (await hub.http.get("/check")).status_code == 403
        await sign_in(http, "root")
        page = await http.get("/admin")
        changed = await http.post(
            "/admin/users/clerk/roles", data={"csrf_token": csrf_of(page), "roles": ["checker"]}
        )
        assert "已更新用户 clerk 的角色" in changed.text
        assert (await hub.http.get("/check")).status_code == 200
        unknown = await http.post(
            "/admin/users/clerk/roles", data={"csrf_token": csrf_of(page), "roles": ["boss"]}
        )
        assert unknown.status_code == 400 and "角色名称不正确" in unknown.text
