"""The debrief of a played game (``plenary play``, ``analysis/play.py``).

Three questions, each answered on common random numbers (the same seeds, so the same draws):

1. **You against the model.** The game's outcome beside the model's own play of the same
   delegation on the same seed: the scenario as written (its own strategy for a sponsor; for a
   member, the model's own decisions). Then the player's moves replayed on ``runs`` seeds (the
   game's first) beside the model's own on the same seeds: mean endorsements, the paired
   difference with its 95% t interval, P(adopt). On another seed a move may not be allowed (a
   state absent, a forum decided): it is left out and counted.
2. **Which moves mattered.** Each move undone, all else equal: the game replayed on its seed
   without it, and the change in each forum's endorsements and adoption (what the move added).
   Beyond ``MAX_UNDO`` moves, a round's moves of one kind are undone together.
3. **The planner's best campaign** (``analysis/planner.py``, as ``plenary plan``): a plan file
   given (``plan.yaml``), else a small, fast search (``trials`` candidates on ``plan_runs``
   seeds, checked on ``fresh`` seeds); then run on the game's seed beside the player. The plan is
   a lead sponsor's campaign; for a member who sponsors nothing there is none.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from analysis.compare import mean_ci, run_ensembles, run_seeds
from analysis.play import Game, outcome_of
from analysis.play_games import play_moves
from sim.engine.model import NegotiationModel

MAX_UNDO = 40
PLAN_TRIALS, PLAN_RUNS, PLAN_FRESH = 12, 5, 20


def _again(game: Game, seed: int | None = None, skip: tuple | None = None) -> Game:
    """The game's moves played again (leniently) on ``seed``, ``skip`` left out."""
    other = Game(game.path, game.iso3, game.seed if seed is None else seed, game.budget,
                 scenario=game.scenario, lobby=game.lobby)
    return play_moves(other, [h["moves"] for h in game.history], skip, lenient=True)


def _own(game: Game, seed: int) -> list[dict[str, Any]]:
    model = NegotiationModel(game.scenario, seed=seed)
    model.run()
    return outcome_of(model, game.row)


def move_items(game: Game) -> list[tuple[int, str, Any, str]]:
    """Every move of the game: (round, kind, index or forum, words); grouped per round and kind
    beyond ``MAX_UNDO``."""
    items = []
    for h in game.history:
        t, m = h["round"], h["moves"]
        for kind in ("court", "invite", "capacity"):
            items += [(t, kind, k, f"{kind} {code}") for k, code in enumerate(m.get(kind, []))]
        if m.get("concede"):
            items.append((t, "concede", None, f"concede {m['concede']:g}"))
        for forum, word in m.get("stance", {}).items():
            items.append((t, "stance", forum, f"{word or 'model decides'} in {forum}"))
    if len(items) <= MAX_UNDO:
        return items
    grouped: dict[tuple[int, str], list[str]] = {}
    for t, kind, _, words in items:
        grouped.setdefault((t, kind), []).append(words.split(" ", 1)[1])
    return [(t, kind, None, f"{kind} {', '.join(w)}") for (t, kind), w in grouped.items()]


def debrief(game: Game, runs: int = 10, plan: str | Path | None = None,
            trials: int = PLAN_TRIALS, plan_runs: int = PLAN_RUNS,
            fresh: int = PLAN_FRESH) -> dict[str, Any]:
    """The debrief of a finished game (see the module); ``runs`` 0 skips the seeds' comparison,
    ``trials`` 0 the planner (when no ``plan`` file is given)."""
    mine = game.outcome()
    own = _own(game, game.seed)
    forums = [{"id": a["id"], "you": _brief(a), "model": _brief(b),
               "difference": a["endorsements"] - b["endorsements"],
               "your_stance": a["stance"], "model_stance": b["stance"]}
              for a, b in zip(mine, own, strict=True)]
    result: dict[str, Any] = {"delegation": game.iso3, "scenario": game.scenario.name,
                              "seed": game.seed, "forums": forums}
    if runs > 0:
        result["seeds"] = _on_seeds(game, runs)
    mattered = []
    for t, kind, k, words in move_items(game):
        undone = _again(game, skip=(t, kind, k)).outcome()
        changes = [{"id": a["id"], "endorsements": a["endorsements"] - u["endorsements"],
                    "adopted": _flip(u["adopted"], a["adopted"])}
                   for a, u in zip(mine, undone, strict=True)]
        score = sum(1000 * bool(c["adopted"]) + abs(c["endorsements"]) for c in changes)
        mattered.append({"round": t, "move": words, "changes": changes, "score": score})
    mattered.sort(key=lambda m: (-m["score"], m["round"]))
    result["moves"] = mattered
    result["plan"] = _plan(game, plan, trials, plan_runs, fresh)
    return result


def _brief(o: dict[str, Any]) -> dict[str, Any]:
    return {"adopted": o["adopted"], "endorsements": o["endorsements"], "members": o["members"]}


def _flip(before: bool, after: bool) -> str:
    return "" if before == after else ("adopted only with it" if after else "adopted only without it")


def _on_seeds(game: Game, runs: int) -> dict[str, Any]:
    seeds = run_seeds(game.seed, runs)
    [own] = run_ensembles([("own", game.scenario)], seeds)
    played = [_again(game, seed=int(s)) for s in seeds]
    total = sum(_count(h["moves"]) for h in game.history)
    left_out = sum(total - sum(_count(h["moves"]) for h in p.history) for p in played)
    rows = []
    for k, f in enumerate(game.model.forums):
        you = np.array([p.model.forums[k].counts().endorse for p in played], dtype=float)
        adopted = np.array([bool(p.model.forums[k].outcome and p.model.forums[k].outcome.adopted)
                            for p in played])
        d, lo, hi = mean_ci(you - own.endorsements[:, k])
        rows.append({"id": f.id, "you": round(float(you.mean()), 1),
                     "model": round(float(own.endorsements[:, k].mean()), 1),
                     "difference": round(d, 1),
                     "ci95": None if math.isnan(lo) else [round(lo, 1), round(hi, 1)],
                     "p_adopt_you": round(float(adopted.mean()), 2),
                     "p_adopt_model": round(float(own.adopted[:, k].mean()), 2)})
    return {"runs": runs, "first_seed": int(seeds[0]), "forums": rows, "moves_left_out": int(left_out)}


def _count(moves: dict[str, Any]) -> int:
    return (sum(len(moves.get(k, [])) for k in ("court", "invite", "capacity"))
            + bool(moves.get("concede")) + len(moves.get("stance", {})))


def _plan(game: Game, plan: str | Path | None, trials: int, plan_runs: int,
          fresh: int) -> dict[str, Any]:
    from analysis.planner import describe, find_target, plan_campaign
    from analysis.strategies import apply_strategy, load_strategy_file

    if not game.sponsored:
        return {"how": f"none: the planner plans a sponsor's campaign, and {game.iso3} sponsors "
                       "no text"}
    forum = _plan_forum(game)
    if plan is not None:
        strategy = load_strategy_file(plan)
        how = f"read from {plan}"
        words = [strategy.spec.description or strategy.name]
    elif trials > 0:
        found = plan_campaign(game.scenario, forum, text=None, budget=game.budget, runs=plan_runs,
                              trials=trials, fresh=fresh, seed=game.seed)
        strategy = found.strategy
        words = describe(found.best.strategy, found.target, game.scenario)
        how = (f"a small search: plenary plan {game.path} --forum {forum} --budget "
               f"{game.budget:g} --trials {trials} --runs {plan_runs} --fresh {fresh} --seed "
               f"{game.seed} (the default is 100 trials on 20 seeds, checked on 200)")
        if found.best.number < 0:
            words = ["no candidate beat the scenario's own strategies: the plan is the own"]
    else:
        return {"how": "not asked for"}
    target = find_target(game.scenario, forum, None)
    model = NegotiationModel(apply_strategy(game.scenario, strategy), seed=game.seed)
    model.run()
    outcome = outcome_of(model, game.row)
    return {"how": how, "forum": forum, "sponsor": target.sponsor, "words": words,
            "on_your_seed": [{"id": o["id"], **_brief(o)} for o in outcome],
            "strategy": strategy.data}


def _plan_forum(game: Game) -> str:
    """The forum the plan aims at: of the forums deciding the player's first text, the one
    deciding last (the largest stage)."""
    tracks = [f for f in game.model.forums if f.proposal == game.texts[0]]
    return max(tracks, key=lambda f: (f.decides, len(f.member_index))).forum_id


def debrief_text(d: dict[str, Any]) -> str:
    """The debrief in words (what ``plenary play --replay`` prints and the page shows)."""
    lines = [f"{d['delegation']} in {d['scenario']}, seed {d['seed']}: you beside the model's "
             "own play of the same delegation on the same seed (same draws)"]
    for f in d["forums"]:
        lines.append(f"  {f['id']}: you {_says(f['you'])}, the model {_says(f['model'])} "
                     f"({f['difference']:+d}); your stance {f['your_stance']}, "
                     f"the model's {f['model_stance']}")
    if "seeds" in d:
        s = d["seeds"]
        lines.append(f"Your moves on {s['runs']} seeds from {s['first_seed']} beside the model's "
                     f"own (moves not allowed on a seed left out: {s['moves_left_out']}):")
        for f in s["forums"]:
            ci = f" [{f['ci95'][0]:+.1f}, {f['ci95'][1]:+.1f}]" if f["ci95"] else ""
            lines.append(f"  {f['id']}: {f['you']} against {f['model']} endorsements, "
                         f"{f['difference']:+.1f}{ci}; P(adopt) {f['p_adopt_you']:.2f} against "
                         f"{f['p_adopt_model']:.2f}")
    lines.append("Which moves mattered (each undone, all else equal, on your seed):")
    for m in d["moves"][:8]:
        lines.append(f"  round {m['round']}: {m['move']}: " + _changes(m["changes"]))
    if not d["moves"]:
        lines.append("  you made no moves")
    p = d["plan"]
    lines.append(f"The planner's best campaign: {p['how']}")
    if "words" in p:
        lines.append(f"  for {p['sponsor']} in {p['forum']}: " + "; ".join(p["words"]))
        lines.append("  on your seed: " + ", ".join(f"{o['id']} {_says(o)}"
                                                    for o in p["on_your_seed"]))
    return "\n".join(lines) + "\n"


def _says(o: dict[str, Any]) -> str:
    return (f"{o['endorsements']} of {o['members']} endorsing, "
            f"{'adopted' if o['adopted'] else 'not adopted'}")


def _changes(changes: list[dict[str, Any]]) -> str:
    said = [f"{c['id']} {c['endorsements']:+d}" + (f" ({c['adopted']})" if c["adopted"] else "")
            for c in changes if c["endorsements"] or c["adopted"]]
    return ", ".join(said) if said else "no change"


def debrief_markdown(d: dict[str, Any]) -> str:
    """The debrief as the page shows it: a table for each question (``debrief_text`` has the same
    in lines of text)."""
    out = [f"#### You beside the model\n\n{d['delegation']} in {d['scenario']}, seed {d['seed']}: "
           "the model's own play of the same delegation on the same seed (the same draws).\n",
           "| forum | you | the model | difference | your stance | the model's |",
           "|---|---|---|---:|---|---|"]
    out += [f"| {f['id']} | {_says(f['you'])} | {_says(f['model'])} | {f['difference']:+d} | "
            f"{f['your_stance']} | {f['model_stance']} |" for f in d["forums"]]
    if "seeds" in d:
        s = d["seeds"]
        out += ["", f"#### On {s['runs']} seeds from {s['first_seed']}\n\nYour moves replayed beside "
                    f"the model's own on the same seeds (moves not allowed on a seed are left out: "
                    f"{s['moves_left_out']}).\n",
                "| forum | you: endorsements | the model | difference [95%] | P(adopt): you | "
                "the model |", "|---|---:|---:|---|---:|---:|"]
        for f in s["forums"]:
            ci = f" [{f['ci95'][0]:+.1f}, {f['ci95'][1]:+.1f}]" if f["ci95"] else ""
            out.append(f"| {f['id']} | {f['you']} | {f['model']} | {f['difference']:+.1f}{ci} | "
                       f"{f['p_adopt_you']:.2f} | {f['p_adopt_model']:.2f} |")
    out += ["", "#### Which moves mattered\n\nEach move undone, all else equal, on your seed: what it "
                "added.\n"]
    if d["moves"]:
        out += ["| round | move | what it changed |", "|---:|---|---|"]
        out += [f"| {m['round']} | {m['move']} | {_changes(m['changes'])} |" for m in d["moves"][:8]]
    else:
        out.append("You made no moves.")
    p = d["plan"]
    out += ["", f"#### The planner's best campaign\n\n{p['how']}\n"]
    if "words" in p:
        out += [f"For {p['sponsor']} in {p['forum']}:\n"] + [f"- {w}" for w in p["words"]]
        out += ["", "On your seed: " + "; ".join(f"{o['id']} {_says(o)}" for o in p["on_your_seed"])]
    return "\n".join(out) + "\n"
