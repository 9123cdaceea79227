"""bench.sync runs from a fresh checkout and prints every row (issue 15); it asserts no timing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_sync_prints_initial_no_change_and_one_percent_rows() -> None:
    """bench.sync at a tiny size: the three runs, with reads, writes, wall time and memory."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.sync", "--sizes", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for row in ("initial sync, 300", "no-change re-sync, 300", "1% change re-sync, 300"):
        assert f"| {row}" in out, out
    assert "| reads | writes | wall s | client peak RSS MB |" in out, out
