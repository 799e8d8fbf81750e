"""A markdown table of what each bundled scenario produces: the median of seeds 1-5 beside the
real outcome where the forum models a real decision (``forums[].real_outcome``).

``scenarios/README.md`` carries this table; regenerate it with ``make outcomes`` after a change
to the engine or its defaults, so the documentation never reports an older engine's results.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np

from sim import load_scenario, run_scenario

SEEDS = (1, 2, 3, 4, 5)


def outcomes_table(paths: list[Path]) -> str:
    """One row per forum of each scenario: how often it was adopted over seeds 1-5, the median
    counts, the states objecting in at least three of the five runs, and the real outcome."""
    rows = ["| scenario | forum | rule | adopted (of 5) | endorse / members | no | abstain | absent "
            "| objectors (3+ of 5) | real outcome |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path in paths:
        scenario = load_scenario(path)
        runs = [run_scenario(scenario, seed=s).summary["forums"] for s in SEEDS]
        for k, f in enumerate(runs[0]):
            seen = [r[k] for r in runs]
            median = {key: int(np.median([x[key] for x in seen]))
                      for key in ("endorsements", "no", "abstain", "absent")}
            counts = Counter(c for x in seen for c in x["objectors"])
            objectors = sorted(c for c, n in counts.items() if n >= 3)
            listed = ", ".join(objectors[:10]) + (f" (+{len(objectors) - 10})" if len(objectors) > 10 else "")
            real = scenario.forum(f["id"].split("/")[0]).real_outcome
            rows.append(f"| `{path.name}` | {f['id']} | {f['rule']} | "
                        f"{sum(x['adopted'] for x in seen)} | {median['endorsements']} / {f['members']} | "
                        f"{median['no']} | {median['abstain']} | {median['absent']} | "
                        f"{listed or '-'} | {real or '-'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(outcomes_table([Path(p) for p in sys.argv[1:]]))
