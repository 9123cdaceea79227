"""``scim-course serve`` and ``scim-course token`` (also ``python -m scim_helper.server``)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from scim_helper import cli
from scim_helper.server.runner import LocalServer


def _environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_cli_serve_prints_the_base_url_and_never_the_given_token(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """serve --token prints the URL, accepts that token, and stops cleanly on SIGTERM or
    Ctrl+C (SIGINT)."""
    token = "cli-token-must-not-be-printed"
    command = [sys.executable, "-m", "scim_helper.server", "--port", "0", "--db"]
    command += [str(tmp_path / "scim.db"), "--token", token, "--log-level", "warning"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(tmp_path),
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("SCIM server running at http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[1].strip()
        response = requests.get(
            f"{url}/Users", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert response.status_code == 200
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert token not in first + out + err


def test_cli_serve_without_token_keeps_its_token_in_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --token, the course's token is minted once into a 0600 file, not printed."""
    from scim_helper.server import cli as serve_cli

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = str(tmp_path / "scim.db")
    token, note = serve_cli.course_token(db)
    path = serve_cli.default_token_file()
    assert note and str(path) in note and token not in note
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert serve_cli.course_token(db) == (token, None)


def test_cli_token_mints_a_new_tenant_into_a_private_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """scim-course token writes a new token to a 0600 file and prints only its path."""
    path = tmp_path / "token.txt"
    assert cli.main(["token", "--db", str(tmp_path / "scim.db"), "--file", str(path)]) == 0
    token = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    printed = capsys.readouterr().out
    assert str(path) in printed and token not in printed
    with LocalServer(tmp_path / "scim.db") as server:
        headers = {"Authorization": f"Bearer {token}"}
        response = requests.get(f"{server.url}/Users", headers=headers, timeout=30)
        assert response.status_code == 200 and response.json()["totalResults"] == 0
        assert server.token != token, "the minted token is a tenant of its own"


def _serve(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """Start the installed ``scim-course serve`` with these options; its process and base URL."""
    script = Path(sys.executable).with_name("scim-course")
    command = [str(script), "serve", "--port", "0", "--log-level", "warning", *options]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(tmp_path),
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    if not first.startswith("SCIM server running at "):
        process.kill()
        raise AssertionError(first + process.communicate(timeout=30)[1])
    return process, first.rsplit(" ", 1)[1].strip()


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 0


def test_cli_serve_restart_with_same_db_and_token_finds_the_data(tmp_path: Path) -> None:
    """scim-course serve --host --db --token: a restart finds the data; --reset empties it."""
    token = "workshop-token"
    options = ["--host", "127.0.0.1", "--db", str(tmp_path / "scim.db"), "--token", token]
    headers = {"Authorization": f"Bearer {token}"}
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "cminer"}

    process, url = _serve(tmp_path, *options)
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/scim/v2")
        created = requests.post(f"{url}/Users", json=user, headers=headers, timeout=30)
        assert created.status_code == 201, created.text
    finally:
        _stop(process)

    process, url = _serve(tmp_path, *options)
    try:
        found = requests.get(f"{url}/Users/{created.json()['id']}", headers=headers, timeout=30)
        assert found.status_code == 200 and found.json()["userName"] == "cminer"
        other = {"Authorization": "Bearer another-token"}
        assert requests.get(f"{url}/Users", headers=other, timeout=30).status_code == 401
    finally:
        _stop(process)

    process, url = _serve(tmp_path, *options, "--reset")
    try:
        listed = requests.get(f"{url}/Users", headers=headers, timeout=30).json()
        assert listed["totalResults"] == 0
    finally:
        _stop(process)


def test_cli_serve_refuses_an_empty_token(tmp_path: Path) -> None:
    """serve --token "" (an unset variable) refuses, saying why, instead of using another token."""
    command = [sys.executable, "-m", "scim_helper.server", "--port", "0", "--db"]
    command += [str(tmp_path / "scim.db"), "--token", ""]
    done = subprocess.run(
        command, capture_output=True, text=True, env=_environment(tmp_path), timeout=60
    )
    assert done.returncode == 2
    assert "--token given is empty" in done.stderr
    assert "running at" not in done.stdout
    assert not (tmp_path / "data").exists(), "no course token was minted as a fallback"


def test_cli_token_run_ten_times_at_once_on_a_new_sqlite_file(tmp_path: Path) -> None:
    """Ten `scim-course token` at once on a file that does not exist yet: every one succeeds.

    Each of ten processes imports everything, waits at a gate (a file) so that all start
    together, then mints a token on each of ten new files in turn: a hundred chances for two
    processes to create a file's schema at the same moment, as a room's terminals would."""
    dbs, gate = [tmp_path / f"new-{k}.db" for k in range(10)], tmp_path / "go"
    program = (
        "import os, sys, time\n"
        "from scim_helper import cli\n"
        "from scim_helper.server import store, tokens_cli\n"
        f"while not os.path.exists({str(gate)!r}): time.sleep(0.001)\n"
        f"for db in {[str(db) for db in dbs]!r}:\n"
        "    if cli.main(['token', '--db', db, '--print']): sys.exit(1)\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", program],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(tmp_path),
        )
        for _ in range(10)
    ]
    time.sleep(3)  # every process at the gate
    gate.touch()
    results = [process.communicate(timeout=300) for process in processes]
    failures = [
        err for process, (_, err) in zip(processes, results, strict=True) if process.returncode
    ]
    assert failures == []
    tokens = [out.split() for out, _ in results]
    assert all(len(minted) == 10 for minted in tokens)
    with LocalServer(dbs[-1]) as server:
        for minted in tokens:
            headers = {"Authorization": f"Bearer {minted[-1]}"}
            response = requests.get(f"{server.url}/Users", headers=headers, timeout=30)
            assert response.status_code == 200
