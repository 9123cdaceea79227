"""``scim-course check``: every part of the installation reported, each failure with a fix."""

from __future__ import annotations

import importlib.metadata as metadata
import subprocess
import sys

import pytest

from scim_helper import connection, readiness
from scim_helper.cli import main
from tests.fixtures.local import TenantLogin


def test_this_installation_is_ready(
    fresh_tenant: TenantLogin, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Here everything passes: Python, packages, widget extension, kernel and the server."""
    monkeypatch.setenv(connection.URL_ENV, fresh_tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, fresh_tenant.token)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    for topic in ("Python", "ipywidgets", "JupyterLab widget extension", "python3 kernel"):
        assert f"✓ {topic}: " in out
    assert f"✓ SCIM server: answers at {fresh_tenant.url}" in out
    assert out.rstrip().endswith("Ready for the course.")
    assert fresh_tenant.token not in out


def test_a_mismatched_widget_extension_is_reported_with_a_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A jupyterlab_widgets not matching ipywidgets (the classic failure) comes with its fix."""
    real = metadata.version
    monkeypatch.setattr(
        readiness.metadata,
        "version",
        lambda name: "1.1.11" if name == "jupyterlab_widgets" else real(name),
    )
    finding = readiness.check_widget_extension()
    assert not finding.ok
    assert "does not match ipywidgets" in finding.detail
    assert 'pip install "jupyterlab_widgets~=' in finding.fix
    assert "fix: " in str(finding)


def test_a_missing_package_is_reported_with_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """A course dependency that is not installed gets the reinstall command."""
    real = readiness._version
    monkeypatch.setattr(readiness, "_version", lambda name: None if name == "tqdm" else real(name))
    tqdm = next(f for f in readiness.check_packages() if f.topic == "tqdm")
    assert not tqdm.ok and "bootstrap.py course" in tqdm.fix


def test_a_server_that_does_not_answer_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No answer from the server: exit status 1, and what to try."""
    monkeypatch.setenv(connection.URL_ENV, "http://127.0.0.1:9/scim/v2")
    monkeypatch.setenv(connection.TOKEN_ENV, "whatever")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "✗ SCIM server: no answer from the server" in out
    assert "fix: check SCIM_SERVER_URL" in out
    assert "1 problem(s) to fix" in out


def test_python_m_scim_helper_check_runs() -> None:
    """``python -m scim_helper.readiness --no-server`` works as a command of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "scim_helper.readiness", "--no-server"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ JupyterLab widget extension" in done.stdout
