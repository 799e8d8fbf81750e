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


def dashboard_process(*args: str):
    """``plenary ARGS --port P`` serving the dashboard: yields its address once it answers, then
    stops it as a user would (SIGTERM to its process group)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", *args, "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, proc)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def server():
    yield from dashboard_process("serve", str(SCENARIO))


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_until_up(url: str, proc, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"the dashboard did not start: {proc.stdout.read().decode()[-2000:]}")


def test_stopping_serve_by_its_pid_frees_the_port():
    """`kill PID` of `plenary serve` stops the solara server it started (issue 20: the server
    kept the port)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "serve", str(SCENARIO), "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", proc)
        os.kill(proc.pid, signal.SIGTERM)  # the PID only, not its process group
        proc.wait(timeout=20)
        deadline = time.monotonic() + 15
        while not port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert port_is_free(port), "the solara server still holds the port"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_make_demo_fetches_the_dashboard_assets(tmp_path):
    """The README's set-up command (make demo) puts the dashboard's front-end files in place,
    so the dashboard works offline after it alone (issue 20)."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "demo", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    assert "analysis.dashboard_assets" in plan
    assert "analysis.boundaries" in plan  # and the map's boundaries


def shown(page) -> tuple[int, dict[str, int]]:
    text = page.inner_text("body")
    round_ = int(re.search(r"Round (\d+) of", text).group(1))
    counts = {m.group(1): int(m.group(2))
              for m in re.finditer(r"(\w+) \([a-z_]+, [^)]*\): endorsements (\d+) of", text)}
    return round_, counts


OVERLAPS_JS = """() => {
  const boxes = [];
  for (const el of document.querySelectorAll('li, p, label, .v-label, img, table, .v-btn')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width && r.height && style.visibility !== 'hidden' && style.display !== 'none')
      boxes.push([el, r]);
  }
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = 0; j < i; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 1 && h > 1) hits.push((a.innerText || a.tagName).slice(0, 40) + ' / ' +
                                  (b.innerText || b.tagName).slice(0, 40));
  }
  return hits;
}"""


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"])


def offline_page(browser, url, viewport):
    """A page that may load nothing but the dashboard's own address (as on a machine offline);
    returns it and the list of requests that failed or were refused."""
    page = browser.new_page(viewport=viewport)
    failed = []
    origin = url.rstrip("/")

    def route(r):
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            failed.append(f"outside: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: failed.append(f"failed: {req.url}")
            if req.url.startswith(origin) else None)
    page.on("response", lambda res: failed.append(f"{res.status}: {res.url}")
            if res.status >= 400 else None)
    return page, failed


def dashboard_page(browser, url, viewport):
    """:func:`offline_page` at the dashboard, once its first round is shown."""
    page, failed = offline_page(browser, url, viewport)
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.get_by_text("Round 0 of 100").wait_for(timeout=60_000)
    return page, failed


def test_dashboard_renders_offline_with_values_title_and_no_overlap(server):
    """Offline (only the dashboard's own address reachable), the page loads every front-end
    file from the venv, its tab is titled after the scenario (no "PAGE 0"), each slider shows
    its value and, at round 0 on a small screen, no text covers another (issue 20)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page, failed = dashboard_page(browser, server, {"width": 1024, "height": 768})
            page.wait_for_load_state("networkidle", timeout=60_000)
            time.sleep(1.0)
            text = page.inner_text("body")
            title = page.title()
            overlaps = page.evaluate(OVERLAPS_JS)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "dashboard_round0.png"), full_page=True)
        finally:
            browser.close()
    assert failed == []
    assert title == "Plenary: reaim_2023"
    assert "PAGE 0" not in text.upper()
    for label in ("social influence: 0.60", "bloc cue: 0.40", "noise: 0.40", "outreach budget: 4",
                  "seed: 2023", "play interval: 100 ms"):
        assert label in text
    assert overlaps == []


def test_dashboard_network_has_a_legend_and_names_who_resists():
    from analysis.dashboard import DashboardModel, network_figure
    from analysis.palette import STANCE_TEXT_COLOURS
    from sim.stance import Stance

    model = DashboardModel(scenario_path=str(ROOT / "scenarios" / "unga_laws_2023.yaml"))
    while model.running:
        model.step()
    fig = network_figure(model)
    ax = fig.axes[0]
    forum = model.forums[-1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"endorse ({forum.counts().endorse})" in legend
    assert f"abstain ({forum.counts().abstain})" in legend
    labels = {t.get_text(): t for t in ax.texts}
    abstained = [model.world.iso3[i] for i in forum.member_index if forum.stances[i] == Stance.ABSTAIN]
    assert abstained
    for code in abstained:
        assert labels[code].get_color() == STANCE_TEXT_COLOURS[Stance.ABSTAIN]
        assert labels[code].get_fontweight() == "bold"
    assert {"USA", "CHN"} <= set(labels)


def test_dashboard_runs_and_shows_what_the_model_computes(server):
    from playwright.sync_api import sync_playwright

    from analysis.dashboard import DashboardModel

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page, failed = dashboard_page(browser, server, {"width": 1400, "height": 1000})
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

    assert failed == []
    assert round_ >= 8
    assert counts["core_group"] > 0  # the count changed from 0
    model = DashboardModel(scenario_path=str(SCENARIO))
    for _ in range(round_):
        model.step()
    expected = {f.id: f.counts().endorse for f in model.forums}
    assert counts == expected


def test_dashboard_campaign_editor_measures_the_edited_campaign(server):
    """Edit the lead sponsor's campaign (demarches), measure it against the scenario's own on the
    same seeds, and read the table the page shows: it is what campaign_effect computes."""
    from playwright.sync_api import sync_playwright

    from analysis.dashboard import campaign_effect, model_params

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page, failed = dashboard_page(browser, server, {"width": 1400, "height": 1000})
            page.get_by_text("Campaign of NLD").wait_for(timeout=30_000)
            page.get_by_text("concession step (0: none): 0.03").wait_for(timeout=30_000)
            page.get_by_role("button", name="Measure against the scenario's own (20 seeds)").click()
            page.get_by_text("edited campaign - own, same seeds").wait_for(timeout=60_000)
            text = page.inner_text("body")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "dashboard_campaign.png"), full_page=True)
        finally:
            browser.close()
    assert failed == []
    # nothing edited yet: the campaign is the scenario's own, so every difference is exactly zero
    path = str(ROOT / "scenarios" / "reaim_2023.yaml")
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in model_params(path).items()}
    effect = campaign_effect(path, values)
    assert (effect["difference [95% CI]"] == "+0.0 [+0.0, +0.0]").all()
    for row in effect.to_dict("records"):
        assert row["forum"] in text and row["difference [95% CI]"] in text
