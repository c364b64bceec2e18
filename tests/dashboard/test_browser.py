"""Every page in a real headless Chromium, on the sample local CRM after ``leadscore daemon once``:
each chart drawn with data, nothing missing that the store has, no console error; a screenshot of
each page is taken, and kept in docs/screenshots/ for the README when ``LEADSCORE_SCREENSHOTS``
names that folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from service.dashboard.server import DashboardServer, app_from_settings
from service.settings import get_settings
from service.state.store import StateStore
from tests.cli import invoke
from tests.conftest import SAMPLE_AS_OF
from tests.fakes.slack import TOKEN as SLACK_TOKEN
from tests.fakes.slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
#: the README's pictures are refreshed only when asked (``LEADSCORE_SCREENSHOTS=docs/screenshots``):
#: a test run never rewrites files of the checkout
SHOTS_ENV = "LEADSCORE_SCREENSHOTS"
AS_OF = SAMPLE_AS_OF  # the sample model and the CRM are one data set
#: per page: the charts the sample store must draw, and the figures it cannot give yet
EXPECTED = {
    "overview": ("/", {"tiers", "histogram", "sources", "hot-volume"}, set()),
    "performance": (
        "/performance",
        {"conversion", "cycle", "won-scores", "lost-scores"},
        {"psi"},
    ),
    "reps": ("/reps", {"rep-tiers", "rep-scores", "rep-activity", "sla"}, {"rep-conversion"}),
    "model": ("/model", set(), set()),
}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1900",
)
#: per chart: how many data points are drawn (non-null, non-zero) and how many canvas pixels
#: are painted
MEASURE = """
const out = {};
for (const [id, chart] of Object.entries(window.leadscoreCharts || {})) {
  const points = chart.data.datasets.reduce(
    (n, d) => n + d.data.filter(v => v !== null && v !== 0).length, 0);
  const c = chart.canvas, px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
  out[id] = [points, painted, c.width * c.height];
}
return out;
"""


#: one worker runs this module under ``pytest -n`` (--dist loadgroup): one daemon pass and one
#: Chromium for all pages, not one per worker
pytestmark = pytest.mark.xdist_group("chromium")

OUTPUT: dict[str, str] = {}


def _run(*args: str) -> None:
    result = invoke(*args)
    assert result.code == 0, result.output
    OUTPUT.setdefault(" ".join(args[:2]), result.output)  # the first run of each command


#: the two daemon passes: the first alerts the Hot leads and starts their SLA clocks (1 hour in
#: the built model), the second, two hours later, finds the clocks that reps' calls stopped
FIRST_PASS, CALLS, SECOND_PASS = (
    datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 28, 9, 20, tzinfo=UTC),
    datetime(2026, 11, 28, 11, 0, tzinfo=UTC),
)


def _log_calls(crm: Path, state_url: str) -> int:
    """A call by the owner on every other lead whose SLA clock runs, 20 minutes into it."""
    from sqlalchemy import insert, select

    from connectors.local import tables as t
    from connectors.local.crm import LocalCRM
    from service.state.tables import sla_clocks

    store = StateStore(state_url)
    with store.engine.connect() as conn:
        k = sla_clocks.c
        clocks = conn.execute(
            select(k.record_id, k.owner_id)
            .where(k.owner_id.is_not(None), k.stopped_at.is_(None))
            .order_by(k.record_id)
        ).all()
    store.close()
    calls = [
        {"id": f"ACALL{i}", "lead_id": rid, "account_id": None, "kind": "call",
         "occurred_at": CALLS, "detail": None, "rep_id": owner}
        for i, (rid, owner) in enumerate(clocks[::2])
    ]  # fmt: skip
    local = LocalCRM(crm)
    with local.engine.begin() as conn:
        conn.execute(insert(t.activities), calls)
    local.close()
    return len(calls)


ENV: dict[str, str] = {}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, sample_model: Path) -> Iterator[str]:
    """The sample CRM, the session's sample model, two daemon passes (Slack alerts to a fake
    Slack, SLA clocks stopped by reps' calls or breached between them), and the dashboard on a
    free port."""
    root = tmp_path_factory.mktemp("board")
    shutil.copytree(sample_model, root, dirs_exist_ok=True)
    slack = FakeSlack().start()
    mp = pytest.MonkeyPatch()
    env = {
        "LEADSCORE_LOCAL__PATH": str(root / "crm.db"),
        "LEADSCORE_STATE_URL": f"sqlite:///{root / 'state.db'}",
        "LEADSCORE_RULES_PATH": str(root / "model" / "model.yaml"),
        "LEADSCORE_DAEMON__MODELS_DIR": str(root / "models"),
        "LEADSCORE_DASHBOARD__RECORD_URL": "http://crm.invalid/lead/{id}",
        "NO_PROXY": "127.0.0.1,localhost",
        "LEADSCORE_SLACK__TOKEN": SLACK_TOKEN,
        "LEADSCORE_SLACK__BASE_URL": slack.base_url,
        "LEADSCORE_ALLOW_INSECURE_HTTP": "true",  # the fake Slack on 127.0.0.1
        "LEADSCORE_DAEMON__ALERT_ON_BACKFILL": "true",
    }
    for key, value in env.items():
        mp.setenv(key, value)
    ENV.update(env)
    server = None
    store = None
    try:
        _run("crm", "load-sample", "--as-of", AS_OF)
        _run("daemon", "once", "--now", FIRST_PASS.isoformat())
        assert _log_calls(root / "crm.db", env["LEADSCORE_STATE_URL"]) > 0
        _run("daemon", "once", "--now", SECOND_PASS.isoformat())
        _run("daemon", "status")
        settings = get_settings()
        store = StateStore(settings.state_url)
        server = DashboardServer(app_from_settings(settings, store), host="127.0.0.1", port=0)
        yield f"http://127.0.0.1:{server.port}"
    finally:
        if server is not None:
            server.close()
        if store is not None:
            store.close()
        slack.stop()
        mp.undo()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, (
        "Debian's chromium and chromium-driver are needed: apt-get install -y chromium "
        "chromium-driver (.ci/run does it)"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    chrome.set_page_load_timeout(60)
    yield chrome
    chrome.quit()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPECTED))
def test_page_in_chromium(
    dashboard: str, browser: webdriver.Chrome, name: str, tmp_path: Path
) -> None:
    """The page loads, every chart the data allows is drawn with data points and painted pixels,
    only the figures the store does not keep say so, and the console has no error."""
    path, drawn, missing = EXPECTED[name]
    browser.get_log("browser")  # drop what earlier pages left
    browser.get(dashboard + path)
    WebDriverWait(browser, 30).until(
        lambda b: b.execute_script(
            "return document.readyState === 'complete' && !!window.leadscoreCharts"
        )
    )
    measured: dict[str, Any] = browser.execute_script(MEASURE)
    assert set(measured) == drawn
    for cid, (points, painted, area) in measured.items():
        assert points > 0, cid
        assert painted > 0.002 * area, (cid, painted, area)
    canvases = {
        e.get_attribute("data-chart") for e in browser.find_elements(By.CSS_SELECTOR, "canvas")
    }
    assert canvases == drawn
    shown = {
        e.get_attribute("data-missing")
        for e in browser.find_elements(By.CSS_SELECTOR, "[data-missing]")
    }
    assert shown == missing
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    if name == "overview":
        links = browser.find_elements(By.CSS_SELECTOR, "#hot-leads a.crm")
        assert links and all(
            a.get_attribute("href").startswith("http://crm.invalid/lead/") for a in links
        )
    if name == "model":
        assert browser.find_element(By.ID, "holdout").text.count("\n") >= 7
        assert len(browser.find_elements(By.CSS_SELECTOR, "#signals tbody tr")) > 3
    shots = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, max(900, min(int(height) + 40, 4000)))
    # written beside and renamed: a parallel run (another worker, another checkout's suite)
    # never leaves a half-written picture in the repository
    shot = shots / f"{name}.png"
    partial = shot.with_name(f".{name}.{os.getpid()}.partial.png")  # selenium wants .png
    assert browser.save_screenshot(str(partial))
    os.replace(partial, shot)
    browser.set_window_size(1400, 1900)


def test_daemon_once_and_status_report_the_closed_deals(dashboard: str) -> None:
    """``daemon once`` records every closed deal of the sample CRM with its score, and
    ``daemon status`` shows the job and its cursor."""
    assert re.search(
        r"Closed deals: 18\d seen, 18\d recorded with their score", OUTPUT["daemon once"]
    )
    assert "deal_outcomes" in OUTPUT["daemon status"]
    assert "cursor deals: 20" in OUTPUT["daemon status"]


def test_dashboard_command_serves_the_store_without_the_daemon(dashboard: str) -> None:
    """``leadscore dashboard --port P`` (a process of its own, same settings) serves the pages of
    the state store the daemon left, on 127.0.0.1 by default."""
    import subprocess
    import sys
    import time

    import requests

    from tests.dashboard.test_server import free_port

    port = free_port()
    exe = Path(sys.executable).parent / "leadscore"
    proc = subprocess.Popen(
        [str(exe), "dashboard", "--port", str(port)],
        env={**os.environ, **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert page is not None, proc.stdout.read() if proc.stdout else ""
        hot = re.search(r"Leads per tier: Hot (\d+)", OUTPUT["daemon once"])
        assert hot is not None, OUTPUT["daemon once"]
        assert page.status_code == 200 and f"Hot leads: call now ({hot.group(1)})" in page.text
        assert requests.get(f"http://127.0.0.1:{port}/model", timeout=10).status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"on http://127.0.0.1:{port}/" in out
