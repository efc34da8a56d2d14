"""``wijksim dashboard``: serve the Streamlit dashboard, on this machine only by default."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from wijksim.model.inputs.scenario_io import (
    ScenarioError,
)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


DEFAULT_DASHBOARD_PORT = 8501
"""Streamlit's own default port."""


def dashboard_command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line that serves the dashboard.

    Offline and private by default: no browser is opened (the server may run where there
    is none), no usage statistics are sent, the file watcher is off (nothing to reload
    for a user), the toolbar shows no developer options, and bare strings in the script
    are not shown ("magic" off).
    """
    from wijksim.dashboard import __file__ as package_init

    app = Path(package_init).with_name("app.py")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--runner.magicEnabled",
        "false",
    ]


def command_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard in the browser (replaces this process with Streamlit)."""
    if not 0 < args.port < 65536:
        raise ScenarioError("<command line>", f"expected --port 1..65535, found {args.port}")
    if args.host not in LOOPBACK_HOSTS:
        print(
            f"wijksim: warning: serving on {args.host}, reachable from other machines; the "
            "dashboard has no login. Use --host 127.0.0.1 to keep it on this machine.",
            file=sys.stderr,
        )
    print(f"wijksim dashboard: http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr)
    sys.stderr.flush()
    command = dashboard_command(args.host, args.port)
    os.execv(command[0], command)  # signals reach Streamlit itself; never returns
    return 0  # pragma: no cover
