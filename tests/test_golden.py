"""The engine reproduces, byte for byte, outputs recorded before it was optimised.

tests/data/golden/ holds a fictional 60-state world that exercises every mechanism, and its
summary.json and timeseries.csv at seeds 1 and 2 as the first (unoptimised) engine wrote them.
A change that alters them changes the model's behaviour: if that is intended, say so in the
commit and record them anew.
"""

from pathlib import Path

import pytest

from sim import load_scenario, run_scenario, write_run

GOLDEN = Path(__file__).parent / "data" / "golden"


@pytest.mark.parametrize("seed", [1, 2])
def test_outputs_match_the_recorded_golden_files(tmp_path, seed):
    result = run_scenario(load_scenario(GOLDEN / "golden.yaml"), seed=seed)
    summary, series = write_run(result, tmp_path)
    assert summary.read_bytes() == (GOLDEN / f"summary_seed{seed}.json").read_bytes()
    assert series.read_bytes() == (GOLDEN / f"timeseries_seed{seed}.csv").read_bytes()
