"""The console's dashboard (its default view) and its scenes, in Debian's Chromium.

The bars must carry exactly what the query service counts; each scene must show on the
dashboard within one refresh. One live server and one browser serve the module.
Set ``EM_MOCK_SCREENSHOTS=docs`` to write the README's dashboard screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.test_console import open_console, shot
from tests.helpers import JSON, basic

TYPES = ("BackupJobSession", "ReplicaJobSession")
RESULTS = ("Success", "Warning", "Failed")
PLAN = "Tenant01 Failover Plan"
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer("--frozen-clock")
    yield live
    live.stop()


def em_token(server: LiveServer) -> dict[str, str]:
    response = httpx.post(f"{server.url}/api/sessionMngr/?v=latest", timeout=10,
                          headers={"Authorization": basic()})
    assert response.status_code == 201, response.text
    return {"X-RestSvcSessionId": response.headers["X-RestSvcSessionId"], **JSON}


def count(client: httpx.Client, qtype: str, filter_: str) -> int:
    """How many entities match, read from the query service's own paging (page size 1)."""
    response = client.get(f"/api/query?type={qtype}&pageSize=1&filter=" + quote(filter_))
    assert response.status_code == 200, response.text
    pages: int = response.json()["PagingInfo"]["PagesCount"]
    return pages


def api_counts(server: LiveServer) -> dict[str, dict[str, int]]:
    """Job sessions per UTC day (the mock clock's last 14) and result, each through its
    own filtered query."""
    client = httpx.Client(base_url=server.url, headers=em_token(server), timeout=10)
    now = datetime.fromisoformat(httpx.get(f"{server.url}/mock/clock", timeout=10)
                                 .json()["now"].replace("Z", "+00:00"))
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    out: dict[str, dict[str, int]] = {}
    for back in range(13, -1, -1):
        start = today - timedelta(days=back)
        end = start + timedelta(days=1)
        span = (f"CreationTime>={start:%Y-%m-%dT%H:%M:%SZ};"
                f"CreationTime<{end:%Y-%m-%dT%H:%M:%SZ}")
        out[f"{start:%Y-%m-%d}"] = {
            result: sum(count(client, t, f"{span};Result=={result}") for t in TYPES)
            for result in RESULTS}
    client.close()
    return out


def bar_counts(page: Page) -> dict[str, dict[str, int]]:
    days = page.locator("#days-chart g.day")
    expect(days).to_have_count(14)
    return {g.get_attribute("data-day") or "": {
        r: int(g.get_attribute(f"data-{r.lower()}") or -1) for r in RESULTS}
        for g in days.all()}


def refreshed(page: Page) -> int:
    """The dashboard's refresh count, once it has refreshed at least once."""
    section = page.locator("#dashboard")
    expect(section).to_have_attribute("data-refreshes", re.compile(r"^[1-9]"))
    return int(section.get_attribute("data-refreshes") or 0)


def after_refresh(page: Page, seen: int) -> None:
    expect(page.locator("#dashboard")).not_to_have_attribute("data-refreshes", str(seen))


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    httpx.post(f"{server.url}/mock/reset", timeout=10).raise_for_status()
    console, errors = open_console(browser, f"{server.url}/mock/console", 1366, 900)
    yield console
    console.context.close()
    assert errors == []


def test_the_dashboard_logs_on_and_its_bars_are_the_query_service_counts(
        page: Page, server: LiveServer) -> None:
    expect(page.get_by_role("heading", level=2, name="Dashboard")).to_be_visible()
    expect(page.locator("#dash-who")).to_have_text(
        "Logged on to the EM API as veeam (the first configured account).")
    refreshed(page)
    bars = bar_counts(page)
    assert bars == api_counts(server)
    assert sum(sum(day.values()) for day in bars.values()) > 0
    # The table says the same in text; each bar is focusable with a label.
    first_day = min(bars)
    row = page.locator("#days-table tbody tr").first
    expect(row).to_have_text(re.compile(rf"^{first_day}\s*{bars[first_day]['Success']}\s*"
                                        rf"{bars[first_day]['Warning']}\s*"
                                        rf"{bars[first_day]['Failed']}$"))
    bar = page.locator("#days-chart g.day").last
    bar.focus()
    expect(bar).to_be_focused()
    expect(bar).to_have_attribute("aria-label", re.compile(r"^\d{4}-\d\d-\d\d: \d+ success"))
    # Repositories: object storage marked; the panels are filled from the API.
    expect(page.locator("#repos-list li", has_text="object storage")).not_to_have_count(0)
    expect(page.locator("#tenants-list li").first).to_have_attribute(
        "data-percent", re.compile(r"^\d+$"))
    expect(page.locator("#failures-list li").first.locator(".reason")).to_contain_text("Error:")


def test_each_scene_shows_on_the_dashboard_within_one_refresh(page: Page,
                                                                 server: LiveServer) -> None:
    refreshed(page)
    scenes = page.locator("#scenes")
    # A repository fills up.
    repo = page.locator("#repos-list li[data-percent]").nth(1)
    uid = repo.get_attribute("data-uid") or ""
    expect(repo).not_to_have_attribute("data-percent", "97")
    form = scenes.locator('form[data-scene="repository-fills"]')
    expect(form.get_by_label("Repository").locator(f'option[value="{uid}"]')).to_have_count(1)
    form.get_by_label("Repository").select_option(uid)
    form.get_by_label("Percent").select_option("97")
    seen = refreshed(page)
    form.get_by_role("button", name="Play: A repository fills up").click()
    after_refresh(page, seen)
    expect(page.locator(f'#repos-list li[data-uid="{uid}"]')).to_have_attribute(
        "data-percent", "97")

    # A tenant fails over: the plan's run shows under "running now", then moves on.
    form = scenes.locator('form[data-scene="tenant-fails-over"]')
    form.get_by_label("Plan").select_option(label=PLAN)
    seen = refreshed(page)
    form.get_by_role("button", name="Play: A tenant fails over").click()
    after_refresh(page, seen)
    running = page.locator("#running-list li", has_text=PLAN)
    expect(running).to_have_attribute("data-progress", "0")
    expect(page.locator(f'#dplans-list li[data-plan="{PLAN}"]')).to_contain_text("Starting")
    httpx.post(f"{server.url}/mock/clock", json={"action": "advance", "seconds": 40},
               timeout=10).raise_for_status()
    expect(running).to_have_attribute("data-progress", re.compile(r"^[1-9]\d?$"))

    # A job fails tonight; time flies a day, and the failure and its bar are there.
    job = "vbr01 Backup Job 2"
    form = scenes.locator('form[data-scene="job-fails"]')
    form.get_by_label("Job").select_option(label=job)
    form.get_by_role("button", name="Play: A job fails tonight").click()
    expect(page.locator("#dash-message")).to_contain_text(f"job {job}")
    seen = refreshed(page)
    scenes.get_by_role("button", name="Time flies: +1 day").click()
    after_refresh(page, seen)
    newest = page.locator("#failures-list li", has_text=job).first
    expect(newest).to_contain_text("Error: Failed to create VM snapshot")
    expect(page.locator("#running-list li", has_text=PLAN)).to_have_count(0)
    expect(page.locator(f'#dplans-list li[data-plan="{PLAN}"]')).not_to_contain_text("Starting")
    assert bar_counts(page) == api_counts(server)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "dashboard.png", full_page=True)

    # Each failure opens its session in the API browser.
    newest.get_by_role("link").first.click()
    expect(page.locator("#browser")).to_be_visible()
    expect(page.locator("#resp-body")).to_contain_text("Error: Failed to create VM snapshot")


def test_the_dashboard_fits_a_phone_screen(browser: Browser, server: LiveServer) -> None:
    httpx.post(f"{server.url}/mock/reset", timeout=10).raise_for_status()
    page, errors = open_console(browser, f"{server.url}/mock/console", 375, 667)
    refreshed(page)
    expect(page.locator("#repos-list li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    button = page.get_by_role("button", name="Time flies: +1 h")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    page.evaluate("document.getElementById('days-title').scrollIntoView({block: 'start'})")
    shot(page, "dashboard-phone.png")
    page.context.close()
    assert errors == []
