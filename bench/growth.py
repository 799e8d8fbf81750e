"""Growth of run time and memory with the number of agents, beside the per-agent Mesa reference.

Each size runs in its own interpreter so that its peak memory (ru_maxrss) is its own. Run as
``python bench/growth.py`` (``make bench`` does).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = [(50, 1), (193, 3), (1000, 10), (10_000, 100)]  # (agents, of which stakeholders)
REFERENCE_ROUNDS = {50: 100, 193: 100, 1000: 10, 10_000: 1}  # fewer rounds, scaled up, for large


def measure(agents: int, stakeholders: int, folder: str) -> dict:
    import resource

    sys.path.insert(0, str(HERE))
    from reference_mesa import run_reference
    from synthetic import write_world

    from sim import load_scenario, run_scenario

    states = agents - stakeholders
    scenario = load_scenario(write_world(Path(folder), states, stakeholders))
    run_scenario(scenario, seed=0)  # compile kernels, build the world once
    runs = 3 if agents >= 10_000 else 7
    times = []
    for seed in range(1, runs + 1):
        t0 = time.perf_counter()
        result = run_scenario(scenario, seed=seed)
        _ = result.summary  # the summary is part of a run
        times.append(time.perf_counter() - t0)
    ties = result.model.world.ties.nnz
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rounds = REFERENCE_ROUNDS[agents]
    t0 = time.perf_counter()
    run_reference(scenario, seed=1, rounds=rounds)
    reference = (time.perf_counter() - t0) * scenario.rounds / rounds
    return {"agents": agents, "ties": ties, "median_s": statistics.median(times),
            "peak_mb": peak_mb, "reference_s": reference,
            "reference_scaled": rounds != scenario.rounds}


def main() -> None:
    print("growth: synthetic worlds of the real density (3 forums, 100 rounds, strategies,")
    print("stakeholders and drift on); per-agent Mesa reference beside it")
    print(f"{'agents':>8} {'ties':>10} {'run (median)':>14} {'peak RSS':>10} "
          f"{'Mesa per-agent':>16} {'ratio':>8}")
    for agents, stakeholders in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            out = subprocess.run(
                [sys.executable, "-c",
                 f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import growth;"
                 f"print(json.dumps(growth.measure({agents}, {stakeholders}, {folder!r})))"],
                capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        scaled = "*" if r["reference_scaled"] else " "
        print(f"{r['agents']:>8} {r['ties']:>10,} {r['median_s'] * 1000:>11.1f} ms "
              f"{r['peak_mb']:>7.0f} MB {r['reference_s']:>14.2f} s{scaled} "
              f"{r['reference_s'] / r['median_s']:>7.0f}x")
    print("* the reference ran fewer rounds (10 at 1,000 agents, 1 at 10,000), scaled to 100")


if __name__ == "__main__":
    main()
