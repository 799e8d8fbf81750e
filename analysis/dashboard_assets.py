"""Put the dashboard's front-end files where Solara looks for them, so it works offline.

Solara's page loads its JavaScript and CSS from a public CDN, through a proxy cache in
``<venv>/share/solara/cdn`` (``solara.server.settings.assets.proxy_cache_dir``). Machines without
that CDN show a blank page. This script reads which packages the installed Solara asks for
(``@widgetti/solara-vuetify-app``, ``@widgetti/vue-grid-layout``, ``requirejs``, ``font-awesome``),
fetches each from the npm registry with ``npm pack`` and unpacks it into the cache. It runs during
set-up (``make test``), never at run time; online users do not need it.

Usage: ``python -m analysis.dashboard_assets`` (prints what it put where).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PATTERNS = (
    re.compile(r"@widgetti/solara-vuetify-app@[0-9][^/\"' ]*"),
    re.compile(r"@widgetti/vue-grid-layout@[0-9][^/\"' ]*"),
    re.compile(r"requirejs@[0-9][0-9.]*"),
)


def wanted_packages() -> list[str]:
    """The npm packages (name@version) the installed Solara's page and components load."""
    import solara
    from solara.server import settings

    found: set[str] = set()
    for path in Path(solara.__file__).parent.rglob("*"):
        if path.suffix not in (".py", ".j2", ".vue", ".html", ".js") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for pattern in PATTERNS:
            found.update(pattern.findall(text))
    fontawesome = settings.assets.fontawesome_path.strip("/").split("/")[0]  # font-awesome@4.5.0
    found.add(fontawesome)
    return sorted(found)


def install(cache: Path | None = None) -> list[Path]:
    """npm-pack every wanted package into the proxy cache; skip those already there."""
    from solara.server import settings

    cache = Path(cache or settings.assets.proxy_cache_dir)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in wanted_packages():
            target = cache / spec
            if (target / "package.json").exists():
                continue
            out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True)
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            target.mkdir(parents=True, exist_ok=True)
            with tarfile.open(tarball) as tar:
                for member in tar.getmembers():
                    member.name = member.name.split("/", 1)[1] if "/" in member.name else ""
                    if member.name:
                        tar.extract(member, target, filter="data")
            written.append(target)
    return written


if __name__ == "__main__":
    for path in install(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(f"unpacked {path}")
    print("dashboard assets are in place")
