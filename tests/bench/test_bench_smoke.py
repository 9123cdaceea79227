"""The benchmark scripts run from a fresh checkout and print every row of their tables.

Only that: benchmarks measure, tests never assert a timing (CONTRIBUTING.md, Benchmarks).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_bench_peer_prints_every_operation_for_the_three_servers() -> None:
    """bench.peer at a tiny scale: one row per operation, ratios ours/peer and ours/ceiling."""
    out = _run("bench.peer", "--scale", "0.005")
    assert "ours/peer" in out and "ours/ceiling" in out
    for row in ("POST /Users", "GET /Users/{id}", "userName eq", "PATCH add member"):
        assert f"| {row} " in out, out
    assert "| groups.value eq " in out and "| GET ceiling " in out, out


def test_bench_scale_prints_every_query_and_the_seeding_table() -> None:
    """bench.scale at two tiny sizes: every query, Bulk users/s, RSS and growth rows."""
    out = _run("bench.scale", "--sizes", "100,200", "--samples", "2", "--groups", "20")
    rows = [
        "userName eq",
        "externalId eq",
        'emails[type eq "work"].value eq',
        "groups.value eq",
        "name.familyName sw",
        "active eq false, count=10",
        "(a or b) and not c",
        "GET /Groups/{id} (big group)",
        "PATCH add member (50)",
        "PATCH add member (big)",
        "PATCH add member (big), excl. members",
    ]
    for row in rows:
        assert f"| {row} " in out, out
    assert "Bulk users/s" in out and "server RSS MB" in out, out
    assert "p50 growth 100 -> 200 users" in out, out
