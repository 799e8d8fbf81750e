"""Sweeps: the design, the rows, resuming after kill -9, local and Dask executors, bad specs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from sim import ScenarioError, load_scenario, run_scenario
from sim.batch.executors import chunk_tasks, run_chunk, run_sweep
from sim.batch.store import chunk_files, read_results
from sim.batch.sweep import load_sweep
from sim.paths import PROJECT_ROOT

FIVE = PROJECT_ROOT / "tests" / "data" / "five_states.yaml"
REAIM = PROJECT_ROOT / "scenarios" / "reaim_2023.yaml"

FIVE_LHS = f"""
name: five_lhs
scenario: {FIVE}
seed: 0
replicates: 2
method: lhs
samples: 6
parameters:
  behaviour.noise: {{range: [0.05, 0.8]}}
  behaviour.social: {{range: [0.0, 1.0]}}
chunk_size: 4
"""

#: 24 runs over the demo scenario in 8 chunks: long enough to be killed part-way.
REAIM_GRID = f"""
name: reaim_grid
scenario: {REAIM}
seed: 0
replicates: 8
parameters:
  behaviour.noise: {{values: [0.3, 0.5, 0.7]}}
outcomes: [adopted, endorsements, objectors, endorsements_by_round]
forums: [core_group, reaim_summit]
chunk_size: 3
"""


@pytest.fixture
def write_sweep(tmp_path):
    def write(text: str, name: str = "sweep.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by run id, per-round series as tuples (lists and arrays compare alike)."""
    frame = frame.sort_values("run_id").reset_index(drop=True)
    for column in [c for c in frame.columns if c.endswith(".endorsements_by_round")]:
        frame[column] = [tuple(int(x) for x in v) for v in frame[column]]
    return frame


def serial_rows(sweep) -> pd.DataFrame:
    """The rows of every run computed in this process, one chunk after another: the reference."""
    return comparable(pd.concat([run_chunk(t) for t in chunk_tasks(sweep, sweep.runs)]))


@pytest.fixture(scope="module")
def reaim_reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("reaim") / "sweep.yaml"
    path.write_text(textwrap.dedent(REAIM_GRID).lstrip("\n"), encoding="utf-8")
    return path, serial_rows(load_sweep(path))


# -- the design ---------------------------------------------------------------------------------


def test_grid_has_a_run_per_point_and_replicate_with_unique_sorted_ids(write_sweep):
    sweep = load_sweep(write_sweep(REAIM_GRID))
    ids = [r.run_id for r in sweep.runs]
    assert len(ids) == 3 * 8 == len(set(ids))
    assert ids == sorted(ids)
    assert [r.params for r in sweep.runs[:9:8]] == [(("behaviour.noise", 0.3),), (("behaviour.noise", 0.5),)]


def test_run_seeds_come_from_the_sweep_seed_and_run_id_even_for_seed_zero(write_sweep):
    first = load_sweep(write_sweep(FIVE_LHS, "a.yaml")).runs
    again = load_sweep(write_sweep(FIVE_LHS, "b.yaml")).runs
    other = load_sweep(write_sweep(FIVE_LHS.replace("seed: 0", "seed: 1"), "c.yaml")).runs
    assert [r.seed for r in first] == [r.seed for r in again]
    assert [r.params for r in first] == [r.params for r in again]
    assert len({r.seed for r in first}) == len(first)
    assert not {r.seed for r in first} & {r.seed for r in other}


@pytest.mark.parametrize(("method", "samples", "points"),
                         [("random", 5, 5), ("lhs", 5, 5), ("sobol", 4, 4 * (2 + 2)),
                          ("morris", 3, 3 * (2 + 1))])
def test_samplers_give_their_points_within_range_and_whole_integers(write_sweep, method, samples, points):
    text = f"""
    name: s
    scenario: {FIVE}
    method: {method}
    samples: {samples}
    parameters:
      behaviour.noise: {{range: [0.1, 0.9]}}
      world.spread: {{range: [0, 0.5]}}
    """
    runs = load_sweep(write_sweep(text)).runs
    assert len(runs) == points
    values = pd.DataFrame([dict(r.params) for r in runs])
    assert values["behaviour.noise"].between(0.1, 0.9).all()
    assert values["world.spread"].between(0, 0.5).all()


def test_integer_parameters_take_every_whole_value_in_their_range(write_sweep):
    text = f"""
    name: s
    scenario: {REAIM}
    method: lhs
    samples: 40
    parameters:
      strategies.0.budget: {{range: [0, 4], integer: true}}
    """
    budgets = [dict(r.params)["strategies.0.budget"] for r in load_sweep(write_sweep(text)).runs]
    assert all(isinstance(b, int) for b in budgets)
    assert sorted(set(budgets)) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("text", "path", "forum"), [(FIVE_LHS, FIVE, "summit"),
                                                      (REAIM_GRID, REAIM, "reaim_summit")])
def test_each_row_is_what_plenary_run_gives_with_the_same_set_and_seed(write_sweep, text, path,
                                                                       forum):
    # a chunk's replicates of a point share one scenario (made once): each row must still be
    # the run a fresh scenario gives
    sweep = load_sweep(write_sweep(text))
    task = chunk_tasks(sweep, sweep.runs)[0]
    assert task.runs[0].params == task.runs[1].params  # two replicates of a point
    rows = run_chunk(task)
    for run, (_, row) in zip(task.runs, rows.iterrows(), strict=True):
        summary = run_scenario(load_scenario(path, run.overrides()), seed=run.seed).summary
        entry = next(f for f in summary["forums"] if f["id"] == forum)
        assert (row["run_id"], row["seed"]) == (run.run_id, run.seed)
        assert row[f"{forum}.endorsements"] == entry["endorsements"]
        assert row[f"{forum}.adopted"] == entry["adopted"]
        assert row[f"{forum}.objectors"] == len(entry["objectors"])
        assert row["behaviour.noise"] == dict(run.params)["behaviour.noise"]


# -- executors and the store ----------------------------------------------------------------------


def test_local_pool_and_dask_give_the_rows_of_a_serial_run(write_sweep, tmp_path):
    from distributed import Client, LocalCluster

    sweep = load_sweep(write_sweep(FIVE_LHS))
    reference = serial_rows(sweep)
    run_sweep(sweep, tmp_path / "local", workers=2)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        run_sweep(sweep, tmp_path / "dask", executor="dask", client=client)
    pd.testing.assert_frame_equal(comparable(read_results(tmp_path / "local")), reference)
    pd.testing.assert_frame_equal(comparable(read_results(tmp_path / "dask")), reference)
    assert len(chunk_files(tmp_path / "local")) == 3  # 12 runs, 4 a chunk


def test_sweep_killed_with_sigkill_and_resumed_has_exactly_the_uninterrupted_rows(reaim_reference,
                                                                                   tmp_path):
    path, reference = reaim_reference
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "1"], cwd=PROJECT_ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (out / "runs").exists() or not chunk_files(out):
            assert proc.poll() is None and time.monotonic() < deadline, "no chunk appeared"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker, as a crash would
        proc.wait()
    finished = len(chunk_files(out))
    assert 0 < finished < 8, "the kill must land part-way"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "2", "--resume"]) == 0
    pd.testing.assert_frame_equal(comparable(read_results(out)), reference)


def test_a_dask_worker_killed_part_way_does_not_change_the_rows(reaim_reference, tmp_path):
    from distributed import Client, LocalCluster

    path, reference = reaim_reference
    out = tmp_path / "out"
    sweep = load_sweep(path)
    sweep.spec.chunk_size = 2
    killed_after: list[int] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        victim = next(iter(client.run(os.getpid).values()))

        def kill_when_a_chunk_is_written() -> None:
            while not ((out / "runs").exists() and chunk_files(out)):
                time.sleep(0.005)
            os.kill(victim, signal.SIGKILL)
            killed_after.append(len(chunk_files(out)))

        killer = threading.Thread(target=kill_when_a_chunk_is_written, daemon=True)
        killer.start()
        run_sweep(sweep, out, executor="dask", client=client)
        killer.join(timeout=10)
    assert killed_after and killed_after[0] < 12, "the kill must land part-way"
    pd.testing.assert_frame_equal(comparable(read_results(out)), reference)


def test_resume_refuses_a_folder_made_by_another_spec(write_sweep, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(FIVE_LHS)), "--out", str(out), "--workers", "1"]) == 0
    other = write_sweep(FIVE_LHS.replace("samples: 6", "samples: 7"), "other.yaml")
    assert main(["sweep", str(other), "--out", str(out), "--resume"]) == 2
    assert "cannot resume" in capsys.readouterr().err
    assert main(["sweep", str(other), "--out", str(out)]) == 2
    assert "not empty; add --resume" in capsys.readouterr().err


# -- bad specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("method: lhs", "method: halton",
         "5: method: 'halton' is not one of grid, random, lhs, sobol, morris"),
        ("[0.05, 0.8]", "[0.8, 0.05]",
         "8: parameters.behaviour.noise: range must be [low, high] with low < high"),
        ("behaviour.social:", "behaviour.socail:",
         "9: parameters.behaviour.socail: 0.0 does not fit the scenario: behaviour.socail: unknown key"),
        ("[0.05, 0.8]", "[0.0, 0.8]",
         "8: parameters.behaviour.noise: 0.0 does not fit the scenario: behaviour.noise: "
         "Input should be greater than 0"),
        ("replicates: 2", "replicates: 0", "4: replicates: Input should be greater than or equal to 1"),
        ("chunk_size: 4", "chunk_size: 4\nforums: [summmit]", "11: forums[0]: no forum 'summmit'"),
        ("samples: 6", "samples: 6\nrepeats: 2", "7: repeats: unknown key"),
    ],
)
def test_each_mistake_in_a_sweep_is_one_line_with_file_line_and_field(write_sweep, tmp_path, capsys,
                                                                      old, new, expected):
    assert old in FIVE_LHS
    path = write_sweep(FIVE_LHS.replace(old, new))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert any(line.startswith(f"{path}:{expected}") for line in lines), lines
    assert not out.exists()


def test_sobol_needs_a_power_of_two_and_says_so_at_the_samples_line(write_sweep):
    text = FIVE_LHS.replace("method: lhs", "method: sobol")
    path = write_sweep(text)
    with pytest.raises(ScenarioError) as err:
        load_sweep(path)
    line = 1 + textwrap.dedent(text).lstrip("\n").splitlines().index("samples: 6")
    assert str(err.value.problems[0]).startswith(
        f"{path}:{line}: samples: sobol: samples must be a power of 2, got 6 (try 4 or 8)")


def test_yes_and_no_are_outcomes_not_booleans(write_sweep):
    sweep = load_sweep(write_sweep(FIVE_LHS + "outcomes: [adopted, yes, no]\n"))
    assert sweep.spec.outcomes == ["adopted", "yes", "no"]


def test_the_demo_sweep_has_at_least_200_runs_over_the_demo_scenario():
    sweep = load_sweep(PROJECT_ROOT / "scenarios" / "sweeps" / "demo_sweep.yaml")
    assert len(sweep.runs) >= 200
    assert sweep.scenario.name == "reaim_2023"
    assert sweep.spec.replicates >= 3


# -- analysis -------------------------------------------------------------------------------------


#: Three parameters, not in alphabetical order: the analysis must keep the file's order.
THREE = """
  behaviour.social: {range: [0.0, 1.0]}
  behaviour.noise: {range: [0.05, 0.8]}
  world.defaults.ideal.stringency: {range: [0.3, 0.9]}
"""


@pytest.mark.parametrize(("method", "samples", "indices"), [
    ("sobol", 8, {"S1", "ST"}), ("morris", 6, {"mu_star", "sigma"}), ("lhs", 16, {"delta", "S1"}),
    ("random", 16, {"delta", "S1"}), ("grid", None, set())])
def test_analyze_works_end_to_end_on_every_sampling_method(write_sweep, tmp_path, capsys, method,
                                                          samples, indices):
    text = FIVE_LHS.replace("method: lhs", f"method: {method}").replace(
        "samples: 6", f"samples: {samples}" if samples else "")
    text = text.split("parameters:")[0] + "parameters:" + THREE + "chunk_size: 4\n"
    if method == "grid":
        text = text.replace("]}", "], levels: 3}")
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(text)), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["analyze", str(out)]) == 0
    printed = capsys.readouterr()
    # nothing but the files written: no SALib notices
    assert all(line.startswith("wrote ") for line in printed.out.splitlines()), printed.out
    assert printed.err == ""
    folder = out / "analysis"
    table = pd.read_csv(folder / "sensitivity.csv")
    assert indices <= set(table["index"]) or (indices and "pawn" in set(table["index"]))
    assert set(table["parameter"]) <= {"behaviour.noise", "behaviour.social",
                                       "world.defaults.ideal.stringency"}
    bands = pd.read_csv(folder / "bands.csv")
    assert (bands["p05"] <= bands["median"]).all() and (bands["median"] <= bands["p95"]).all()
    assert set(bands["forum"]) == {"ccw", "summit"}
    heat = pd.read_csv(folder / "adoption_heatmap.csv")
    assert list(heat.columns[2:4]) == ["behaviour.social", "behaviour.noise"]  # the file's first two
    assert heat["share"].between(0, 1).all() and heat["adoption"].between(0, 1).all()
    runs = read_results(out)
    assert heat.groupby("forum")["runs"].sum().eq(len(runs)).all()
    for forum, outcome in heat.groupby("forum")["outcome"].first().items():
        varies = runs[f"{forum}.adopted"].nunique() > 1
        assert (outcome == "adopted") == (varies or runs[f"{forum}.endorsements"].nunique() == 1)
    assert (folder / "prim.txt").read_text().startswith("PRIM scenario discovery")
    for png in ("bands.png", "adoption_heatmap.png") + (("sensitivity.png",) if indices else ()):
        assert (folder / png).stat().st_size > 1000


def test_the_analysis_rebuilds_the_design_the_runs_were_drawn_from(write_sweep, tmp_path):
    """The manifest sorts its keys; the sample rebuilt in that order would pair each parameter
    with another's values."""
    from analysis.sensitivity import spec_in_file_order
    from sim.batch.store import read_manifest
    from sim.batch.sweep import sample_matrix

    text = FIVE_LHS.split("parameters:")[0] + "parameters:" + THREE + "chunk_size: 4\n"
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(text)), "--out", str(out), "--workers", "1"]) == 0
    runs = read_results(out)
    spec = spec_in_file_order(read_manifest(out), runs)
    values = runs.groupby("point")[list(spec.parameters)].first().sort_index().to_numpy()
    assert list(spec.parameters)[:2] == ["behaviour.social", "behaviour.noise"]
    assert np.allclose(sample_matrix(spec), values)


def test_a_saturated_adoption_is_analysed_on_the_endorsements(tmp_path):
    from analysis.discovery import forum_target, write_prim
    from analysis.ensemble import write_heatmap
    from sim.batch.sweep import SweepSpec

    rng = np.random.default_rng(0)
    social, noise = rng.random(64), rng.random(64)
    runs = pd.DataFrame({"behaviour.social": social, "behaviour.noise": noise,
                         "f.adopted": True, "f.endorsements": np.where(social > 0.5, 120, 80)})
    target = forum_target(runs, "f")
    assert target.label == "endorsements >= 120" and target.hit.tolist() == (social > 0.5).tolist()
    assert forum_target(runs, "f", threshold=100).label == "endorsements >= 100"
    spec = SweepSpec.model_validate({"name": "s", "scenario": "x.yaml", "method": "lhs", "samples": 64,
                                     "parameters": {"behaviour.social": {"range": [0, 1]},
                                                    "behaviour.noise": {"range": [0, 1]}}})
    write_heatmap(spec, runs, tmp_path)
    heat = pd.read_csv(tmp_path / "adoption_heatmap.csv")
    assert set(heat["outcome"]) == {"endorsements >= 120"}
    assert set(heat["share"]) == {0.0, 1.0}  # social's bins split at 0.5
    write_prim(spec, runs, tmp_path)
    box = pd.read_csv(tmp_path / "prim.csv")
    assert list(box["parameter"]) == ["behaviour.social"] and box["low"].iloc[0] > 0.3
    assert box["density"].iloc[0] >= 0.8
    assert f"every run adopts, so: {(social > 0.5).mean():.1%} of runs reach endorsements >= 120" in (
        tmp_path / "prim.txt").read_text()


def test_analyze_refuses_an_unfinished_sweep(reaim_reference, tmp_path, capsys):
    path, _ = reaim_reference
    out = tmp_path / "out"
    sweep = load_sweep(path)
    run_sweep(sweep, out, workers=1)
    for chunk in chunk_files(out)[1:]:
        chunk.unlink()
    assert main(["analyze", str(out)]) == 2
    assert "not finished (3 of 24 runs)" in capsys.readouterr().err


def test_a_run_sets_its_values_and_leaves_the_sweeps_scenario_as_it_was():
    # runs share the unchanged parts of the base scenario; setting one run's values must not
    # leak into the base or into the next run
    import copy

    from sim.batch.sweep import with_value

    base_scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    base = base_scenario.model_dump()
    pristine = copy.deepcopy(base)
    first = with_value(base, base_scenario.source, [("behaviour.noise", 0.9),
                                                     ("strategies.0.budget", 7),
                                                     ("forums.1.pull", 0.8)])
    second = with_value(base, base_scenario.source, [("strategies.1.budget", 1)])
    assert base == pristine
    assert (first.behaviour.noise, first.strategies[0].budget, first.forums[1].pull) == (0.9, 7, 0.8)
    assert first.strategies[1].budget == base_scenario.strategies[1].budget
    assert second.strategies[0].budget == base_scenario.strategies[0].budget == 4
    assert (second.strategies[1].budget, second.behaviour.noise) == (1, base_scenario.behaviour.noise)


@pytest.mark.parametrize(("params", "valid"), [
    ([("behaviour.noise", 0.9), ("strategies.0.budget", 7), ("forums.1.pull", 0.8)], True),
    ([("world.spread", 0.05)], True),
    ([("behaviour.noise", -3.0)], False),  # pydantic's error
    ([("forums.0.decides", 1000)], False),  # the checks' errors, across sections
    ([("rounds", 5)], False),
])
def test_a_run_revalidating_only_what_it_changes_is_the_run_validated_whole(params, valid):
    # a sweep's worker validates again only the sections a run's numbers are set in and shares
    # the rest with the validated base: the scenario, or the errors, must be the same
    from sim.batch.sweep import with_value

    base_scenario = load_scenario(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")
    base = base_scenario.model_dump()
    outcomes = []
    for validated in (None, base_scenario):
        try:
            outcomes.append(with_value(base, base_scenario.source, params, validated).model_dump())
        except ScenarioError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    assert isinstance(outcomes[0], dict) == valid
