"""Run the tutorials in ``notebooks/`` and keep their outputs in the files (``make notebooks``),
so a browser view of the repository shows their tables and plots without running them.

Each notebook is executed from its own folder with nbclient (as nbmake does in the test suite) and
written back with its outputs and, in its metadata, ``plenary.sources_sha256``: the digest of its
code cells when they ran. ``tests/test_docs.py`` checks that every committed notebook has its
outputs and that this digest matches its code, so a notebook edited without ``make notebooks``
fails the suite. Outputs that name this machine's folders are written relative to the project.

Usage: ``python -m analysis.notebooks [NOTEBOOK ...]`` (default: every notebook).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from sim.paths import PROJECT_ROOT

NOTEBOOKS = PROJECT_ROOT / "notebooks"
TIMEOUT = 300


def sources_digest(nb) -> str:
    """SHA-256 over the notebook's code cells (their sources, in order)."""
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode("utf-8"))
            h.update(b"\0")
    return h.hexdigest()


def _relative(text: str) -> str:
    """Output text without this machine's folders: the project's relative, temporary ones named."""
    text = text.replace(str(PROJECT_ROOT) + "/", "").replace(str(PROJECT_ROOT), ".")
    return re.sub(r"/tmp/tmp[A-Za-z0-9_]+", "<temporary folder>", text)


def execute(path: Path) -> None:
    """Run one notebook in place: outputs, execution counts and the digest in its metadata."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if "text" in output:
                output["text"] = _relative(output["text"])
            for key, value in output.get("data", {}).items():
                if key.startswith("text/") and isinstance(value, str):
                    output["data"][key] = _relative(value)
    nb.metadata.pop("widgets", None)
    nb.metadata["plenary"] = {"sources_sha256": sources_digest(nb)}
    nbformat.write(nb, path)


def main(paths: list[str]) -> int:
    targets = [Path(p) for p in paths] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in targets:
        execute(path)
        print(f"executed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
