"""Running a sweep's runs on workers: the worker function, a local process pool, Dask, and the
driver :func:`run_sweep` that writes each finished chunk and shows progress.

Work travels in chunks (:class:`ChunkTask`, ``chunk_size`` runs each) so that shipping tasks costs
little beside the runs. The worker, :func:`run_chunk_file` (:func:`run_chunk`'s rows as the chunk's
Parquet bytes, so that the driver, sharing the CPUs with the workers, only writes them), is a
plain module-level function: the local pool forks or spawns its processes (:func:`start_method`)
and Dask may run it on other machines, so it must be importable there. Each worker process loads the scenario
once and keeps it (:func:`_base`); it checks the scenario's hash so that a worker that sees a
different file fails loudly instead of producing other numbers. Rows depend only on the runs'
parameters and seeds, never on the executor, the number of workers or the order chunks finish in.
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sim.batch.store import chunk_bytes, manifest_for, next_chunk_index, open_store, write_chunk
from sim.batch.sweep import Run, Sweep, with_value
from sim.format.scenario import Scenario
from sim.stance import Stance

Executor = Literal["local", "dask"]


@dataclass(frozen=True)
class ChunkTask:
    """A chunk of runs for one worker: where the scenario is, what to keep, which runs."""

    index: int
    scenario_path: str
    scenario_hash: str
    outcomes: tuple[str, ...]
    forums: tuple[str, ...]
    runs: tuple[Run, ...]


@dataclass
class SweepReport:
    """What :func:`run_sweep` did."""

    out: Path
    total: int
    resumed: int
    ran: int
    seconds: float

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else math.inf


# ---------------------------------------------------------------------------------------------
# the worker

_BASES: dict[tuple[str, str], tuple[dict[str, Any], Scenario]] = {}


def _base(path: str, expected_hash: str) -> tuple[dict[str, Any], Scenario]:
    """The scenario as a dict and validated, loaded once per worker process."""
    key = (path, expected_hash)
    if key not in _BASES:
        from sim.batch.sweep import scenario_hash
        from sim.format.loading import load_scenario

        scenario = load_scenario(path)
        if scenario_hash(scenario) != expected_hash:
            raise RuntimeError(f"this worker's copy of {path} (or of its roster data) differs from "
                               "the one the sweep was started with")
        _BASES[key] = (scenario.model_dump(), scenario)
    return _BASES[key]


def run_chunk(task: ChunkTask) -> pd.DataFrame:
    """Run every run of a chunk; one row per run (run id, point, replicate, seed, parameters,
    outcome columns ``<forum>.<outcome>``)."""
    from sim.batch.run import run_scenario

    base, scenario = _base(task.scenario_path, task.scenario_hash)
    rows = []
    made = None  # the last run's parameters and scenario: a point's replicates follow each other
    for run in task.runs:
        if made is None or made[0] != run.params:
            made = (run.params, with_value(base, scenario.source, run.params, scenario))
        result = run_scenario(made[1], seed=run.seed)  # (a run never changes its scenario)
        row: dict[str, Any] = {"run_id": run.run_id, "point": run.point,
                               "replicate": run.replicate, "seed": run.seed, **dict(run.params)}
        row.update(outcome_columns(result, task.outcomes, task.forums))
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in [c for c in frame.columns if c.endswith(".decided_round")]:
        frame[column] = frame[column].astype("Int64")  # null: the forum never decided
    return frame


def run_chunk_file(task: ChunkTask) -> bytes:
    """:func:`run_chunk`, its rows encoded as the chunk's Parquet file (what the executors run:
    the driver then only writes the bytes)."""
    return chunk_bytes(run_chunk(task))


def outcome_columns(result, outcomes: tuple[str, ...], forums: tuple[str, ...]) -> dict[str, Any]:
    """The outcome columns of one run, from its forums' summaries without the names (not the
    whole summary: its coalitions and pivotal sets cost half a millisecond) and its record, for
    the series."""
    from sim.batch.run import forum_summaries

    out: dict[str, Any] = {}
    by_id = {f["id"]: f for f in forum_summaries(result.model, names=False)}
    # the per-round series straight from the model's record (the rows of the time series'
    # ``endorse`` column, without building the table)
    track = {f.id: k for k, f in enumerate(result.model.forums)}
    endorsed = result.model.record.counts[:, :, int(Stance.ENDORSE)]
    # a forum deciding rival texts is named by its id (all its texts) or by a text's forum/text
    chosen = [t for fid in forums for t in ([fid] if fid in by_id else
                                             [k for k, f in by_id.items() if f["forum"] == fid])]
    for forum_id in chosen or tuple(by_id):
        f = by_id[forum_id]
        for name in outcomes:
            if name == "objectors":
                out[f"{forum_id}.objectors"] = f["objecting"]
            elif name == "decided_round":
                out[f"{forum_id}.decided_round"] = f["decided_round"]
            elif name == "endorsements_by_round":
                out[f"{forum_id}.endorsements_by_round"] = endorsed[track[forum_id]].tolist()
            else:
                out[f"{forum_id}.{name}"] = f[name]
    return out


# ---------------------------------------------------------------------------------------------
# executors: each yields finished chunks, in whatever order they finish


def local_chunks(tasks: list[ChunkTask], workers: int) -> Iterator[tuple[ChunkTask, bytes]]:
    """Run chunks on a local pool of ``workers`` processes (see :func:`start_method`).

    The pool starts its workers here, when it is called, so that they are forked before the
    caller starts anything else (a progress display's thread); iterate the result to get the
    finished chunks and to shut the pool down.
    """
    context = multiprocessing.get_context(start_method())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start)
    futures = {pool.submit(run_chunk_file, task): task for task in tasks}  # starts every worker
    return _finished(pool, futures)


def _worker_start() -> None:
    """In each worker process of the local pool: hide what the worker starts with (modules,
    Mesa, pandas: some 200,000 objects) from the cyclic garbage collector, which otherwise walks
    them all in each full collection, a pause of up to 0.1 s every few dozen runs."""
    gc.freeze()


def start_method() -> str:
    """How the local pool starts its workers, chosen explicitly whatever Mesa set globally.

    On Linux they are forked: a forked worker starts with Plenary, Mesa and the compiled kernels
    already imported, where a spawned one spends about 2 s importing them again (a sweep of a
    few hundred runs on 2 cores lasts a few seconds). Elsewhere (macOS, Windows) forking is
    unsafe or unavailable and they are spawned. Rows do not depend on it.
    """
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _finished(pool: ProcessPoolExecutor, futures: dict) -> Iterator[tuple[ChunkTask, bytes]]:
    with pool:
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()


def dask_chunks(tasks: list[ChunkTask], workers: int, scheduler: str | None = None,
                client=None) -> Iterator[tuple[ChunkTask, bytes]]:
    """Run chunks with ``dask.distributed``: on ``client`` if given, else on the cluster at
    ``scheduler``, else on a ``LocalCluster`` of ``workers`` single-threaded processes.

    Dask reruns the chunks of a worker that dies; since a chunk's rows depend only on its runs,
    the rerun gives the same rows.
    """
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if client is None:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(scheduler)
        owned = client
    else:
        owned = None
    try:
        futures = {}
        for task in tasks:
            future = client.submit(run_chunk_file, task, pure=False)
            futures[future.key] = (future, task)
        for future in dask_completed([f for f, _ in futures.values()]):
            yield futures[future.key][1], future.result()
    finally:
        if owned is not None:
            owned.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------------------------
# the driver


def run_sweep(sweep: Sweep, out: str | Path, executor: Executor = "local", workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, client=None,
              console: Console | None = None) -> SweepReport:
    """Run a sweep into ``out``; with ``resume``, only the runs not yet in a finished chunk.

    Args:
        sweep: from :func:`sim.batch.sweep.load_sweep`.
        out: the results folder (see ``sim.batch.store``).
        executor: ``local`` (a process pool) or ``dask``.
        workers: worker processes (default: the CPUs this process may use).
        scheduler: a Dask scheduler's address (``tcp://HOST:8786``); none = a LocalCluster.
        resume: continue a sweep killed part-way in ``out``.
        client: an existing ``distributed.Client`` (for notebooks and tests).
        console: where progress goes (default: stderr).

    Returns:
        A :class:`SweepReport`.
    """
    out = Path(out)
    workers = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                          else os.cpu_count() or 1)
    done = open_store(out, manifest_for(sweep), resume)
    todo = [run for run in sweep.runs if run.run_id not in done]
    tasks = chunk_tasks(sweep, todo, first_index=next_chunk_index(out))
    console = console or Console(stderr=True)
    started = time.perf_counter()
    if tasks:
        chunks = (dask_chunks(tasks, workers, scheduler, client) if executor == "dask"
                  else local_chunks(tasks, workers))
        with _progress(console) as progress:
            bar = progress.add_task(sweep.spec.name, total=len(sweep.runs), completed=len(done),
                                    first=len(done))
            for task, encoded in chunks:
                write_chunk(out, task.index, encoded)
                progress.advance(bar, len(task.runs))
    report = SweepReport(out, len(sweep.runs), len(done), len(todo), time.perf_counter() - started)
    console.print(f"sweep {sweep.spec.name}: {report.total} runs ({report.resumed} already done, "
                  f"{report.ran} run) in {report.seconds:.1f} s, {report.runs_per_second:.1f} runs/s "
                  f"-> {out}", highlight=False, soft_wrap=True)
    return report


def chunk_tasks(sweep: Sweep, runs: list[Run], first_index: int = 0) -> list[ChunkTask]:
    size = sweep.spec.chunk_size
    path = str((sweep.path.parent / sweep.spec.scenario).resolve())
    forums = tuple(sweep.spec.forums or ())
    return [ChunkTask(first_index + k, path, sweep.scenario_hash, tuple(sweep.spec.outcomes), forums,
                      tuple(runs[i:i + size]))
            for k, i in enumerate(range(0, len(runs), size))]


class _RunsPerSecond(ProgressColumn):
    def render(self, task) -> Text:
        speed = (task.completed - task.fields["first"]) / task.elapsed if task.elapsed else 0.0
        return Text(f"{speed:.1f} runs/s")


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    _RunsPerSecond(), TextColumn("eta"), TimeRemainingColumn(), console=console,
                    disable=not console.is_terminal, transient=False)
