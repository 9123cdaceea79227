"""``scim-course run``: execute every chapter headless and say how each one went.

Each chapter notebook is executed with papermill's Python API, in this process, against a fresh
local SCIM server (or the server named by ``--server-url``). The kernel finds the server the way a
learner's kernel does, through ``SCIM_SERVER_URL`` and ``SCIM_AUTH_TOKEN`` in its environment, so
no token ever lands in a notebook's parameters or outputs.

    scim-course run                  # every chapter, one line each, then the total
    scim-course run 03 05            # only the chapters whose names start with 03 or 05
    scim-course run --budget 90      # fail when the whole run takes longer than 90 s
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import nbformat
import zmq
from traitlets.config import Config

from scim_helper.connection import data_dir
from scim_helper.workspace import course_source
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ConnectError, Unauthorized, ValidationError

__all__ = [
    "ChapterResult",
    "add_arguments",
    "chapter_paths",
    "clean_outputs",
    "course_environment",
    "execute",
    "find_notebooks",
    "kernel_config",
    "run",
    "run_course",
]

KERNEL = "python3"
#: This installation's chapters: the package data of an installed course, else the checkout's
#: ``notebooks/`` (an editable install points there).
DEFAULT_NOTEBOOKS = course_source()
# Papermill and nbclient bookkeeping that differs on every run and means nothing to a learner.
_VOLATILE_CELL_METADATA = ("papermill", "execution")


@dataclass(frozen=True)
class ChapterResult:
    """How one chapter went: its name, whether every cell ran cleanly, how long it took."""

    name: str
    ok: bool
    seconds: float
    error: str = ""

    def line(self) -> str:
        """The chapter's line; a failure's error follows on lines of its own, whole."""
        mark = "✓" if self.ok else "✗"
        text = f"  {mark} {self.name:<28} {self.seconds:6.1f} s"
        if not self.error:
            return text
        # Wrapped at spaces, never cut: the end of an error message is where its advice is.
        wrapped = textwrap.fill(
            self.error, width=100, initial_indent=" " * 6, subsequent_indent=" " * 6
        )
        return f"{text}\n{wrapped}"


def find_notebooks(cwd: Path | None = None) -> Path:
    """The chapters' folder: this installation's own, else ``./notebooks``.

    An installed course runs the chapters it carries as package data, from any folder; an
    editable install (``bootstrap.py``, ``pip install -e .``) finds its checkout's. ``./notebooks``
    is left for an installation without chapters; ``--notebooks`` names any other folder.
    """
    if chapter_paths(DEFAULT_NOTEBOOKS):
        return DEFAULT_NOTEBOOKS
    here = (cwd or Path.cwd()) / "notebooks"
    return here if chapter_paths(here) else DEFAULT_NOTEBOOKS


def chapter_paths(notebooks: Path = DEFAULT_NOTEBOOKS, only: Iterable[str] = ()) -> list[Path]:
    """The chapter notebooks in reading order, optionally those whose names start with ``only``."""
    prefixes = tuple(only)
    paths = sorted(notebooks.glob("[0-9][0-9]-*.ipynb"))
    return [p for p in paths if not prefixes or p.stem.startswith(prefixes)]


@contextlib.contextmanager
def course_environment(server_url: str, auth_token: str) -> Iterator[None]:
    """Point kernels started inside the block at one server, the way a learner's shell would."""
    names = ("SCIM_SERVER_URL", "SCIM_AUTH_TOKEN")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(SCIM_SERVER_URL=server_url, SCIM_AUTH_TOKEN=auth_token)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def error_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """``'cell N: Name: value'`` for every error output in the notebook."""
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {number}: {output.get('ename')}: {output.get('evalue')}")
    return found


def kernel_config() -> Config:
    """Kernel manager settings: CurveZMQ keys where pyzmq has them.

    ipykernel warns on every start that a kernel "is running over TCP without encryption".
    With ``transport_encryption="auto"`` the manager provisions Curve keys for kernelspecs that
    declare support (ipykernel's does), which is what the warning asks for; elsewhere nothing
    changes. IPC transport would silence it too, but does not exist on Windows.
    """
    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def execute(notebook: nbformat.NotebookNode | Path, cwd: Path) -> nbformat.NotebookNode:
    """Run a notebook with papermill in this process; raise on the first cell that fails."""
    # Imported here: papermill and the kernel managers (jupyter_server) take seconds to import,
    # and only running a chapter needs them.
    import papermill

    from scim_helper.kernels import QuietShutdownKernelManager

    return papermill.execute_notebook(
        notebook if isinstance(notebook, nbformat.NotebookNode) else str(notebook),
        None,
        kernel_name=KERNEL,
        cwd=str(cwd),
        progress_bar=False,
        request_save_on_cell_execute=False,
        config=kernel_config(),
        kernel_manager_class=QuietShutdownKernelManager,
    )


def failure_summary(exc: BaseException) -> str:
    """``'cell N: Name: value'`` for papermill's failing cell, else the exception's own words."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if isinstance(ename, str) and isinstance(evalue, str):
        cell: Any = getattr(exc, "cell_index", None)
        where = f"cell {cell}: " if isinstance(cell, int) else ""
        return f"{where}{ename}: {' '.join(evalue.split())}"
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__


#: A failing chapter's error is shown whole up to this length, then cut at a word.
MAX_ERROR = 600


def clean_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run-specific bookkeeping so a recorded notebook diffs only where learners look."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    return notebook


def run_chapter(path: Path, *, record: bool = False) -> ChapterResult:
    """Execute one chapter; with ``record``, store its fresh outputs in the notebook file."""
    started = time.perf_counter()
    try:
        executed = execute(path, cwd=path.parent)
    except Exception as exc:  # papermill wraps the failing cell; report it, go on with the next
        summary = textwrap.shorten(failure_summary(exc), MAX_ERROR, placeholder=" …")
        return ChapterResult(path.stem, False, time.perf_counter() - started, summary)
    seconds = time.perf_counter() - started
    errors = error_outputs(executed)
    if errors:
        return ChapterResult(
            path.stem, False, seconds, textwrap.shorten(errors[0], MAX_ERROR, placeholder=" …")
        )
    if record:
        nbformat.write(clean_outputs(executed), path)
    return ChapterResult(path.stem, True, seconds)


@contextlib.contextmanager
def fresh_local_server() -> Iterator[tuple[str, str]]:
    """A new local SCIM server on loopback with an empty database, for one run of the course."""
    # Imported here: the server (Starlette, SQLAlchemy) is needed only without --server-url.
    from scim_helper.server.runner import LocalServer

    with tempfile.TemporaryDirectory(prefix="scim-course-run-") as folder:
        server = LocalServer(Path(folder) / "course.db").start()
        try:
            # The course started it, so it is the course's sandbox: reset may empty it. The
            # kernels look for this record in the data directory (see connection.is_sandbox).
            server.record_sandbox(data_dir())
            yield server.url, server.token
        finally:
            server.stop()


def run_course(
    only: Iterable[str] = (),
    *,
    notebooks: Path = DEFAULT_NOTEBOOKS,
    record: bool = False,
    server_url: str | None = None,
    auth_token: str | None = None,
    out: TextIO | None = None,
) -> list[ChapterResult]:
    """Execute the chapters in reading order and print one line per chapter, then the total."""
    out = out or sys.stdout
    paths = chapter_paths(notebooks, only)
    results: list[ChapterResult] = []
    with contextlib.ExitStack() as stack:
        if server_url is None:
            server_url, auth_token = stack.enter_context(fresh_local_server())
            where = "a fresh local server"
        else:
            where = server_url
        stack.enter_context(course_environment(server_url, auth_token or ""))
        print(f"Running {_count(len(paths))} against {where}", file=out, flush=True)
        for path in paths:
            result = run_chapter(path, record=record)
            results.append(result)
            print(result.line(), file=out, flush=True)
    return results


def server_problem(server_url: str, auth_token: str | None) -> str | None:
    """Why no chapter could use this server (no answer, token refused), or ``None``.

    Asked once before the run, so that a wrong ``--server-url`` or ``SCIM_AUTH_TOKEN`` gives one
    message about the flag and the variable, not one failed chapter after another.
    """
    try:
        config = ClientConfiguration(server_url=server_url, auth_token=auth_token, retries=0)
        with SCIMClient(config) as client:
            client.get_users(count=1)
    except ValidationError as error:
        return f"--server-url: {error}"
    except ConnectError as error:
        return f"{error.summary} Check --server-url, and that the server there is running."
    except Unauthorized as error:
        return (
            f"{error.summary} With --server-url, the token is read from SCIM_AUTH_TOKEN: "
            "set it to one this server accepts."
        )
    except Exception:  # any other answer: the chapters will say what goes wrong, and where
        return None
    return None


def _count(n: int) -> str:
    return f"{n} chapter" if n == 1 else f"{n} chapters"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "chapters", nargs="*", metavar="CHAPTER", help="run only chapters whose names start so"
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help="folder holding the chapters (default: the course's own, else ./notebooks)",
    )
    parser.add_argument(
        "--server-url",
        help="run against this server instead of a fresh local one (token from SCIM_AUTH_TOKEN)",
    )
    parser.add_argument(
        "--budget", type=float, metavar="SECONDS", help="fail when the total takes longer"
    )


def run(args: argparse.Namespace) -> int:
    notebooks = args.notebooks or find_notebooks()
    every = chapter_paths(notebooks)
    if not every:
        print(
            f"No chapters found in {notebooks}. Name the folder that holds them with"
            " --notebooks PATH, or reinstall the course (pip install office-scim-course)."
        )
        return 1
    if not chapter_paths(notebooks, args.chapters):
        asked = " ".join(args.chapters)
        print(f"No chapter name starts with {asked}. The chapters in {notebooks}:")
        for path in every:
            print(f"  {path.stem}")
        print(f"Name one by its number (scim-course run {every[-1].stem[:2]}) or its full name.")
        return 1
    auth_token = os.environ.get("SCIM_AUTH_TOKEN") or None if args.server_url else None
    if args.server_url and (problem := server_problem(args.server_url, auth_token)):
        print(problem)
        return 1
    started = time.perf_counter()
    results = run_course(
        args.chapters,
        notebooks=notebooks,
        server_url=args.server_url,
        auth_token=auth_token,
    )
    total = time.perf_counter() - started
    failed = [r for r in results if not r.ok]
    budget = f" (budget {args.budget:.0f} s)" if args.budget else ""
    print(f"Total: {total:.1f} s for {_count(len(results))}{budget}; {len(failed)} failed")
    if args.budget and total > args.budget:
        print(f"Over budget by {total - args.budget:.1f} s.")
        return 1
    return 1 if failed else 0
