"""Benchmarks printed by `make bench` (never asserted in tests: timings depend on the machine).

Prints:
- first-run overhead: a fresh interpreter importing Plenary, loading the scenario and running it once;
- the median, 10th and 90th percentile wall time of one run of the demo scenario, scenario already
  loaded (what each run of a sweep costs).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "reaim_2023.yaml"
RUNS = 30


def first_run_overhead() -> dict[str, float]:
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import sim, agents.state, mesa\n"
        "t1 = time.perf_counter()\n"
        f"s = sim.load_scenario({str(SCENARIO)!r})\n"
        "t2 = time.perf_counter()\n"
        "sim.run_scenario(s, seed=1).summary\n"
        "t3 = time.perf_counter()\n"
        "print(t1 - t0, t2 - t1, t3 - t2)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imports, load, run = (float(x) for x in out.stdout.split())
    return {"imports": imports, "load scenario + roster": load, "first run": run}


def run_times() -> list[float]:
    from sim import load_scenario, run_scenario

    scenario = load_scenario(SCENARIO)
    _ = run_scenario(scenario, seed=0).summary  # warm caches
    times = []
    for seed in range(RUNS):
        t0 = time.perf_counter()
        _ = run_scenario(scenario, seed=seed).summary  # the summary is part of a run
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    from sim import load_scenario

    s = load_scenario(SCENARIO)
    print(f"Plenary benchmark: {SCENARIO.name} ({len(s.forums)} forums, {s.rounds} rounds, "
          f"{len(s.strategies)} strategies, {len(s.stakeholders)} stakeholders)")
    print("\nfirst-run overhead (fresh interpreter)")
    for name, seconds in first_run_overhead().items():
        print(f"  {name:<26} {seconds * 1000:8.1f} ms")
    times = run_times()
    q = statistics.quantiles(times, n=10)
    print(f"\none run, scenario loaded ({RUNS} seeds)")
    print(f"  median                     {statistics.median(times) * 1000:8.1f} ms")
    print(f"  p10 / p90                  {q[0] * 1000:8.1f} / {q[-1] * 1000:.1f} ms")
    print(f"  runs per second (1 core)   {1 / statistics.median(times):8.1f}")


if __name__ == "__main__":
    main()
