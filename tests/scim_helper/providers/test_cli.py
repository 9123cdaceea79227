"""``scim-course validate``, run as a real command: exit 0 all pass, 1 a step fails, 2 no answer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.local import TenantLogin

from .conftest import Toy


def _scim_course(*args: str, token: str = "") -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("scim-course")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "scim_helper.cli"]
    env = {**os.environ, "SCIM_AUTH_TOKEN": token}
    return subprocess.run(
        [*command, "validate", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("profile", ["entra", "entra-compliant", "okta"])
def test_our_server_passes_every_profile(fresh_tenant: TenantLogin, profile: str) -> None:
    """The course's own server does what Entra ID and Okta need: exit status 0."""
    done = _scim_course(fresh_tenant.url, "--as", profile, token=fresh_tenant.token)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "steps passed: ready for" in done.stdout
    assert " ✓  1 " in done.stderr, "progress is shown on stderr as steps finish"
    assert fresh_tenant.token not in done.stdout + done.stderr


def test_a_failing_step_gives_exit_status_1(toy: Callable[..., Toy]) -> None:
    """Entra ID, Flags to alter the SCIM behavior: "False" refused, exit 1 and the fix printed."""
    server = toy("strict_booleans")
    done = _scim_course(server.url, "--as", "entra", "--token", server.token, "--quiet")
    assert done.returncode == 1
    assert "✗  8 disable the user" in done.stdout
    assert 'fix:     Accept "True"/"False" strings' in done.stdout
    assert done.stderr == ""
    assert server.token not in done.stdout


def test_a_server_that_does_not_answer_gives_exit_status_2() -> None:
    """Nothing on port 9: exit 2 and a hint about the URL."""
    done = _scim_course("http://127.0.0.1:9/scim/v2", "--as", "okta", token="t")
    assert done.returncode == 2
    assert "did not answer" in done.stdout
    assert "Is the server running" in done.stderr
