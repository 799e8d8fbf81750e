"""Where the time of one run goes: milliseconds per run in each phase of the model's round.

Times the demo scenario (or the one given) over a few seeds after a warm-up run, with each phase
wrapped in a timer: model construction, the compiled rounds (sim/engine/fastround.py) and, for the
rounds the general path plays, the forums' deliberations (and the compiled kernel inside them),
coalition resolution, campaigns (and their outreach), stakeholders, drift, counts; the summary.
The wrappers cost about a microsecond a call, so phases read a little high; the total is the
unwrapped median. The objects alive after the warm-up run are frozen out of the garbage
collector (``gc.freeze``, as a sweep's workers do): otherwise a full collection's pause (~0.1 s,
every few dozen runs) lands in whichever phase allocates at the time, mostly construction.
``--cprofile`` prints cProfile's table instead. Run as
``python bench/profile_run.py [SCENARIO] [--runs N] [--cprofile]``; not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PHASES = [  # (module, object, attribute, label)
    ("sim.engine.model", "NegotiationModel", "__init__", "model construction"),
    ("sim.engine.fastround", None, "play", "compiled rounds (all of it)"),
    ("sim.engine.fastround", None, "_rounds", "  the compiled calls"),
    ("sim.engine.model", "NegotiationModel", "negotiate", "general rounds: forums"),
    ("sim.engine.model", "NegotiationModel", "deliberate", "  deliberation (draws + kernel)"),
    ("sim.engine.model", None, "deliberate", "    deliberation kernel"),
    ("agents.coalitions", None, "resolve", "  coalition resolution"),
    ("agents.strategy", "Campaign", "act", "  campaigns"),
    ("agents.strategy", "Campaign", "_outreach_key", "    outreach queue"),
    ("agents.stakeholder", None, "lobby", "  stakeholders"),
    ("sim.engine.model", "NegotiationModel", "drift", "  drift"),
    ("sim.engine.model", "NegotiationModel", "record_round", "  counts"),
    ("sim.batch.run", None, "summarise", "summary"),
]


def _timed(spent: Counter, label: str, function):
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - t0
    return timed


def main() -> None:
    import importlib

    from sim import load_scenario, run_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "reaim_2023.yaml"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cprofile", action="store_true", help="print cProfile's table")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    _ = run_scenario(scenario, seed=0).summary  # compile or load the kernels, build the setting
    gc.freeze()
    times = []
    for seed in range(1, args.runs + 1):
        t0 = time.perf_counter()
        _ = run_scenario(scenario, seed=seed).summary
        times.append(time.perf_counter() - t0)
    print(f"{Path(args.scenario).name}: median {statistics.median(times) * 1000:.1f} ms per run "
          f"({args.runs} seeds, unwrapped)")
    if args.cprofile:
        profile = cProfile.Profile()
        profile.enable()
        for seed in range(1, args.runs + 1):
            _ = run_scenario(scenario, seed=seed).summary
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    spent: Counter = Counter()
    for module, owner, attribute, label in PHASES:
        holder = importlib.import_module(module)
        holder = getattr(holder, owner) if owner else holder
        setattr(holder, attribute, _timed(spent, label, getattr(holder, attribute)))
    for seed in range(1, args.runs + 1):
        _ = run_scenario(scenario, seed=seed).summary
    for _, _, _, label in PHASES:
        print(f"  {label:<34} {spent[label] / args.runs * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
