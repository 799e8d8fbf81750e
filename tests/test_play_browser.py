"""A scripted game in headless Chromium (issue 19): take a seat with `plenary play`, make moves
for a few rounds (one refused, with its message, changing nothing), finish, read the debrief,
and check the page against the same game played through the Python API."""

import time

import pytest

from tests.test_dashboard import ROOT, SHOTS, dashboard_process, launch, offline_page

SCENARIO = ROOT / "scenarios" / "reaim_2023.yaml"
COURT = "court (ISO3 codes, up to 4)"


@pytest.fixture
def play_server():
    yield from dashboard_process("play", str(SCENARIO), "--as", "NLD")


def test_a_scripted_game_in_the_browser(play_server):
    from playwright.sync_api import sync_playwright

    from analysis.play import Game

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page, failed = offline_page(browser, play_server, {"width": 1366, "height": 768})
            page.goto(play_server, wait_until="domcontentloaded", timeout=60_000)
            page.get_by_role("button", name="Play round").wait_for(timeout=60_000)
            assert page.title() == "Plenary: play NLD in reaim_2023"
            page.get_by_label("capacity building for (ISO3, 3 demarches each)").fill("KEN")
            page.get_by_label(COURT).fill("USA, GBR")
            page.get_by_role("button", name="Play round").click()
            page.get_by_text("Round 0 played").wait_for(timeout=30_000)
            # a move that is not allowed: refused with its reason, and the round is not played
            page.get_by_label(COURT).fill("RUS")
            page.get_by_role("button", name="Play round").click()
            page.get_by_text("Refused, nothing changed").wait_for(timeout=30_000)
            refusal = page.get_by_role("alert").inner_text()
            assert "court[0]: RUS is not a member of core_group" in refusal
            assert "Your moves for round 1" in page.inner_text("body")
            # keyboard: the fields and the button are reached with Tab and pressed with Enter
            page.get_by_label(COURT).fill("USA")
            page.get_by_label(COURT).focus()
            for _ in range(4):
                page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.innerText").strip().upper() == "PLAY ROUND"
            page.keyboard.press("Enter")
            page.get_by_text("Round 1 played").wait_for(timeout=30_000)
            page.get_by_text("Your moves for round 2").wait_for(timeout=30_000)
            page.get_by_text("Round 2 of 100").wait_for(timeout=30_000)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "play_round2.png"))
            page.get_by_role("button", name="Play to the end without moves").click()
            page.get_by_text("The game is over").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="Debrief").click()
            page.get_by_text("Which moves mattered").wait_for(timeout=180_000)
            time.sleep(0.5)
            text = page.inner_text("body")
            page.screenshot(path=str(SHOTS / "play_debrief.png"))
        finally:
            browser.close()
    assert failed == []
    game = Game(SCENARIO, "NLD")
    game.play({"capacity": ["KEN"], "court": ["USA", "GBR"]})
    game.play({"court": ["USA"]})
    game.finish()
    rows = text.splitlines()
    for f in game.outcome():  # the first table: the forum, then what you got
        said = f"{f['endorsements']} of {f['members']} endorsing"
        assert any(r.startswith(f["id"]) and said in r.split("\t")[1] for r in rows if "\t" in r), f
    assert any(r.split("\t")[:2] == ["0", "capacity KEN"] for r in rows if "\t" in r)
    assert "The planner's best campaign" in text and "a small search" in text
