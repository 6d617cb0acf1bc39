"""`hub demo`: the demo data set (江州市) and a demo client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from hub import clock
from hub.auth.scopes import ALL_SCOPES
from hub.auth.service import ensure_client
from hub.cli.context import cli, console, run
from hub.demo.city import FINANCE_BUREAU, ORGANIZATION_DEPT, SUPERVISION
from hub.demo.dataset import build_dataset
from hub.demo.loader import load_demo
from hub.demo.oversight import EVALUATION_OFFICE, load_oversight
from hub.runtime import Runtime
from hub.users.service import ensure_user

DEMO_CLIENT_ID = "demo-client"
# The demo's console users: (login, name, agency, roles). One password for all, printed by
# `hub demo` and the README; a demo database is never a production one.
DEMO_PASSWORD = "Demo-Jiangzhou-2026"
DEMO_USERS = (
    ("hr.demo", "王敏（组织部干部科）", ORGANIZATION_DEPT, "checker"),
    ("handler.demo", "李强（监委案件审理室）", SUPERVISION, "objection-handler"),
    ("admin.demo", "赵磊（系统管理员）", ORGANIZATION_DEPT, "admin,checker,pii"),
    ("eval.demo", "陈静（市信用办考核评价科）", EVALUATION_OFFICE, "evaluator"),
    (
        "finance.demo",
        "刘洋（财政局信用工作专班）",
        FINANCE_BUREAU,
        "objection-handler,ledger,clues",
    ),
)


@click.command("demo")
@click.option(
    "--credentials",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("demo-client.json"),
    show_default=True,
    help="Where to write the demo client's credentials.",
)
def demo(credentials: Path) -> None:
    """Load the demo data set (江州市) and a demo client holding every scope. Idempotent."""
    dataset = build_dataset()
    known_secret = _read_secret(credentials)

    async def work(runtime: Runtime) -> tuple[Any, str]:
        async with runtime.transaction(cli().caller) as session:
            summary = await load_demo(session, runtime.pii, dataset, today=clock.today())
            await load_oversight(
                session,
                runtime.pii,
                runtime.calendar,
                runtime.ruleset,
                dataset,
                today=clock.today(),
            )
            secret = await ensure_client(
                session,
                client_id=DEMO_CLIENT_ID,
                name="演示客户端（全部权限）",
                agency_uscc=dataset.demo_agency_uscc,
                scopes=" ".join(sorted(ALL_SCOPES)),
                known_secret=known_secret,
            )
            by_name = {a.name: a.uscc for a in dataset.agencies}
            for login, name, agency, roles in DEMO_USERS:
                await ensure_user(
                    session,
                    login=login,
                    display_name=name,
                    agency_uscc=by_name[agency],
                    roles=roles,
                    password=DEMO_PASSWORD,
                )
            return summary, secret

    with console.status("loading the demo data set (江州市)…"):
        summary, secret = run(work)
    pair = {"client_id": DEMO_CLIENT_ID, "client_secret": secret}
    credentials.write_text(json.dumps(pair, indent=2) + "\n", encoding="utf-8")
    credentials.chmod(0o600)
    console.print(
        f"demo data: {summary.agencies_created} agencies, {summary.persons_created} persons, "
        f"{summary.records_inserted} records added; {summary.records_unchanged} records "
        "already present"
    )
    console.print(f"demo client credentials written to {credentials}:")
    console.print(json.dumps(pair, indent=2), markup=False)
    table = Table()
    for column in ("ID number (居民身份证号码)", "name", "what a check says"):
        table.add_column(column, overflow="fold")
    for person in dataset.showcase:
        table.add_row(person.id_number, person.name, f"{person.expect_zh}\n{person.expect_en}")
    console.print("people to try:")
    console.print(table)
    users = Table("console user (登录名)", "password (密码)", "roles (角色)")
    for login, name, _, roles in DEMO_USERS:
        users.add_row(f"{login}  {name}", DEMO_PASSWORD, roles)
    console.print("web console users (sign in at the hub's address, e.g. http://127.0.0.1:8000/):")
    console.print(users)


def _read_secret(path: Path) -> str | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if document.get("client_id") != DEMO_CLIENT_ID:
        return None
    secret = document.get("client_secret")
    return secret if isinstance(secret, str) else None
