"""The console in a real browser: Debian's Chromium driven by Playwright, against a real
`hub serve` process with the demo data set on an SQLite file. Screenshots of each page are
saved as test artefacts (HUB_TEST_ARTEFACTS, default tests/artefacts/console).

Without Chromium the module is skipped with a clear message; under HUB_REQUIRE_BROWSER=1
(set by .ci/run, which installs it) that is a failure instead. The browser runs on this
machine only: Playwright's own browser download is never used."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from processes import HUB, free_port, hub_serve, serving
from support import make_id_number

from hub.cli.demo import DEMO_PASSWORD
from hub.demo.dataset import build_dataset

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTEFACTS = Path(os.environ.get("HUB_TEST_ARTEFACTS", Path(__file__).parents[1] / "artefacts"))
SHOWCASE = build_dataset().showcase


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class ConsoleHub:
    url: str
    database: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
async def console_hub(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ConsoleHub]:
    _require_browser()
    folder = tmp_path_factory.mktemp("console")
    database = folder / "hub.db"
    env = {
        **os.environ,
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "HUB_KEYS_DIR": str(folder / "keys"),
        "HUB_RATE_LIMIT": "off",
    }
    for command in (["db", "upgrade"], ["demo", "--credentials", str(folder / "demo.json")]):
        subprocess.run([*HUB, *command], env=env, check=True, capture_output=True, cwd=folder)
    subprocess.run(
        [*HUB, "users", "add", "locky", "--name", "锁定测试", "--roles", "checker",
         "--agency", build_dataset().demo_agency_uscc, "--password", "Guard-Pass-2026"],
        env=env, check=True, capture_output=True, cwd=folder,
    )  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with serving(hub_serve(port), env, f"{url}/readyz", cwd=folder):
        yield ConsoleHub(url, database, env)


@pytest.fixture(scope="module")
async def browser(console_hub: ConsoleHub) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser, console_hub):  # type: ignore[no-untyped-def]
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=console_hub.url, accept_downloads=True
    )
    tab = await context.new_page()
    yield tab
    await context.close()


async def _sign_in(page, login: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    await page.goto("/login")
    await page.get_by_label("登录名").fill(login)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()


async def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTEFACTS / f"console-{name}.png"), full_page=True)


async def test_sign_in_shows_the_dashboard_and_repeated_failures_lock_the_account(page):
    await page.goto("/")
    assert "/login" in page.url
    await _shot(page, "login")
    for _ in range(5):
        await _sign_in(page, "locky", "wrong-password-0")
    assert "账号已锁定" in await page.locator("#login-error").inner_text()
    await _sign_in(page, "locky", "Guard-Pass-2026")
    assert "账号已锁定" in await page.locator("#login-error").inner_text()
    await _sign_in(page, "hr.demo")
    await page.wait_for_url("**/")
    assert await page.get_by_role("heading", name="概览").is_visible()
    await _shot(page, "dashboard")


@pytest.mark.parametrize("showcase", SHOWCASE, ids=[s.name for s in SHOWCASE])
async def test_a_hiring_check_of_each_demo_person_answers_as_the_demo_says(page, showcase):
    await _sign_in(page, "hr.demo")
    await page.goto("/check")
    await page.get_by_label("身份证号码（个人）").fill(showcase.id_number)
    await page.get_by_label("核查用途").select_option("HIRING")
    await page.get_by_label("依据文件").fill("江州市2026年度公务员招录公告第1号")
    await page.get_by_role("button", name="核查").click()
    verdict = await page.locator("#verdict").inner_text()
    expected = "受限" if "HIRING is RESTRICTED" in showcase.expect_en else "未发现限制"
    assert verdict.strip() == expected
    if expected == "受限":
        assert await page.locator("table").nth(1).locator("td").count() > 0
    await _shot(page, f"check-{showcase.name}")


async def test_a_report_prints_without_the_menu_and_its_code_verifies_on_the_public_page(
    page, browser
):
    await _sign_in(page, "hr.demo")
    await page.goto("/check")
    await page.get_by_label("身份证号码（个人）").fill(SHOWCASE[1].id_number)
    await page.get_by_label("核查用途").select_option("HIRING")
    await page.get_by_label("依据文件").fill("招录2026-1")
    await page.get_by_role("button", name="核查").click()
    await page.locator("#report-link").click()
    await page.emulate_media(media="print")
    assert not await page.locator("header.bar").is_visible()
    assert await page.locator(".qr svg").is_visible()
    await _shot(page, "report-print")
    await page.emulate_media(media="screen")
    link = await page.locator("#verify-link").inner_text()
    stranger = await browser.new_context()  # no session: anyone holding the paper
    public = await stranger.new_page()
    await public.goto(link)
    assert "报告真实有效" in await public.locator("#verify-result").inner_text()
    await _shot(public, "verify")
    await public.goto(link[:-1] + ("2" if not link.endswith("2") else "3"))
    assert "验证未通过" in await public.locator("#verify-result").inner_text()
    await stranger.close()


def _list(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["姓名", "身份证号码", "备注"])
    for showcase in SHOWCASE:
        writer.writerow([showcase.name, showcase.id_number, "示例"])
    for i in range(rows - len(SHOWCASE)):
        number = make_id_number(birth=date(1975 + i // 900, 5, 1), seq=50 + i % 900)
        writer.writerow([f"候选人{i}", number, ""])
    return buffer.getvalue().encode("utf-8-sig")


async def test_a_list_of_1000_is_screened_with_the_bar_reaching_100_and_the_results_download(
    page, tmp_path
):
    await _sign_in(page, "hr.demo")
    await page.goto("/batch")
    source = tmp_path / "评优名单.csv"
    source.write_bytes(_list(1000))
    await page.get_by_label("名单文件").set_input_files(str(source))
    await page.get_by_label("核查用途").select_option("AWARD")
    await page.get_by_label("评选批次或依据文件").fill("2026年度评优第1批")
    await page.get_by_role("button", name="上传并核查").click()
    await page.wait_for_selector("#download", timeout=60_000)
    assert await page.locator("#progress").get_attribute("value") == "100"
    assert "1000/1000" in await page.locator("#progress-text").inner_text()
    await _shot(page, "batch-done")
    async with page.expect_download() as waiting:
        await page.locator("#download").click()
    download = await waiting.value
    saved = tmp_path / "results.xlsx"
    await download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    rows = list(workbook["核查结果"].iter_rows(values_only=True))
    assert len(rows) == 1001
    by_row = {r[0]: r for r in rows[1:]}
    assert "受限" in by_row[4][4]  # 陈雅婷: AWARD restricted (row 4: header, then 3 showcase)
    assert SHOWCASE[2].id_number not in str(by_row[4])  # masked: no PII role


async def test_an_objection_filed_by_the_hr_office_is_answered_by_the_source_agency(
    page, browser, console_hub
):
    await _sign_in(page, "admin.demo")
    await page.goto(f"/archive?idNumber={SHOWCASE[2].id_number}&purpose=AWARD&reference=评优复核")
    await _shot(page, "archive")
    form = page.locator("form[action='/objections/file']").first
    await form.locator("textarea").fill("处分决定日期与本人档案不一致")
    await form.get_by_role("button", name="提交异议").click()
    assert "异议已提交" in await page.locator("#notice").inner_text()
    source = await browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=console_hub.url
    )
    handler = await source.new_page()
    await _sign_in(handler, "handler.demo")
    await handler.goto("/objections?view=queue")
    row = handler.locator("#objections tr", has_text="处分决定日期与本人档案不一致")
    await row.get_by_label("处理结果").select_option("rejected")
    await row.get_by_label("处理理由").fill("经核对原始决定书，日期无误")
    await _shot(handler, "objections-queue")
    await row.get_by_role("button", name="办结").click()
    assert "已办结" in await handler.locator("#notice").inner_text()
    await source.close()
    await page.goto("/objections?view=filed")
    assert "异议不成立" in await page.locator("#objections").inner_text()


async def test_a_user_without_the_role_sees_neither_the_menu_entry_nor_the_page(page):
    await _sign_in(page, "handler.demo")
    await page.wait_for_url("**/")
    assert await page.locator("nav a", has_text="核查").count() == 0
    response = await page.goto("/check")
    assert response is not None and response.status == 403
    assert "无权访问" in await page.locator("h1").inner_text()


async def test_a_form_with_a_forged_csrf_token_is_refused(page):
    await _sign_in(page, "hr.demo")
    await page.goto("/check")
    await page.locator("main input[name=csrf_token]").first.evaluate("e => e.value = 'forged'")
    await page.get_by_label("身份证号码（个人）").fill(SHOWCASE[0].id_number)
    await page.get_by_label("依据文件").fill("x")
    await page.get_by_role("button", name="核查").click()
    assert "请求已拒绝" in await page.locator("h1").inner_text()


async def test_an_expired_session_sends_the_officer_back_to_sign_in(page, console_hub):
    await _sign_in(page, "hr.demo")
    await page.wait_for_url("**/")
    with sqlite3.connect(console_hub.database) as connection:
        connection.execute("UPDATE console_sessions SET last_seen_at = '2000-01-01 00:00:00'")
    await page.goto("/batch")
    assert "/login?next=/batch" in page.url


@pytest.mark.parametrize(
    "path",
    ["/admin", "/repairs", "/archive", "/batch", "/password", "/evaluation", "/warnings",
     "/commitments", "/clues"],
)  # fmt: skip
async def test_every_page_renders_for_the_administrator_without_a_script_error(page, path):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await _sign_in(page, "admin.demo")
    await page.wait_for_url("**/")
    response = await page.goto(path)
    assert response is not None and response.status == 200
    assert await page.locator("main h1").count() == 1
    await _shot(page, path.strip("/"))
    assert errors == []


async def test_the_evaluator_reads_the_ranking_down_to_the_evidence_and_downloads_it(page):
    await _sign_in(page, "eval.demo")
    await page.wait_for_url("**/")
    await page.get_by_role("link", name="诚信评价").click()
    ranking = page.locator("#ranking")
    assert "江州市柳溪县人民政府" in await ranking.inner_text()
    for image in await page.locator("main img").all():  # the three charts drew
        assert await image.evaluate("i => i.complete && i.naturalWidth > 0")
    await _shot(page, "evaluation")
    # 江城区: its PPP service fee, promised for 100 days ago, is still unpaid.
    await ranking.get_by_role("link", name="江州市江城区人民政府").click()
    indicators = page.locator("#indicators")
    assert "承诺按期兑现率" in await indicators.inner_text()
    await indicators.locator("#indicator-I07 summary").click()
    assert "未兑现" in await indicators.locator("#indicator-I07").inner_text()
    await _shot(page, "evaluation-unit")
    async with page.expect_download() as download:
        await page.locator("#download").click()
    path = await (await download.value).path()
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
    assert book.sheetnames == ["评价结果", "得分依据", "指标说明"]


async def test_the_finance_bureau_acknowledges_its_warning_and_answers_a_clue(page):
    await _sign_in(page, "finance.demo")
    await page.wait_for_url("**/")
    # Its own: an objection and a repair decision past their deadlines (yellow).
    assert int(await page.locator("#warnings-yellow").inner_text()) >= 2
    await page.goto("/warnings")
    first = page.locator("#warnings tr", has_text="待处置").first
    await first.get_by_role("button", name="知悉").click()
    assert "已知悉" in await page.locator("#notice").inner_text()
    await _shot(page, "warnings")
    await page.goto("/clues")
    await _shot(page, "clues")
    assert "财政局" in await page.locator("#clues").inner_text()
    await page.goto("/commitments")
    assert "清偿上年度逾期未付中小企业账款" in await page.locator("#commitments").inner_text()
    await _shot(page, "commitments")
