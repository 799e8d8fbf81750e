"""The dashboard in play mode (``plenary play``; "Play a delegation" on the start page).

The person sits as one delegation (``analysis/play.py``). On the left, their moves for the
round, as labelled fields and buttons in reading order (keyboard: Tab moves through them, Enter
or Space presses a button): whom to court, how far to concede, whom to invite to co-sponsor, whom
to offer capacity building, their stance in each forum they sit in, then "Play round". A move
that is not allowed is refused with one line saying why, and nothing changes. On the right, what
they see each round: the forums' standing, the hold-outs closest to tipping, the network
coloured by stance (``analysis.dashboard``) and the members' table. At the end: the debrief
(``analysis/play_debrief.py``) and the game saved as a file that replays to the same result,
with its strategy file for ``plenary compare``.

Environment (set by ``plenary play``): ``PLENARY_SCENARIO``, ``PLENARY_PLAY`` (ISO3),
``PLENARY_SEED``, ``PLENARY_BUDGET``, ``PLENARY_LOBBY`` (the text a member lobbies for).
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import solara

from analysis.dashboard import Dashboard, network_by_stance, stance_counts, state_table
from analysis.play import BUDGET, Game, IllegalMove
from sim.errors import ScenarioError

SMALL = {"font-size": "0.85em", "margin": "0"}


def _moves(court: str, concede: str, invite: str, capacity: str, stances: dict) -> dict:
    moves: dict = {}
    for key, text in (("court", court), ("invite", invite), ("capacity", capacity)):
        if text.strip():
            moves[key] = text
    if concede.strip() and concede.strip() not in ("0", "0.0"):
        moves["concede"] = concede.strip()
    chosen = {f: (None if w == "model decides" else w) for f, w in stances.items() if w != "keep"}
    if chosen:
        moves["stance"] = chosen
    return moves


def tipping(game: Game, k: int = 8) -> list[str]:
    """The hold-outs the player may court, closest to tipping first (smallest |utility|)."""
    legal = game.legal_moves()
    tracks = game.open_tracks(legal["text"])
    if not tracks or tracks[0].deliberation is None:
        return []
    index = game.model.world.index
    rows = [index[c] for c in legal["court"] if tracks[0].stances[index[c]] != 1]
    rows.sort(key=lambda i: (abs(float(tracks[0].utility[i])), i))
    return [game.model.world.iso3[i] for i in rows[:k]]


def situation(game: Game):
    legal = game.legal_moves()
    text = legal["text"]
    parts = [f"<p style='margin:0'><b>{escape(game.iso3)}</b>: {legal['round']} of "
             f"{legal['rounds']} rounds played (rounds are numbered from 0).</p>"]
    if text:
        opened = ", ".join(legal["open"]) or "none open this round"
        whose = ("Your text" if legal["sponsor"] else "You lobby for (a member: you court and "
                 "build capacity; its sponsors concede and invite)")
        concede = f" Concede up to {legal['concede']:g} this round." if legal["sponsor"] else ""
        parts.append(f"<p style='margin:0'>{whose}: <code>{escape(text)}</code> (forum: "
                     f"{escape(opened)}). Visits this round: up to {legal['visits']}. Budget: "
                     f"{legal['budget_left']:g} of {legal['budget']:g} demarches left (capacity "
                     f"building costs {legal['capacity_cost']:g}).{concede}</p>")
    else:
        parts.append("<p style='margin:0'>You sponsor no text: choose your stance in the forums "
                     "you sit in.</p>")
    held = ", ".join(f"{f}: {w}" for f, w in game.stances.items())
    if held:
        parts.append(f"<p style='margin:0'>Stances you hold: {escape(held)}.</p>")
    swing = tipping(game)
    if swing:
        parts.append(f"<p style='margin:0'>Closest to tipping: {escape(', '.join(swing))}.</p>")
    return solara.HTML(tag="div", unsafe_innerHTML="".join(parts), style=SMALL)


@solara.component
def Moves(game: Game, tick: solara.Reactive[int]):
    """The move form (a sidebar card): labelled inputs, then the buttons."""
    court, concede = solara.use_reactive(""), solara.use_reactive("")
    invite, capacity = solara.use_reactive(""), solara.use_reactive("")
    stances = solara.use_reactive({})
    message = solara.use_reactive("")
    legal = game.legal_moves()

    def clear():
        for field in (court, concede, invite, capacity):
            field.set("")
        stances.set({})

    def play_round():
        try:
            game.apply(_moves(court.value, concede.value, invite.value, capacity.value,
                              stances.value))
        except IllegalMove as exc:
            message.set("Refused, nothing changed: " + "; ".join(str(p) for p in exc.problems))
            return
        entry = game.step()
        answers = entry.get("answers")
        said = f"Round {entry['round']} played."
        if answers:
            said += (f" Visits made: {answers['visits']}; conceded {answers['conceded']:g}"
                     + (f"; accepted: {', '.join(answers['invited'])}" if answers["invited"] else "")
                     + (f"; declined: {', '.join(answers['declined'])}" if answers["declined"] else ""))
        message.set(said)
        clear()
        tick.set(tick.value + 1)

    def play_on(rounds: int):
        for _ in range(rounds):
            if game.finished:
                break
            game.play()
        message.set(f"Played to round {game.round} without moves.")
        tick.set(tick.value + 1)

    if game.finished:
        solara.Text("The game is over: read the debrief, save the game.", style=SMALL)
        return
    situation(game)
    if game.texts:
        solara.InputText(f"court (ISO3 codes, up to {legal['visits']})", value=court,
                         continuous_update=True)
    if game.sponsored:
        solara.InputText(f"concede (0 to {legal['concede']:g}; empty: no)", value=concede,
                         continuous_update=True)
        solara.InputText("invite to co-sponsor (ISO3 codes, up to 3)", value=invite,
                         continuous_update=True)
    if game.texts:
        solara.InputText(f"capacity building for (ISO3, {legal['capacity_cost']:g} demarches each)",
                         value=capacity, continuous_update=True)
    for forum, options in legal["stance"].items():
        solara.Select(f"your stance in {forum}", values=["keep", "model decides", *options],
                      value=stances.value.get(forum, "keep"),
                      on_value=lambda w, forum=forum: stances.set({**stances.value, forum: w}))
    with solara.Row():
        solara.Button("Play round", on_click=play_round, color="primary", disabled=game.finished)
        solara.Button("Play 5 rounds without moves", on_click=lambda: play_on(5),
                      disabled=game.finished)
    solara.Button("Play to the end without moves", on_click=lambda: play_on(game.model.rounds),
                  disabled=game.finished, text=True)
    if message.value:
        refused = message.value.startswith("Refused")
        solara.HTML(tag="p", unsafe_innerHTML=escape(message.value),
                    attributes={"role": "alert"} if refused else {},
                    style={**SMALL, "color": "#b00020" if refused else "#343a40",
                           "font-weight": "bold" if refused else "normal"})


@solara.component
def Debrief(game: Game):
    from analysis.play_debrief import debrief, debrief_markdown

    text, saved = solara.use_reactive(""), solara.use_reactive("")

    def run():
        text.set(debrief_markdown(debrief(game, runs=10)))

    def save():
        from analysis.plan_report import write_strategy_file

        folder = Path("out") / "games"
        path = game.save(folder / f"{game.scenario.name}_{game.iso3}_seed{game.seed}.json")
        said = f"Saved {path} (plenary play ... --replay {path} plays it again)"
        if game.texts:
            out = write_strategy_file(game.to_strategy(), path.with_name(path.stem + "_strategy.yaml"),
                                      f"{game.iso3}'s game as a strategy")
            said += f" and {out} (for plenary compare --strategy)"
        saved.set(said + ".")

    with solara.Card("Debrief"):
        solara.Text("The game is over." if game.finished else "Finish the game for a debrief.")
        with solara.Row():
            solara.Button("Debrief", on_click=run, color="primary", disabled=not game.finished)
            solara.Button("Save game", on_click=save)
        if saved.value:
            solara.HTML(tag="p", unsafe_innerHTML=escape(saved.value), style=SMALL)
        if text.value:
            solara.Markdown(text.value, style={"font-size": "0.85em"})


@solara.component
def PlayPage(path: str, iso3: str, seed: int | None = None, budget: float = BUDGET,
             lobby: str | None = None):
    tick = solara.use_reactive(0)
    made = solara.use_memo(lambda: _seat(path, iso3, seed, budget, lobby),
                           [path, iso3, seed, budget, lobby])
    if isinstance(made, str):
        solara.Error(made)
        return
    game = made
    _ = tick.value  # redraw after each round
    solara.Title(f"Plenary: play {game.iso3} in {game.scenario.name}")
    with solara.AppBar():
        solara.AppBarTitle(f"Plenary: play {game.iso3} in {game.scenario.name} (seed {game.seed})")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Game over" if game.finished else f"Your moves for round {game.round}"):
            Moves(game, tick)
    with solara.Column():
        if game.finished:
            Debrief(game)
        stance_counts(game.model)
        network_by_stance(game.model)
        state_table(game.model)
        if not game.finished:
            Debrief(game)


def _seat(path: str, iso3: str, seed: int | None, budget: float,
          lobby: str | None = None) -> Game | str:
    try:
        return Game(path, iso3, seed, budget, lobby=lobby)
    except ScenarioError as exc:
        return "; ".join(str(p) for p in exc.problems)


@solara.component
def Page():
    """The start page (``plenary serve``), or play mode (``plenary play`` or "Take a seat")."""
    path = os.environ["PLENARY_SCENARIO"]
    seat = solara.use_reactive(os.environ.get("PLENARY_PLAY", ""))
    if seat.value:
        seed = os.environ.get("PLENARY_SEED")
        PlayPage(path, seat.value, None if seed is None else int(seed),
                 float(os.environ.get("PLENARY_BUDGET", BUDGET)),
                 os.environ.get("PLENARY_LOBBY") or None)
    else:
        Dashboard(path, seat=lambda: TakeSeat(seat.set))


@solara.component
def TakeSeat(on_play):
    """The start page's offer: take a seat as a delegation (its ISO3 code)."""
    code = solara.use_reactive("")
    problem = solara.use_reactive("")

    def take():
        wanted = code.value.strip().upper()
        if not wanted:
            problem.set("Type a delegation's ISO3 code, e.g. NLD.")
            return
        problem.set("")
        on_play(wanted)

    solara.Text("Negotiate as one delegation against the model, round by round.")
    solara.InputText("delegation (ISO3)", value=code, continuous_update=True)
    solara.Button("Take a seat", on_click=take, color="primary")
    if problem.value:
        solara.Text(problem.value, style={"color": "#b00020"})
