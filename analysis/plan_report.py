"""Show and write what ``plenary plan`` found (``analysis/planner.py``): the plan in words, the
fresh-seed comparison with the scenario's own strategies, the search's trace.

Files: ``plan.yaml`` (a strategy file ``plenary compare --strategy`` accepts), ``plan.json`` (the
search and the fresh comparison), ``plan.md`` (the plan in words) and ``plan.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from analysis.palette import CATEGORY_COLOURS
from analysis.planner import Plan, describe
from sim.batch.outputs import save_figure, write_atomic


def _ci(d: dict[str, Any], digits: int, sign: bool = False) -> str:
    fmt = f"{{:{'+' if sign else ''}.{digits}f}}"
    lo, hi = d["ci95"]
    bounds = "" if lo is None else f" [{fmt.format(lo)}, {fmt.format(hi)}]"
    return fmt.format(d["mean"]) + bounds


def verdict(p: Plan) -> str:
    """One sentence: does the plan beat the scenario's own strategies on fresh seeds?"""
    f, key = p.fresh, p.objective
    what = "endorsements" if key == "endorsements" else "P(adopt)"
    digits = 1 if key == "endorsements" else 2
    diff = _ci(f[f"diff_{key}"], digits, sign=True)
    if p.best.number < 0:
        return (f"No campaign within a budget of {p.budget:g} beat the scenario's own strategies on "
                f"the {len(p.search_seeds)} search seeds ({len(p.candidates)} tried): the plan is "
                f"the scenario's own (fresh difference {diff}).")
    if p.beats_own:
        return (f"The plan beats the scenario's own strategies on {f['runs']} fresh seeds: "
                f"{what} {diff} (paired 95% interval above zero).")
    return (f"The best of {len(p.candidates)} campaigns within a budget of {p.budget:g} does not "
            f"beat the scenario's own strategies measurably on {f['runs']} fresh seeds: {what} "
            f"{diff} (the paired 95% interval includes zero or lies below it).")


def plan_words(p: Plan) -> str:
    """The plan as a diplomat reads it (Markdown)."""
    t = p.target
    lines = [f"# Plan for {t.sponsor}: {t.proposal} in {t.forum}", "",
             f"Scenario: {p.scenario.name}. Objective: {p.objective} in {t.forum}. Budget before "
             f"the forums open: {p.budget:g} demarches (capacity building costs "
             f"{p.scenario.behaviour.capacity_cost:g} each).", "", "## The plan", ""]
    lines += [f"- {w}" for w in describe(p.best.strategy, t, p.scenario)]
    f = p.fresh
    lines += ["", "## On fresh seeds", "", verdict(p), "",
              "| | scenario's own | plan | difference (paired 95% CI) |", "|---|---|---|---|",
              f"| endorsements | {_ci(f['own_endorsements'], 1)} | {_ci(f['plan_endorsements'], 1)} "
              f"| {_ci(f['diff_endorsements'], 1, True)} |",
              f"| P(adopt) | {_ci(f['own_adoption'], 2)} | {_ci(f['plan_adoption'], 2)} "
              f"| {_ci(f['diff_adoption'], 2, True)} |", "",
              f"Search: {len(p.candidates)} campaigns, each on seeds {int(p.search_seeds[0])}-"
              f"{int(p.search_seeds[-1])} (common random numbers); fresh seeds "
              f"{int(p.fresh_seeds[0])}-{int(p.fresh_seeds[-1])}. Candidates to court: "
              f"{', '.join(p.pool) or 'none'} (the members resisting the text under the scenario's "
              "own strategies, blockers first, then those closest to endorsing); to offer capacity "
              f"building: {', '.join(p.aid_pool) or 'none'} (the same, weaker than "
              f"{p.target.sponsor}).", "",
              "Reproduce: `plenary compare SCENARIO --strategy own --strategy plan.yaml "
              f"--seed {int(p.fresh_seeds[0])} --runs {f['runs']} --out DIR`."]
    return "\n".join(lines) + "\n"


def print_plan(p: Plan, console: Console) -> None:
    console.print(plan_words(p), highlight=False, markup=False, soft_wrap=True)


def _as_json(p: Plan) -> dict[str, Any]:
    t = p.target
    return {
        "scenario": p.scenario.name, "forum": t.forum, "proposal": t.proposal, "sponsor": t.sponsor,
        "objective": p.objective, "budget": p.budget, "seed": p.seed,
        "search_seeds": [int(p.search_seeds[0]), int(p.search_seeds[-1])],
        "fresh_seeds": [int(p.fresh_seeds[0]), int(p.fresh_seeds[-1])],
        "pool": p.pool, "aid_pool": p.aid_pool,
        "own_on_search_seeds": {"endorsements": p.own_search.endorsements,
                                "adoption": p.own_search.adoption, "score": p.own_search.score},
        "winner": {"trial": p.best.number, "score": p.best.score,
                   "strategy": p.best.strategy.model_dump(exclude_defaults=True),
                   "words": describe(p.best.strategy, t, p.scenario)},
        "fresh": p.fresh, "beats_own": p.beats_own,
        "trials": [{"trial": c.number, "endorsements": c.endorsements, "adoption": c.adoption,
                    "score": c.score, "strategy": c.strategy.model_dump(exclude_defaults=True)}
                   for c in p.candidates],
    }


def write_plan(p: Plan, out: str | Path) -> list[Path]:
    """Write ``plan.yaml``, ``plan.json``, ``plan.md`` and ``plan.png`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    written.append(write_strategy_file(p.strategy, out / "plan.yaml", verdict(p)))
    path = out / "plan.json"
    write_atomic(path, json.dumps(_as_json(p), indent=2, ensure_ascii=False) + "\n")
    written.append(path)
    path = out / "plan.md"
    write_atomic(path, plan_words(p))
    written.append(path)
    written.append(plot_plan(p, out / "plan.png"))
    return written


def write_strategy_file(strategy, path: str | Path, header: str = "") -> Path:
    """Write a strategy file (``plenary compare --strategy``), ``header`` as its comment lines."""
    path = Path(path)
    comment = "".join(f"# {line}\n" for line in header.split("\n")) if header else ""
    write_atomic(path, comment + yaml.safe_dump(strategy.data, sort_keys=False, allow_unicode=True))
    return path


def plot_plan(p: Plan, path: Path) -> Path:
    """Left: each candidate's score on the search seeds and the best so far, beside the scenario's
    own. Right: the paired difference of the plan to the own strategies on fresh seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
    scores = [c.score for c in p.candidates]
    best = [max(scores[: i + 1]) for i in range(len(scores))]
    left.scatter(range(len(scores)), scores, s=12, color="#888888", label="candidate")
    left.plot(range(len(scores)), best, color=CATEGORY_COLOURS[0], label="best so far")
    left.axhline(p.own_search.score, color=CATEGORY_COLOURS[1], linestyle="--", label="scenario's own")
    left.set_xlabel("candidate (in the order tried)")
    left.set_ylabel("mean endorsements" if p.objective == "endorsements"
                    else "P(adopt) (ties by endorsements)")
    left.set_title(f"search on {len(p.search_seeds)} seeds (common random numbers)", fontsize=10)
    left.legend(fontsize=8, loc="lower right")
    labels, means, errors = [], [], []
    for key, label in (("endorsements", "endorsements"), ("adoption", "P(adopt) x 100")):
        d = p.fresh[f"diff_{key}"]
        scale = 100.0 if key == "adoption" else 1.0
        lo, hi = d["ci95"]
        mean = d["mean"] * scale
        labels.append(label)
        means.append(mean)
        errors.append([0.0, 0.0] if lo is None else [mean - lo * scale, hi * scale - mean])
    right.barh(labels, means, xerr=list(zip(*errors, strict=True)), color=CATEGORY_COLOURS[0], capsize=4)
    right.axvline(0.0, color="black", linewidth=0.8)
    right.set_title(f"plan - own on {p.fresh['runs']} fresh seeds (95% CI)", fontsize=10)
    fig.suptitle(f"{p.scenario.name}: plan for {p.target.sponsor} on {p.target.proposal} in "
                 f"{p.target.forum}", fontsize=11)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path
