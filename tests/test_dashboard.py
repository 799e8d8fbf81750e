"""The dashboard end to end, in a real headless browser (Debian's chromium driven by Playwright).

The test starts `plenary serve`, loads the page, presses play and then pause, reads the round and
the endorsement counts the page shows, and checks them against the same model stepped as many
rounds in this process. The screenshot is kept in the pytest temporary folder.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "reaim_2023.yaml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("PLENARY_SCREENSHOTS", ROOT / "out" / "screenshots"))

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing: make test installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (make test installs it)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", str(SCENARIO), "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the dashboard did not start: {proc.stdout.read().decode()[-2000:]}")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def shown(page) -> tuple[int, dict[str, int]]:
    text = page.inner_text("body")
    round_ = int(re.search(r"Round (\d+) of", text).group(1))
    counts = {m.group(1): int(m.group(2))
              for m in re.finditer(r"(\w+) \([a-z_]+, [^)]*\): endorsements (\d+) of", text)}
    return round_, counts


def test_dashboard_runs_and_shows_what_the_model_computes(server):
    from playwright.sync_api import sync_playwright

    from analysis.dashboard import DashboardModel

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server, wait_until="domcontentloaded", timeout=60_000)
            page.get_by_text("Round 0 of 100").wait_for(timeout=60_000)
            assert shown(page)[1]["core_group"] == 0
            page.get_by_role("button", name="▶").click()
            page.wait_for_function(
                "() => { const m = document.body.innerText.match(/Round (\\d+) of/);"
                " return m && Number(m[1]) >= 8; }", timeout=60_000)
            page.get_by_role("button", name="❚❚").click()
            previous = None
            for _ in range(40):  # wait until the page has settled after the pause
                now = shown(page)
                if now == previous:
                    break
                previous = now
                time.sleep(0.5)
            round_, counts = now
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "dashboard.png"))
        finally:
            browser.close()

    assert round_ >= 8
    assert counts["core_group"] > 0  # the count changed from 0
    model = DashboardModel(scenario_path=str(SCENARIO))
    for _ in range(round_):
        model.step()
    expected = {f.id: f.counts().endorse for f in model.forums}
    assert counts == expected
