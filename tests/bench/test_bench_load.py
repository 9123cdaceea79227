"""bench.load runs a tiny room from a fresh checkout and prints every figure of a room.

Only that: benchmarks measure, tests never assert a timing (CONTRIBUTING.md, Benchmarks).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cost import FLOW

ROOT = Path(__file__).resolve().parents[2]

FIELDS = (
    "learners",
    "requests",
    "req/s",
    "errors",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "server CPU ms/req",
    "PostgreSQL CPU ms/req",
    "generator CPU ms/req",
    "PostgreSQL connections opened/min",
)


def test_bench_load_prints_a_room_with_every_field_and_no_errors() -> None:
    """Six learners, 0.1–0.3 s think, 4 s: the room's row has every column and 0 errors."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            *("--rooms", "6", "--seconds", "4"),
            "--think",
            "0.1,0.3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-2000:] + out
    header = next(line for line in out.splitlines() if line.startswith("| learners "))
    assert [cell.strip() for cell in header.strip("|").split("|")][: len(FIELDS)] == list(FIELDS)
    row = next(line for line in out.splitlines() if line.startswith("| 6 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[3] == "0", out  # errors
    assert int(cells[1]) > 0, out  # requests answered
    assert re.fullmatch(r"\d+\.\d\d", cells[7]), out  # server CPU ms/req was measured
    assert cells[8] == "n/a" and cells[10] == "n/a", out  # SQLite: no PostgreSQL figures
    assert "p95 passes 250 ms at: " in out, out
    for step in ("discovery", "create", "get", "filter", "list", "member remove"):
        assert f"| {step} |" in out, out


def _args(**options: object) -> argparse.Namespace:
    """bench.load's parsed options for a 60 s room of 1–3 s think, as report() reads them."""
    defaults = {"seconds": 60.0, "think": (1.0, 3.0), "processes": 2, "servers": 1}
    flags = {"workshop": False, "postgres": False, "baseline": None}
    return argparse.Namespace(**defaults | flags | options)


@pytest.mark.parametrize(
    ("options", "kind", "expected"),
    [
        ({}, "SQLite", "--think 1,3`"),
        ({"postgres": True}, "PostgreSQL", "--think 1,3 --postgres`"),
        ({}, "PostgreSQL", "--think 1,3 --db postgresql://...`"),
        ({"postgres": True, "baseline": "abc"}, "PostgreSQL", "--postgres --baseline abc`"),
        (
            {"servers": 2, "workshop": True, "postgres": True},
            "PostgreSQL",
            "--workshop --postgres`",
        ),
    ],
)
def test_bench_load_records_the_command_that_made_the_figures(
    options: dict[str, object], kind: str, expected: str
) -> None:
    """The recorded command names the database as it was given: --postgres, or --db (never
    both), and --baseline when there was one."""
    from bench.load import Room, report

    text = report(
        [Room(600, 60.0)], _args(**options), kind, "0.1, 0.1, 0.1", "2026-11-29 15:04–15:26 UTC"
    )
    command = next(line for line in text.splitlines() if line.startswith("Command: "))
    assert command.startswith("Command: `.venv/bin/python -m bench.load --rooms 600 --seconds 60")
    assert command.endswith(expected), command


def test_bench_load_dates_the_figures_by_when_the_rooms_ran_not_when_they_were_printed() -> None:
    from datetime import UTC, datetime

    from bench.load import Room, report, span

    start = datetime(2026, 11, 29, 15, 4, 59, tzinfo=UTC)
    assert span(start, datetime(2026, 11, 29, 15, 26, tzinfo=UTC)) == "2026-11-29 15:04–15:26 UTC"
    assert (
        span(datetime(2026, 11, 29, 23, 50, tzinfo=UTC), datetime(2026, 11, 30, 0, 10, tzinfo=UTC))
        == "2026-11-29 23:50–2026-11-30 00:10 UTC"
    )
    text = report([Room(600, 60.0)], _args(), "SQLite", "0.1, 0.1, 0.1", span(start, start))
    machine = next(line for line in text.splitlines() if line.startswith("Machine: "))
    assert "; ran 2026-11-29 15:04–15:04 UTC; load average before the run 0.1, 0.1, 0.1;" in machine
    assert str(datetime.now(UTC).year) not in machine.split("; ran ")[0]  # no other date


def _worktrees() -> str:
    return subprocess.run(
        ["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_bench_load_runs_each_room_on_a_baseline_too_and_prints_the_ratio() -> None:
    """--baseline REF: every room on ours, then on REF's server (its own database); both
    tables, then one row per room side by side with ours / baseline; the checkout removed."""
    before = _worktrees()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench.load", "--rooms", "3,4", "--seconds", "3"),
            *("--think", "0.1,0.3", "--baseline", "HEAD"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-2000:] + out
    assert "### Rooms (ours): SQLite" in out and "### Rooms (baseline HEAD): SQLite" in out
    assert out.count("| learners | requests |") == 2
    side = out.split("### Rooms side by side: ours and HEAD", 1)[1]
    rows = [line for line in side.splitlines() if re.match(r"\| \d+ \|", line)]
    cell = r"0, \d+, \d+\.\d\d"
    assert [row.split("|")[1].strip() for row in rows] == ["3", "4"], side
    for row in rows:
        assert re.fullmatch(rf"\| \d+ \| {cell} \| {cell} \| \d+\.\d\d \|", row), row
    assert "--baseline HEAD`" in out
    assert _worktrees() == before


def test_bench_load_baseline_refuses_a_shared_database_or_the_workshop() -> None:
    for extra, reason in (
        (["--db", "x.db"], "a database of its own"),
        (["--workshop"], "leave out --workshop"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "bench.load", "--baseline", "HEAD", *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2 and reason in done.stderr, done.stderr


def _cost(*arguments: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``python -m bench.cost --sqlite ARGUMENTS``, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.cost", "--sqlite", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout
    return done


def test_bench_cost_prints_every_request_kind_and_the_ceiling() -> None:
    """bench.cost on SQLite, 20 requests a kind: one row per kind, CPU figures, the ceiling."""
    done = _cost("--requests", "20", timeout=180)
    lines = done.stdout.splitlines()
    for kind in [*FLOW, "GET /Schemas", "POST /Groups", "a learner's flow"]:
        row = next((line for line in lines if line.startswith(f"| {kind}")), "")
        assert re.match(r"\| [^|]+ \| \d+ \| n/a \|$", row), done.stdout
    assert re.search(r"^The ceiling \(.*\): \d+ µs CPU$", done.stdout, re.MULTILINE), done.stdout


def test_bench_cost_measures_a_baseline_commit_side_by_side() -> None:
    """bench.cost --baseline REF starts a second server from a checkout of REF and prints
    both sides per kind with their ratio; the checkout is removed afterwards."""
    before = _worktrees()
    done = _cost("--requests", "30", "--baseline", "HEAD", "--rounds", "2", timeout=300)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| request | ours server CPU µs | ours PostgreSQL CPU µs |")
    assert "| baseline server CPU µs | baseline PostgreSQL CPU µs | ours / baseline" in lines[0]
    # Thirty requests of a kind can cost less than one tick of the CPU clock: a zero baseline
    # gets "n/a", never a missing cell; the flow (every kind together) has a ratio.
    for kind in [*FLOW, "a learner's flow"]:
        row = next((line for line in lines if line.startswith(f"| {kind}")), "")
        ratio = r"\d+\.\d\d" if kind == "a learner's flow" else r"(\d+\.\d\d|n/a)"
        assert re.match(rf"\| [^|]+ \| \d+ \| n/a \| \d+ \| n/a \| {ratio} \|$", row), row
    assert _worktrees() == before


def test_bench_cost_hides_from_a_baseline_what_it_does_not_depend_on(tmp_path: Path) -> None:
    """A baseline whose pyproject lacks one of ours (requests here) runs with a stub that
    refuses to import it; what both depend on stays visible."""
    from bench.baseline import hide

    ours = (ROOT / "pyproject.toml").read_text()
    baseline = tmp_path / "tree"
    baseline.mkdir()
    (baseline / "pyproject.toml").write_text(ours.replace('"requests', '"not-requests', 1))
    hidden = hide(baseline, tmp_path / "hidden")
    assert hidden == ["requests"]
    probe = "import importlib, sys\nfor n in sys.argv[1:]:\n    importlib.import_module(n)\n"
    env = {"PYTHONPATH": str(tmp_path / "hidden"), "PATH": "/usr/bin:/bin"}
    refused = subprocess.run(
        [sys.executable, "-c", probe, "requests"], env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "hidden from the baseline" in refused.stderr
    fine = subprocess.run([sys.executable, "-c", probe, "starlette"], env=env, check=False)
    assert fine.returncode == 0
    same = tmp_path / "same"
    same.mkdir()
    (same / "pyproject.toml").write_text(ours)
    assert hide(same, tmp_path / "hidden-same") == []
