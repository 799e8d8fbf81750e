"""The results of a sweep on disk: ``manifest.json`` and Parquet chunks under ``runs/``.

Layout of a sweep's folder::

    DIR/manifest.json            the sweep spec, the scenario's hash, package versions
    DIR/runs/chunk-000000.parquet  one row per run; each file written whole, then renamed into place

A chunk file appears atomically (written under a hidden temporary name in the same folder, then
``os.replace``), so a sweep killed at any instant leaves only whole chunks. Resuming reads the run
ids of the chunks present and runs the rest. Readers (pandas, pyarrow, DuckDB over
``DIR/runs/*.parquet``) never see the hidden temporary files.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.outputs import subfolder, write_atomic
from sim.errors import Problem, ScenarioError

MANIFEST = "manifest.json"
RUNS = "runs"
PACKAGES = ("plenary", "mesa", "numpy", "pandas", "pyarrow", "SALib", "dask", "distributed", "numba")


def manifest_for(sweep) -> dict[str, Any]:
    """The manifest of a :class:`sim.batch.sweep.Sweep`: what made these rows, and with which software."""
    spec = sweep.spec
    return {
        "sweep": spec.name,
        "spec": spec.model_dump(mode="json"),
        # the JSON's keys are sorted, and the design depends on the parameters' order in the file
        "parameter_order": list(spec.parameters),
        "identity": spec.identity(),
        "scenario": {"path": str(sweep.path.parent / spec.scenario), "name": sweep.scenario.name,
                     "sha256": sweep.scenario_hash},
        "runs": len(sweep.runs),
        "versions": {"python": platform.python_version(), **_versions()},
    }


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def open_store(out: Path, manifest: dict[str, Any], resume: bool) -> set[str]:
    """Prepare ``out`` for a sweep; returns the run ids already finished there.

    A new sweep needs an empty or missing folder. ``resume`` needs a folder made by the same sweep
    (same design and outcomes, same scenario): anything else is refused with a clear message.
    """
    out.mkdir(parents=True, exist_ok=True)
    where = str(out / MANIFEST)
    old_path = out / MANIFEST
    if not resume:
        if any(out.iterdir()):
            raise ScenarioError([Problem(str(out), 0, "", "the folder is not empty; add --resume to "
                                         "continue the sweep in it, or choose another --out")])
    elif old_path.exists():
        old = json.loads(old_path.read_text(encoding="utf-8"))
        if old.get("identity") != manifest["identity"]:
            raise ScenarioError([Problem(where, 0, "", f"cannot resume: this folder holds sweep "
                                         f"{old.get('sweep')!r} made from a different spec "
                                         "(parameters, method, seed, replicates or outcomes differ); "
                                         "choose another --out")])
        if old.get("scenario", {}).get("sha256") != manifest["scenario"]["sha256"]:
            raise ScenarioError([Problem(where, 0, "", "cannot resume: the scenario (or its roster "
                                         "data) changed since this sweep started; choose another --out")])
    elif not _only_a_start(out):
        raise ScenarioError([Problem(str(out), 0, "", "cannot resume: no manifest.json here, this "
                                     "folder was not made by plenary sweep")])
    # the manifest first, then runs/: a sweep killed in between leaves a folder --resume knows
    _write_atomic(old_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    runs = subfolder(out, RUNS)  # refused when a link: the chunks would go elsewhere
    for stale in runs.glob(".chunk-*"):
        stale.unlink()  # a temporary file of a chunk that was being written when the sweep died
    return finished_runs(out)


def _only_a_start(out: Path) -> bool:
    """Whether ``out`` holds nothing a sweep would not have left before its manifest was written:
    nothing, an empty ``runs/`` (a sweep of an earlier version, killed between the two) or a
    half-written manifest's temporary file (removed here)."""
    for entry in out.iterdir():
        if entry.name.startswith(f".{MANIFEST}.") and entry.is_file() and not entry.is_symlink():
            continue
        if entry.name == RUNS and entry.is_dir() and not entry.is_symlink() and not any(entry.iterdir()):
            continue
        return False
    for entry in out.glob(f".{MANIFEST}.*"):
        entry.unlink()
    return True


def finished_runs(out: Path) -> set[str]:
    """The run ids in the finished chunks of ``out``."""
    done: set[str] = set()
    for chunk in chunk_files(out):
        done.update(pq.read_table(chunk, columns=["run_id"]).column("run_id").to_pylist())
    return done


def chunk_files(out: Path) -> list[Path]:
    return sorted((Path(out) / RUNS).glob("chunk-*.parquet"))


def next_chunk_index(out: Path) -> int:
    files = chunk_files(out)
    return int(files[-1].stem.split("-")[1]) + 1 if files else 0


def write_chunk(out: Path, index: int, data: bytes) -> Path:
    """Write one chunk's :func:`chunk_bytes` atomically (a sweep's workers encode their chunks,
    so that the driver, which shares the CPUs with them, only writes)."""
    return _write_atomic(Path(out) / RUNS / f"chunk-{index:06d}.parquet", data)


def chunk_bytes(rows: pd.DataFrame) -> bytes:
    """A chunk's rows (sorted by run id) as the bytes of its Parquet file."""
    table = pa.Table.from_pandas(rows.sort_values("run_id", kind="stable"), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def read_results(out: str | Path) -> pd.DataFrame:
    """Every finished run of a sweep, one row per run, sorted by run id.

    Example:
        >>> read_results("out/demo_sweep")  # doctest: +SKIP
    """
    files = chunk_files(Path(out))
    if not files:
        raise ScenarioError([Problem(str(out), 0, "", "no finished runs here (no runs/chunk-*.parquet)")])
    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def read_manifest(out: str | Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    if not path.exists():
        raise ScenarioError([Problem(str(out), 0, "", "no manifest.json: not a sweep folder")])
    return json.loads(path.read_text(encoding="utf-8"))


def _write_atomic(path: Path, data: bytes) -> Path:
    return write_atomic(path, data, sync=True)
