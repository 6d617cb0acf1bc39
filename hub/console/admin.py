"""管理 (admin role): users and their roles, API clients (the secret shown once), agencies,
and the rule set in force."""

from __future__ import annotations

from starlette.responses import Response

from hub.agencies.service import list_agencies
from hub.auth.scopes import ADMIN
from hub.auth.service import add_client, list_clients, revoke_client
from hub.console.pages import View, page
from hub.errors import HubError
from hub.users.rules import ROLES
from hub.users.service import add_user, disable_user, list_users, set_roles


async def _render(view: View, status: int = 200, **extra: object) -> Response:
    async with view.acting() as caller:
        users = await list_users(caller.session)
        clients = await list_clients(caller.session)
        agencies = await list_agencies(caller.session)
    return view.render(
        "admin.html",
        status,
        users=users,
        clients=clients,
        agencies=agencies,
        roles=ROLES,
        ruleset=view.runtime.ruleset,
        **extra,
    )


@page(needs=ADMIN)
async def admin_page(view: View) -> Response:
    return await _render(view)


@page(needs=ADMIN)
async def add_user_page(view: View) -> Response:
    assert view.form is not None
    roles = " ".join(str(r) for r in view.form.getlist("roles"))
    try:
        async with view.acting() as caller:
            user = await add_user(
                caller.session,
                login=view.value("login"),
                display_name=view.value("displayName"),
                agency_uscc=view.value("agency"),
                roles=roles,
                # As typed: no trimming of a password.
                password=str(view.form.get("password", "")),
            )
    except HubError as error:
        view.errors[error.field or "login"] = error.for_officers
        return await _render(view, 400)
    return await _render(view, notice=f"已添加用户 {user.login}")


@page(needs=ADMIN)
async def disable_user_page(view: View) -> Response:
    try:
        async with view.acting() as caller:
            user = await disable_user(caller.session, view.request.path_params["login"])
    except HubError as error:
        return await _render(view, 400, notice="未办理：" + error.for_officers)
    return await _render(view, notice=f"已停用用户 {user.login}，其登录已全部失效")


@page(needs=ADMIN)
async def set_roles_page(view: View) -> Response:
    assert view.form is not None
    roles = " ".join(str(r) for r in view.form.getlist("roles"))
    try:
        async with view.acting() as caller:
            user = await set_roles(caller.session, view.request.path_params["login"], roles)
    except HubError as error:
        return await _render(view, 400, notice="未办理：" + error.for_officers)
    return await _render(view, notice=f"已更新用户 {user.login} 的角色")


@page(needs=ADMIN)
async def add_client_page(view: View) -> Response:
    try:
        async with view.acting() as caller:
            issued = await add_client(
                caller.session,
                name=view.value("clientName"),
                agency_uscc=view.value("clientAgency"),
                scopes=view.value("scopes"),
                jurisdiction=view.value("jurisdiction") or None,
            )
    except HubError as error:
        view.errors["client" + (error.field or "name").capitalize()] = error.for_officers
        return await _render(view, 400)
    # The secret is shown this once and never stored in clear.
    return await _render(view, issued=issued)


@page(needs=ADMIN)
async def revoke_client_page(view: View) -> Response:
    try:
        async with view.acting() as caller:
            client = await revoke_client(caller.session, view.request.path_params["client_id"])
    except HubError as error:
        return await _render(view, 400, notice="未办理：" + error.for_officers)
    return await _render(view, notice=f"已吊销客户端 {client.id}")
