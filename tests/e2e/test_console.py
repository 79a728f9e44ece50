"""The demo console (``/mock/console``) in a real browser.

Playwright drives Debian's Chromium, headless, against a live em-mock on a frozen clock:
log on and follow links, build and page queries, run a plan while the clock moves, add
a fault and watch the journal, reset; on a phone-sized screen and with a control token.

Set ``EM_MOCK_SCREENSHOTS=docs`` to write the README's screenshots while the tests run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import httpx
import pytest

# The browser fixture is in conftest.py: Debian's Chromium and the playwright package are
# installed by .ci/run; a missing one is a failure, never a skip.
from playwright.sync_api import Browser, Page, expect

from em_mock.core.registry import QUERY_TYPES
from tests.conftest import ROOT, LiveServer

PLAN = "Tenant01 Failover Plan"
TOKEN = "console-s3cret"
expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A live em-mock on the default data, its clock pinned and still."""
    live = LiveServer("--frozen-clock")
    yield live
    live.stop()


def open_console(browser: Browser, url: str, width: int = 1280, height: int = 800
                 ) -> tuple[Page, list[str]]:
    """A fresh browser context on the console, once its script has started."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page, errors


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """The console at 1280x800 on a freshly reset server; no script error may happen."""
    httpx.post(f"{server.url}/mock/reset", timeout=10).raise_for_status()
    console, errors = open_console(browser, f"{server.url}/mock/console#browser")
    yield console
    console.context.close()
    assert errors == []


def shot(page: Page, name: str, full_page: bool = False) -> None:
    """Save a screenshot for the README when ``EM_MOCK_SCREENSHOTS`` names a folder."""
    folder = os.environ.get("EM_MOCK_SCREENSHOTS")
    if folder:
        target = ROOT / folder
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / name), full_page=full_page)


def log_on(page: Page) -> None:
    page.get_by_role("button", name="Log on").click()
    expect(page.locator("#session-status")).to_have_text("logged on as veeam")


def go(page: Page, view: str) -> None:
    page.get_by_role("navigation", name="Console views").get_by_role("link", name=view).click()
    expect(page.get_by_role("heading", level=2, name=view)).to_be_visible()


def advance_clock(page: Page, seconds: int) -> None:
    go(page, "Controls")
    page.get_by_label("Seconds", exact=True).fill(str(seconds))
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(page.locator("#controls-message")).to_contain_text(f"advanced by {seconds} s")


def follow(page: Page, label: str) -> None:
    page.locator("#links").get_by_role("button", name=label, exact=True).first.click()


def test_registry_lists_every_query_type_with_its_fields(server: LiveServer) -> None:
    data = httpx.get(f"{server.url}/mock/registry", timeout=10).json()
    assert [t["name"] for t in data["types"]] == [t.name for t in QUERY_TYPES.values()]
    session = next(t for t in data["types"] if t["name"] == "CloudFailoverSession")
    state = next(f for f in session["fields"] if f["name"] == "State")
    assert state == {"name": "State", "kind": "Enum",
                     "values": ["Starting", "Stopping", "Working", "Stopped"]}
    assert {"name": "CreationTime", "kind": "DateTime", "values": []} in session["fields"]


def test_log_on_and_follow_links_to_a_failover_session(page: Page) -> None:
    body, raw = page.locator("#resp-body"), page.locator("#req-raw")
    expect(body).to_contain_text("<EnterpriseManager")
    log_on(page)
    expect(body).to_contain_text("<LogonSession")
    expect(page.locator("#resp-head")).to_contain_text("HTTP/1.1 201")
    follow(page, "Down: CloudConnectService")
    expect(raw).to_contain_text("GET /api/cloud HTTP/1.1")
    expect(raw).to_contain_text("X-RestSvcSessionId: ")
    follow(page, "Down: CloudFailoverSessionReferenceList")
    expect(body).to_contain_text("<EntityReferences")
    follow(page, "Item: CloudFailoverSessionReference")
    expect(raw).to_contain_text(re.compile(r"GET /api/cloud/failoverSessions/[0-9a-f-]{36} "))
    follow(page, "Alternate: CloudFailoverSession")
    expect(raw).to_contain_text("?format=Entity HTTP/1.1")
    expect(body).to_contain_text("<CloudFailoverSession ")
    expect(body).to_contain_text("<CloudFailoverTasks>")
    expect(page.locator("#resp-head")).to_contain_text("content-type: application/xml")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "console-browser.png")

    page.get_by_label("JSON").check()
    expect(page.locator("#resp-head")).to_contain_text("content-type: application/json")
    expect(raw).to_contain_text("Accept: application/json")
    expect(body).to_contain_text('"CloudFailoverTasks": {')
    # Hrefs inside the body are links too; Back returns along the trail.
    page.get_by_role("button", name="Back", exact=True).click()
    expect(raw).to_contain_text(re.compile(r"GET /api/cloud/failoverSessions/[0-9a-f-]{36} "))
    expect(body).to_contain_text('"Type": "CloudFailoverSessionReference"')
    body.locator("a.href", has_text="/api/backupServers/").first.click()
    expect(body).to_contain_text('"Type": "BackupServerReference"')


def test_query_builder_shows_bad_filters_inline_and_pages_with_next(page: Page) -> None:
    log_on(page)
    go(page, "Query builder")
    page.get_by_label("Type", exact=True).select_option("CloudFailoverSession")
    expect(page.locator("#q-fields-body")).to_contain_text("Starting, Stopping, Working, Stopped")
    filter_box = page.get_by_label("Filter", exact=True)
    filter_box.fill("Result==")
    page.get_by_role("button", name="Run query").click()
    error = page.locator("#q-filter-error")
    expect(error).to_contain_text(re.compile(
        r"^400: Parameter filter: filter error at position \d+: missing value after"))
    expect(filter_box).to_have_attribute("aria-invalid", "true")

    filter_box.fill("Result==Failed")
    page.get_by_label("Sort by").select_option("CreationTime")
    page.get_by_label("Direction").select_option("desc")
    page.get_by_label("Page size").fill("5")
    page.get_by_role("button", name="Run query").click()
    expect(error).to_be_empty()
    expect(filter_box).not_to_have_attribute("aria-invalid", "true")
    pager = page.locator("#q-page")
    expect(pager).to_contain_text(re.compile(r"^Page 1 of \d+ \(5 on this page, page size 5\)"))
    rows = page.locator("#q-table tbody tr")
    expect(rows).to_have_count(5)
    result_column = page.locator("#q-table thead th").all_inner_texts().index("Result")
    assert {r.locator("th, td").nth(result_column).inner_text() for r in rows.all()} == {
        "Failed"}
    first_page = rows.first.inner_text()
    expect(page.get_by_role("button", name="Previous", exact=True)).to_be_disabled()

    page.get_by_role("button", name="Next", exact=True).click()
    expect(pager).to_contain_text(re.compile(r"^Page 2 of \d+"))
    expect(page.locator("#q-request")).to_contain_text("page=2")
    expect(page.locator("#q-request")).to_contain_text(
        re.compile("filter=Result%3D%3DFailed", re.IGNORECASE))
    expect(rows.first).not_to_have_text(first_page)
    expect(page.get_by_role("button", name="Previous", exact=True)).to_be_enabled()
    shot(page, "console-query.png")


def test_start_a_plan_and_watch_it_reach_stopped_as_the_clock_moves(page: Page) -> None:
    log_on(page)
    go(page, "Live view")
    plan_row = page.locator("#plans-table tbody tr", has_text=PLAN)
    expect(plan_row.locator("td.status")).to_contain_text("Idle")
    page.get_by_role("button", name=f"Start {PLAN}").click()
    expect(page.locator("#live-message")).to_contain_text(f"Start {PLAN}: accepted (202)")
    newest = page.locator("#sessions-table tbody tr").first
    expect(newest).to_contain_text(PLAN)
    expect(newest).to_contain_text("Starting")

    advance_clock(page, 40)
    go(page, "Live view")
    expect(plan_row.locator("td.status")).to_contain_text("Running: Working")
    expect(newest.locator("progress")).to_have_attribute("value", re.compile(r"^[1-9]\d?$"))
    expect(newest).to_contain_text("Working")
    shot(page, "console-live.png", full_page=True)

    advance_clock(page, 300)
    go(page, "Live view")
    expect(newest).to_contain_text(PLAN)
    expect(newest.locator("td").nth(2)).to_have_text("Stopped")
    expect(newest.locator("progress")).to_have_attribute("value", "100")
    expect(plan_row.locator("td.status")).to_contain_text("Idle; last run")
    # A start while a run is going on is refused with the server's own message.
    page.get_by_role("button", name=f"Test {PLAN}").click()
    expect(page.locator("#live-message")).to_contain_text(f"Test {PLAN}: accepted (202)")
    page.get_by_role("button", name=f"Start {PLAN}").click()
    expect(page.locator("#live-message")).to_contain_text("is already running")


def test_a_fault_shows_in_the_journal_and_reset_clears_it(page: Page, server: LiveServer
                                                          ) -> None:
    log_on(page)
    go(page, "Controls")
    form = page.locator("#fault-form")
    form.get_by_label("Action").select_option("error")
    form.get_by_label("Method").select_option("GET")
    form.get_by_label("Path (glob)").fill("/api/querySvc")
    form.get_by_label("Status").fill("503")
    form.get_by_role("button", name="Add rule").click()
    rule = page.locator("#faults-table tbody tr", has_text="/api/querySvc")
    expect(rule).to_contain_text("status 503")

    go(page, "API browser")
    follow(page, "Down: QueryService")
    expect(page.locator("#resp-head")).to_contain_text("HTTP/1.1 503")
    expect(page.locator("#resp-head")).to_contain_text("Error: Fault injected by em-mock.")

    go(page, "Controls")
    failed = page.locator("#journal-table tbody tr", has_text="/api/querySvc")
    expect(failed.first).to_contain_text("503 Service Unavailable")
    expect(failed.first.locator("td").nth(4)).to_have_text("error")
    expect(rule).to_contain_text("1 / 1")
    shot(page, "console-controls.png", full_page=True)

    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.locator("#controls-message")).to_contain_text("Reset: 3 backup servers")
    expect(page.locator("#faults-table tbody")).to_have_text("No fault rules.")
    expect(failed).to_have_count(0)
    assert httpx.get(f"{server.url}/mock/faults", timeout=10).json() == []


def test_recorded_answers_are_listed_and_removed(page: Page, server: LiveServer) -> None:
    httpx.post(f"{server.url}/mock/recorded", timeout=10, json={
        "Path": "/custom/report?x=1", "Xml": {"Body": "<A/>"},
        "Json": {"Status": 202, "Body": "{}"}}).raise_for_status()
    go(page, "Controls")
    row = page.locator("#recorded-table tbody tr", has_text="/api/custom/report?x=1")
    expect(row).to_contain_text("XML 200, JSON 202")
    row.get_by_role("button", name="Remove recorded answer /custom/report?x=1").click()
    expect(page.locator("#controls-message")).to_contain_text("/custom/report?x=1 removed")
    expect(page.locator("#recorded-table tbody")).to_have_text("No recorded answers.")
    assert httpx.get(f"{server.url}/mock/recorded", timeout=10).json() == []


def test_keyboard_alone_reaches_the_views_and_shows_focus(page: Page, server: LiveServer
                                                          ) -> None:
    page.goto(f"{server.url}/mock/console")  # the default view: the dashboard
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#dash-auto")).to_be_focused()
    expect(page.locator("#dashboard")).to_be_visible()
    page.get_by_role("link", name="API browser").focus()
    page.keyboard.press("Tab")
    query_link = page.get_by_role("link", name="Query builder")
    expect(query_link).to_be_focused()
    outline = query_link.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Query builder")).to_be_focused()
    expect(query_link).to_have_attribute("aria-current", "page")
    expect(page.locator("#dashboard")).to_be_hidden()


def test_the_console_fits_a_phone_screen(browser: Browser, server: LiveServer) -> None:
    httpx.post(f"{server.url}/mock/reset", timeout=10).raise_for_status()
    page, errors = open_console(browser, f"{server.url}/mock/console#live", 375, 667)
    page.get_by_role("link", name="API browser").click()
    log_on(page)
    go(page, "Live view")
    expect(page.locator("#plans-table tbody tr", has_text=PLAN)).to_contain_text("Idle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Rows become cards, so every action stays on screen.
    box = page.get_by_role("button", name=f"Start {PLAN}").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "console-phone.png")
    page.context.close()
    assert errors == []


def test_with_a_control_token_the_page_takes_it_once(browser: Browser) -> None:
    live = LiveServer("--frozen-clock", "--control-token", TOKEN)
    try:
        for path in ("/mock/console", "/mock/registry", "/mock/console/static/console.js"):
            assert httpx.get(live.url + path, timeout=10).status_code == 401, path
        page, errors = open_console(browser, f"{live.url}/mock/console?token={TOKEN}#query")
        assert "token" not in page.url
        expect(page.get_by_label("Type", exact=True)).to_have_value("CloudFailoverSession")
        expect(page.locator("#clock-status")).to_contain_text("(frozen)")
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        page.context.close()
        assert errors == []
    finally:
        live.stop()
