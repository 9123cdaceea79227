#!/usr/bin/env python3
"""Set up the course in a local virtual environment, then run one task.

Needs nothing but Python 3.11+. Usage:

    python3 bootstrap.py course   # set up, start the local SCIM server, open JupyterLab
    python3 bootstrap.py test     # set up, then run the whole test suite
    python3 bootstrap.py test --fast   # the fast lane: no notebooks, browser, PostgreSQL, slow
    python3 bootstrap.py run      # set up, then run every chapter headless

Extra arguments after the task go to the command it runs
(``python3 bootstrap.py test -k filter`` passes ``-k filter`` to pytest).
The environment lives in ``.venv`` next to this file and is reinstalled only
when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# task -> (extras to install, command to run inside the environment)
TASKS: dict[str, tuple[str, list[str]]] = {
    "course": ("", [str(PYTHON), "-m", "scim_helper.cli", "lab"]),
    "test": ("dev", [str(PYTHON), "-m", "pytest"]),
    "run": ("", [str(PYTHON), "-m", "scim_helper.cli", "run"]),
}

#: ``test --fast``: the tests worth running on every change, on two pytest-xdist workers.
FAST_LANE = ["-n", "2", "-m", "not (notebooks or browser or postgres or slow)"]


def _stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    return f"{digest}:{extras}"


def ensure_environment(extras: str) -> None:
    """Create .venv and install the project into it, unless it is already current."""
    # bootstrap.py runs on whatever python3 the learner has, so this check is real.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    stamp_file = VENV / ".course-installed"
    wanted = _stamp(extras)
    installed = stamp_file.read_text().split() if stamp_file.exists() else []
    # A "dev" install also satisfies a plain one.
    if wanted in installed or (not extras and _stamp("dev") in installed):
        return
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"Installing the course ({target}) into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", target], cwd=ROOT, check=True)
    stamp_file.write_text(wanted + "\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print(__doc__)
        return 2
    extras, command = TASKS[argv[0]]
    ensure_environment(extras)
    extra = argv[1:]
    if argv[0] == "test" and "--fast" in extra:
        extra = [*FAST_LANE, *(a for a in extra if a != "--fast")]
    return run_in_foreground([*command, *extra])


def run_in_foreground(command: list[str]) -> int:
    """Run the task and return its exit status; a Ctrl-C is the task's to handle.

    The terminal sends Ctrl-C to this process and the task alike. The task stops in its own
    way (``scim-course lab`` stops JupyterLab and the SCIM server together); this process
    only waits for it, instead of dying with a traceback and leaving the task behind. A
    SIGTERM sent to this process alone is passed on to the task.
    """
    process: subprocess.Popen[bytes] | None = None

    def pass_on(signum: int, _frame: object) -> None:
        if process is not None and signum != signal.SIGINT:
            process.send_signal(signum)

    # Handlers set here are reset to the default in the task when it starts.
    previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        process = subprocess.Popen(command, cwd=ROOT)
        returncode = process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # A task killed by a signal reports -N; a shell reports 128+N.
    return 128 - returncode if returncode < 0 else returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
