"""Serving the dashboard (``plenary serve``, ``plenary play``): Solara's server on 127.0.0.1, in a
child process that a signal to this one stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim.errors import Problem, ScenarioError
from sim.paths import PROJECT_ROOT


def check_port(port: int) -> None:
    """A port number, or the usual one-line error."""
    if not 0 < port < 65536:
        raise ScenarioError([Problem("--port", 0, "port", f"not a port number: {port}")])


def serve_dashboard(env: dict[str, str], port: int, banner: str) -> int:
    """Serve ``analysis/dashboard_app.py`` on 127.0.0.1:``port`` with ``env`` added to this
    process's environment (the page reads what to show from it); returns the server's status."""
    app = PROJECT_ROOT / "analysis" / "dashboard_app.py"
    solara = Path(sys.executable).with_name("solara")
    print(banner, flush=True)
    server = subprocess.Popen([str(solara), "run", str(app), "--host", "127.0.0.1", "--port",
                               str(port), "--production", "--no-open"], env={**os.environ, **env})
    return wait_forwarding_signals(server)


def wait_forwarding_signals(child, grace: float = 10.0) -> int:
    """Wait for ``child``, passing on SIGTERM and SIGHUP sent to this process (``kill PID``), so
    that stopping ``plenary serve`` by its PID stops the server and frees its port; a child still
    running ``grace`` seconds after the signal is killed. Ctrl-C reaches the child by itself (the
    terminal signals the whole process group)."""
    received: list[int] = []
    deadline: list[float] = []

    def forward(signum, _frame):
        received.append(signum)
        deadline.append(time.monotonic() + grace)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                status = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if deadline and time.monotonic() > deadline[0]:
                    child.kill()
            except KeyboardInterrupt:
                forward(signal.SIGINT, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        return 128 + received[0]
    return status
