"""A markdown table of what each bundled scenario produces at its default seed.

``scenarios/README.md`` carries this table; regenerate it with ``make outcomes`` after a change
to the engine or its defaults, so the documentation never reports an older engine's results.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim import load_scenario, run_scenario


def outcomes_table(paths: list[Path]) -> str:
    """One row per forum of each scenario: rule, adopted, yes/no/abstain, objectors."""
    rows = ["| scenario | forum | rule | adopted | endorse / members | no | abstain | absent | objectors |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path in paths:
        summary = run_scenario(load_scenario(path)).summary
        for f in summary["forums"]:
            objectors = ", ".join(f["objectors"][:6]) + (" ..." if len(f["objectors"]) > 6 else "")
            rows.append(f"| `{path.name}` | {f['id']} | {f['rule']} | "
                        f"{'yes' if f['adopted'] else 'no'} | {f['endorsements']} / {f['members']} | "
                        f"{f['no']} | {f['abstain']} | {f['absent']} | {objectors or '-'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(outcomes_table([Path(p) for p in sys.argv[1:]]))
