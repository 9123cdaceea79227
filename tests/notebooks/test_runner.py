"""``scim-course run`` prints each chapter's result and time, then the total."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zmq

from scim_helper import chapters, cli
from scim_helper.chapters import ChapterResult, chapter_paths, find_notebooks, kernel_config
from tests.fixtures.local import TenantLogin
from tests.fixtures.loop import run_isolated

from .course import CHAPTERS, NOTEBOOKS


def test_chapters_in_reading_order() -> None:
    """The runner finds the index first and the chapters after it, by number."""
    names = [path.stem for path in chapter_paths(NOTEBOOKS)]
    assert names == sorted(names) and names[0] == "00-index" and len(names) == 11
    assert [p.stem for p in chapter_paths(NOTEBOOKS, ["03", "05"])] == [
        n for n in CHAPTERS if n[:2] in ("03", "05")
    ]


def test_result_line() -> None:
    """A result line has a mark, the chapter's name, its time, and the error if it failed."""
    assert (
        ChapterResult("01-welcome", True, 1.25).line() == "  ✓ 01-welcome" + " " * 19 + "   1.2 s"
    )
    failed = ChapterResult("02-x", False, 2.0, "cell 3: KeyError").line()
    assert failed == "  ✗ 02-x" + " " * 25 + "   2.0 s\n      cell 3: KeyError"


def test_a_long_error_is_wrapped_never_cut() -> None:
    """The end of an error is its advice: shown whole, wrapped at spaces."""
    error = (
        "cell 1: ConnectError: Could not connect to http://127.0.0.1:9/scim/v2 (connection "
        "refused). Check that the server is running and that server_url is right."
    )
    _first, *rest = ChapterResult("01-welcome", False, 1.0, error).line().split("\n")
    assert " ".join(" ".join(rest).split()) == error
    assert all(len(line) <= 100 and line.startswith("      ") for line in rest)


def test_failure_summary_reads_papermills_cell_error() -> None:
    """Papermill's error gives the cell, the exception's name and its whole message."""
    from papermill.exceptions import PapermillExecutionError

    exc = PapermillExecutionError(2, 3, "x()", "ConnectError", "Could not connect.\nCheck it.", [])
    assert chapters.failure_summary(exc) == "cell 2: ConnectError: Could not connect. Check it."
    assert chapters.failure_summary(RuntimeError("a\nlast line")) == "last line"


def test_quiet_shutdown_sends_no_sigint(tmp_path: Path) -> None:
    """Shutdown asks the kernel to stop without a SIGINT first; interrupts still interrupt."""
    import signal

    from scim_helper.kernels import QuietShutdownKernelManager

    async def scenario() -> tuple[list[int], list[int], bool]:
        manager = QuietShutdownKernelManager(kernel_name="python3")
        sent: list[int] = []
        real = manager._async_signal_kernel

        async def record(signum: int) -> None:
            sent.append(signum)
            await real(signum)

        manager._async_signal_kernel = record  # type: ignore[method-assign]
        await manager.start_kernel(cwd=str(tmp_path))
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=120)
        await manager.interrupt_kernel()
        interrupted = list(sent)
        client.stop_channels()
        await manager.shutdown_kernel()
        return interrupted, sent[len(interrupted) :], await manager.is_alive()

    interrupted, at_shutdown, alive = run_isolated(scenario())
    assert interrupted == [signal.SIGINT]
    assert at_shutdown == [] and not alive


@pytest.mark.notebooks
def test_run_prints_each_chapter_and_the_total(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scim-course run 00 --budget 600`, from any folder, runs the index and says so, quietly."""
    monkeypatch.chdir(tmp_path)  # a learner's shell is rarely in the clone's root
    assert cli.main(["run", "00", "--budget", "600"]) == 0
    out, err = capfd.readouterr()
    assert "Running 1 chapter against a fresh local server" in out
    assert re.search(r"✓ 00-index\s+\d+\.\d s", out)
    assert re.search(r"Total: \d+\.\d s for 1 chapter \(budget 600 s\); 0 failed", out)
    assert "without encryption" not in out + err  # the kernel's start-up warning
    assert "KeyboardInterrupt" not in out + err  # the kernel's shutdown


def test_kernels_get_curve_keys_where_pyzmq_has_them() -> None:
    """The kernel manager provisions CurveZMQ keys, so ipykernel has nothing to warn about."""
    expected = "auto" if zmq.has("curve") else None
    assert kernel_config().KernelManager.get("transport_encryption") == expected


def test_notebooks_found_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checkout's chapters win; without them (a plain install), ./notebooks is used."""
    assert find_notebooks(tmp_path) == NOTEBOOKS
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00-index.ipynb").write_text("{}")
    monkeypatch.setattr(chapters, "DEFAULT_NOTEBOOKS", tmp_path / "site-packages" / "notebooks")
    assert find_notebooks(tmp_path) == tmp_path / "notebooks"


def test_run_with_an_unknown_chapter_lists_the_chapters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`scim-course run 99`: no such chapter, so it names the ones there are, and runs none."""
    assert cli.main(["run", "99"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"No chapter name starts with 99. The chapters in {NOTEBOOKS}:\n")
    assert [line.strip() for line in out.splitlines()[1:-1]] == [
        p.stem for p in chapter_paths(NOTEBOOKS)
    ]
    assert "No chapters found" not in out and "Running" not in out


@pytest.mark.notebooks
def test_a_refused_connection_is_reported_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`scim-course run --server-url` at a closed port: the chapter's error, whole, no traceback."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/scim/v2"
    results = chapters.run_course(["01"], server_url=url, auth_token="t")
    out = capsys.readouterr().out
    assert [r.ok for r in results] == [False]
    assert results[0].error.endswith(
        f"ConnectError: Could not connect to {url} (connection refused). "
        "Check that the server is running and that server_url is right."
    )
    assert " ".join(out.split()).endswith(" ".join(results[0].error.split()))
    assert "Traceback" not in out


def test_run_at_a_closed_port_says_so_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong --server-url: one paragraph about the flag, before any chapter starts."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/scim/v2"
    monkeypatch.setenv("SCIM_AUTH_TOKEN", "t")
    assert cli.main(["run", "01", "--server-url", url]) == 1
    assert capsys.readouterr().out == (
        f"Could not connect to {url} (connection refused). Check --server-url, and that the "
        "server there is running.\n"
    )


def test_run_with_a_refused_token_points_to_scim_auth_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fresh_tenant: TenantLogin
) -> None:
    """A token the server refuses: its detail, then where `run` reads the token; no chapter run."""
    monkeypatch.setenv("SCIM_AUTH_TOKEN", "not-the-token")
    assert cli.main(["run", "01", "--server-url", fresh_tenant.url]) == 1
    out = capsys.readouterr().out
    assert out == (
        "The server refused the credentials (401): The bearer token is not valid for this "
        "server. Check the token you were given, or mint a new one with 'scim-course token'. "
        "With --server-url, the token is read from SCIM_AUTH_TOKEN: set it to one this server "
        "accepts.\n"
    )
    assert "not-the-token" not in out


def test_run_fails_when_no_chapter_matches(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    """An empty selection is an error, not a silent success."""
    assert cli.main(["run", "--notebooks", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "No chapters found" in out and "--notebooks" in out
    assert "Running" not in out  # no server started for nothing
