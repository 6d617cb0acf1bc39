"""Console test helpers: people with roles, signing in, and the CSRF token of a page."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from support import Database, make_agency, make_uscc

from hub.agencies.models import Agency, AgencyFamily
from hub.users.service import add_user

PASSWORD = "Console-Test-2026"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def person_with_roles(
    db: Database,
    login: str,
    roles: str,
    *,
    agency_seed: int = 1,
    family: AgencyFamily = AgencyFamily.HR,
) -> Agency:
    async with db.sessions.begin() as session:
        agency = await session.scalar(
            select(Agency).where(Agency.uscc == make_uscc(seed=agency_seed))
        )
        if agency is None:
            agency = await make_agency(
                session, name=f"江州市测试单位{agency_seed}", seed=agency_seed, family=family
            )
        await add_user(
            session,
            login=login,
            display_name=f"测试用户{login}",
            agency_uscc=agency.uscc,
            roles=roles,
            password=PASSWORD,
        )
    return agency


async def sign_in(http: httpx.AsyncClient, login: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/login?next=/", data={"login": login, "password": password})


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def form_token(http: httpx.AsyncClient, path: str) -> str:
    page = await http.get(path)
    assert page.status_code == 200, page.text[:500]
    return csrf_of(page)


async def check_form(
    http: httpx.AsyncClient, id_number: str, purpose: str, reference: str
) -> httpx.Response:
    """The 核查 form filled in and sent, as an officer does."""
    token = await form_token(http, "/check")
    data = {"csrf_token": token, "idNumber": id_number, "purpose": purpose, "reference": reference}
    return await http.post("/check", data=data)
