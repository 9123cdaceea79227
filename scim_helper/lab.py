"""``scim-course lab``: start the course's SCIM server and open the chapters in JupyterLab.

The server runs in this process (a background thread) for as long as JupyterLab does. Its URL
and token reach the kernels through the environment (``SCIM_SERVER_URL``, ``SCIM_AUTH_TOKEN``)
that JupyterLab passes on, so no notebook ever holds a token. With ``SCIM_SERVER_URL`` already
set, that server is used instead and nothing is started.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from scim_helper.connection import TOKEN_ENV, URL_ENV, course_server

__all__ = ["add_arguments", "build_command", "find_notebooks", "run"]


def find_notebooks(given: str | None = None) -> Path:
    """The chapters folder: ``--notebooks``, else ./notebooks, else the one next to the package."""
    if given:
        return Path(given).resolve()
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here.resolve()
    return (Path(__file__).resolve().parent.parent / "notebooks").resolve()


def build_command(args: argparse.Namespace, notebooks: Path) -> list[str]:
    command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={notebooks}"]
    if args.port:
        command.append(f"--port={args.port}")
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI machines run as root, where JupyterLab refuses to start without it.
        command.append("--allow-root")
    index = notebooks / "00-index.ipynb"
    if index.exists():
        command.append(str(index))
    return command + list(args.lab_args or [])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--notebooks", metavar="DIR", help="the chapters folder (default: ./notebooks)"
    )
    parser.add_argument("--port", type=int, default=0, help="JupyterLab's port (default: its own)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--dry-run", action="store_true", help="start the server, print the command, stop"
    )
    parser.add_argument(
        "lab_args", nargs=argparse.REMAINDER, help="further arguments for `jupyter lab`"
    )


def run(args: argparse.Namespace) -> int:
    notebooks = find_notebooks(args.notebooks)
    if not notebooks.is_dir():
        print(f"scim-course lab: there is no chapters folder at {notebooks}.", file=sys.stderr)
        return 2
    connection = course_server()
    env = {**os.environ, URL_ENV: connection.url, TOKEN_ENV: connection.token}
    command = build_command(args, notebooks)
    print(f"SCIM server: {connection.url} (its token is in {TOKEN_ENV} for the kernels)")
    print("JupyterLab: " + " ".join(command), flush=True)
    if args.dry_run:
        return 0
    process = subprocess.Popen(command, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # JupyterLab got the same Ctrl-C and shuts down by itself; wait for it to finish.
        return process.wait()
