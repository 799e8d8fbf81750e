"""The planner's speed: ``plenary plan`` on the demo scenario, over 2,000 candidate runs.

Times :func:`analysis.planner.plan_campaign` on ``scenarios/reaim_2023.yaml`` (the demo scenario),
forum ``reaim_summit``, with 100 candidates of 20 search runs each (2,000 candidate runs, plus 20
runs of the scenario's own strategies and 2 x 200 fresh runs), on 2 worker processes, start-up
included. The target (issue "What would change that"): under a minute on 2 cores. Run as
``python bench/plan_bench.py [--trials N] [--runs N] [--workers N]`` (``make bench`` does).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analysis.planner import plan_campaign
from sim.format.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fresh", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "reaim_2023.yaml")
    start = time.perf_counter()
    plan = plan_campaign(scenario, "reaim_summit", trials=args.trials, runs=args.runs,
                         fresh=args.fresh, workers=args.workers)
    seconds = time.perf_counter() - start
    candidate_runs = args.trials * args.runs
    total = candidate_runs + args.runs + 2 * args.fresh
    print(f"plan (reaim_2023, reaim_summit): {candidate_runs} candidate runs + "
          f"{total - candidate_runs} reference and fresh runs on {args.workers} workers: "
          f"{seconds:.1f} s ({total / seconds:.0f} runs/s; target: under 60 s)")
    d = plan.fresh["diff_endorsements"]
    print(f"  winner on {plan.fresh['runs']} fresh seeds: endorsements {d['mean']:+.1f} "
          f"[{d['ci95'][0]:+.1f}, {d['ci95'][1]:+.1f}] against the scenario's own")


if __name__ == "__main__":
    main()
