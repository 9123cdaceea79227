"""``scim-course setup``, ``reset`` and ``lab``: the course's commands for a terminal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scim_helper import cli, connection
from scim_helper.cli import main
from scim_helper.marker import course_external_id
from scim_helper.tenant import Tenant
from sync_app.scim.user import User
from tests.fixtures.local import TenantLogin

from .conftest import Seeded


@pytest.fixture
def pointed_at(fresh_tenant: TenantLogin, monkeypatch: pytest.MonkeyPatch) -> TenantLogin:
    monkeypatch.setenv(connection.URL_ENV, fresh_tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, fresh_tenant.token)
    return fresh_tenant


def test_setup_seeds_the_server_in_the_environment(
    pointed_at: TenantLogin, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scim-course setup`` seeds the staff where SCIM_SERVER_URL points, and says so."""
    assert main(["setup"]) == 0
    out = capsys.readouterr().out
    assert out == f"Ready: 15 Dunder Mifflin staff and their group on {pointed_at.url}\n"


def test_setup_with_the_directory(
    pointed_at: TenantLogin, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--directory`` also loads the company (a small one here, to stay fast)."""
    import scim_helper.directory as directory

    real = directory.generate_directory
    monkeypatch.setattr(directory, "generate_directory", lambda size=None, seed=0: real(20))
    assert main(["setup", "--directory", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "The Dunder Mifflin directory: 20 people at 1 branches are on the server." in out


def test_reset_removes_what_learners_created(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scim-course reset`` deletes what the course created and leaves everyone else alone."""
    monkeypatch.setenv(connection.URL_ENV, seeded.tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, seeded.tenant.token)
    seeded.client.create_user(User(userName="cminer", externalId=course_external_id("cminer")))
    stranger = seeded.client.create_user(User(userName="jlevinson", active=True)).to_dict()
    assert main(["reset"]) == 0
    out = capsys.readouterr().out
    assert "Restored 15" in out and "everything else is as it was" in out
    assert Tenant(seeded.client).user("cminer") is None
    assert Tenant(seeded.client).user("jlevinson") == stranger


def test_setup_without_a_token_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL without a token: exit status 1 and a sentence saying what to set."""
    monkeypatch.setenv(connection.URL_ENV, "https://api.scim.dev/scim/v2/")
    assert main(["setup"]) == 1
    assert "SCIM_AUTH_TOKEN" in capsys.readouterr().err


def test_lab_dry_run_starts_the_server_and_prints_the_command(
    embedded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scim-course lab --dry-run`` starts the local server and shows the JupyterLab command."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "00-index.ipynb").write_text("{}")
    assert main(["lab", "--dry-run", "--no-browser", "--notebooks", str(notebooks)]) == 0
    out = capsys.readouterr().out
    url, token = connection.course_server()
    assert f"SCIM server: {url} (its token is in SCIM_AUTH_TOKEN" in out
    assert f"--notebook-dir={notebooks}" in out and "--no-browser" in out
    assert str(notebooks / "00-index.ipynb") in out
    assert token not in out


@pytest.mark.parametrize(("uid", "allowed"), [(0, True), (1000, False)])
def test_lab_runs_as_root_in_containers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, uid: int, allowed: bool
) -> None:
    """Under root (containers, CI) JupyterLab gets --allow-root, else it refuses to start."""
    import argparse

    from scim_helper import lab

    monkeypatch.setattr(lab.os, "geteuid", lambda: uid, raising=False)
    parser = argparse.ArgumentParser()
    lab.add_arguments(parser)
    command = lab.build_command(parser.parse_args(["--no-browser"]), tmp_path)
    assert ("--allow-root" in command) is allowed


def test_every_command_loads_with_its_arguments_and_run() -> None:
    """Each entry of the command table imports and provides add_arguments and run."""
    for name in cli.COMMANDS:
        implementation = cli.load(name)
        assert callable(implementation.add_arguments) and callable(implementation.run), name


def test_a_command_whose_module_fails_to_import_fails_loudly(tmp_path: Path) -> None:
    """A subcommand whose import breaks exits non-zero with that error; it does not vanish."""
    (tmp_path / "broken_command.py").write_text("import a_module_that_is_not_installed\n")
    program = (
        "import sys\n"
        "from scim_helper import cli\n"
        "cli.COMMANDS['broken'] = ('broken_command', 'a command whose import fails')\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    broken = subprocess.run(
        [sys.executable, "-c", program, "broken"], env=env, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "No module named 'a_module_that_is_not_installed'" in broken.stderr
    assert "scim-course broken: the command could not be loaded" in broken.stderr
    listed = subprocess.run(
        [sys.executable, "-c", program, "--help"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0 and "broken" in listed.stdout


def test_lab_prints_the_address_only_once_jupyterlab_answers_there() -> None:
    """JupyterLab writes its server file a moment before it binds its port: the address is
    ready only when a connection to it is accepted."""
    from scim_helper import lab

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert lab.answers({"url": f"http://127.0.0.1:{port}/"})
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free = closed.getsockname()[1]
    assert not lab.answers({"url": f"http://127.0.0.1:{free}/"})
    assert lab.answers({"url": "http+unix://%2Ftmp%2Fjupyter.sock/"})
