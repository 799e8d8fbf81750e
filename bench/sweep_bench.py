"""Sweep throughput: the demo sweep on 2 workers, and the same runs driven by ``mesa.batch_run``.

Prints runs per second of ``plenary sweep`` (local executor, 2 worker processes, Parquet chunks
written) beside ``mesa.batch_run`` with ``number_processes=2`` running the very same runs (same
parameters, same seeds), and their ratio. Both timings include starting the worker processes.

``batch_run`` in Mesa 3.3 does not seed its iterations, so the wrapper model below takes the run's
index as its one parameter and looks up the run's parameters and seed in the sweep's design. It
keeps the scenario loaded per process, as the sweep's workers do, so the comparison is between
the two ways of driving runs, not between loading strategies. The last lines run the demo design
at 128 and 512 base samples (3,072 and 12,288 runs), where the workers' start-up (~0.5 s each,
most of it Numba setting up its compiler before it loads the cached kernels) weighs less. Run as
``python bench/sweep_bench.py [--runs N] [--repeat K] [--quick]`` (``make bench`` does).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import mesa

from sim.batch.sweep import Sweep, load_sweep, with_value
from sim.engine.model import NegotiationModel

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "scenarios" / "sweeps" / "demo_sweep.yaml"
WORKERS = 2
_SWEEP: dict[str, tuple[Sweep, dict]] = {}


def _demo() -> tuple[Sweep, dict]:
    if "demo" not in _SWEEP:
        sweep = load_sweep(DEMO)
        _SWEEP["demo"] = (sweep, sweep.scenario.model_dump())
    return _SWEEP["demo"]


class BatchNegotiation(NegotiationModel):
    """NegotiationModel as ``mesa.batch_run`` drives it: built from keyword parameters, with a
    DataCollector recording each forum's endorsements every round."""

    def __init__(self, run_index: int):
        sweep, base = _demo()
        run = sweep.runs[run_index]
        super().__init__(with_value(base, sweep.scenario.source, run.params), seed=run.seed)
        self.datacollector = mesa.DataCollector(model_reporters={
            f.id: (lambda m, k=k: int(m.forums[k].counts().endorse)) for k, f in enumerate(self.forums)
        })

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def bench_sweep(sweep: Sweep) -> float:
    from rich.console import Console

    from sim.batch.executors import run_sweep

    with tempfile.TemporaryDirectory() as out:
        report = run_sweep(sweep, Path(out) / "sweep", workers=WORKERS,
                           console=Console(stderr=True, quiet=True))
    return report.ran / report.seconds


def bench_batch_run(runs: int, rounds: int) -> float:
    from mesa.batchrunner import batch_run

    t0 = time.perf_counter()
    rows = batch_run(BatchNegotiation, parameters={"run_index": range(runs)},
                     number_processes=WORKERS, iterations=1, data_collection_period=-1,
                     max_steps=rounds, display_progress=False)
    seconds = time.perf_counter() - t0
    assert len(rows) == runs
    return runs / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=0, help="the first N runs of the demo sweep "
                        "(default 0: all 768)")
    parser.add_argument("--quick", action="store_true", help="skip the 12,288-run sweep")
    parser.add_argument("--repeat", type=int, default=2, help="alternate the two, keep the best")
    args = parser.parse_args()
    sweep, _ = _demo()
    sweep.runs = sweep.runs[: args.runs or None]
    print(f"\nsweep throughput: {DEMO.relative_to(ROOT)}, {len(sweep.runs)} runs of "
          f"{sweep.scenario.name}, {WORKERS} workers, worker start-up included, best of {args.repeat}")
    ours, theirs = 0.0, 0.0
    for _ in range(args.repeat):  # alternated, so that a busy spell of the machine hits both
        ours = max(ours, bench_sweep(sweep))
        theirs = max(theirs, bench_batch_run(len(sweep.runs), sweep.scenario.rounds))
    print(f"  plenary sweep (process pool, chunks of {sweep.spec.chunk_size})  {ours:8.1f} runs/s")
    print(f"  mesa.batch_run (same runs and seeds)        {theirs:8.1f} runs/s")
    print(f"  ratio                                       {ours / theirs:8.2f}x")
    print("  larger sweeps of the same design (the workers' start-up weighs less):")
    for samples in (128,) if args.quick else (128, 512):
        large = larger_sweep(samples)
        print(f"    {len(large.runs):>6,} runs ({samples} base samples)"
              f"{bench_sweep(large):17.1f} runs/s")


def larger_sweep(samples: int) -> Sweep:
    """The demo sweep with more Sobol base samples (same parameters, scenario and seed)."""
    from sim.batch.sweep import design

    sweep = load_sweep(DEMO)
    sweep.spec.samples = samples
    sweep.runs = design(sweep.spec)
    return sweep

if __name__ == "__main__":
    main()
