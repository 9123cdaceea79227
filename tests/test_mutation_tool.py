"""tools/mutation.py's environment for mutmut: what each mutant's tests see.

The full tool runs for minutes per module (on demand, never in CI); what is tested here is
the part that broke the machine: the temporary files of thousands of pytest sessions.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import mutation


def test_mutants_run_on_sqlite_only_with_their_temporary_files_in_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCIM_COURSE_REQUIRE_POSTGRES", "1")
    env = mutation._environment(tmp_path)
    assert "SCIM_COURSE_REQUIRE_POSTGRES" not in env
    assert env["TMPDIR"] == str(tmp_path / "tmp")
    assert (tmp_path / "tmp").is_dir()

    # What mutmut's children run is pytest: its tmp_path lands under that TMPDIR.
    (tmp_path / "test_where.py").write_text(
        "def test_where(tmp_path):\n    print('TMP=' + str(tmp_path))\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "test_where.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    where = next(line for line in done.stdout.splitlines() if line.startswith("TMP="))[4:]
    assert Path(where).is_relative_to(tmp_path / "tmp"), where
