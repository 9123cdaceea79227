"""A real JupyterHub, with the guide's hub snippet, spawns a learner and a stranger.

JupyterHub 6 from PyPI on loopback: the pure-Python ``configurable-http-proxy`` as its proxy,
``DummyAuthenticator``, and ``SimpleLocalProcessSpawner`` (TLJH's SystemdSpawner needs systemd
and root; its environment comes from the same ``Spawner.get_env``). Each single-user server is
started through a small wrapper that records the two course variables from its own process
environment and asks the real workshop server (``scim-course workshop serve`` on the room that
``prepare`` made) with them, then execs the real ``jupyterhub-singleuser``. Slow lane: JupyterHub,
its proxy, the workshop server and two single-user servers are processes of their own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.docs.hub import HUB_SNIPPET, prepare_room, token_of
from tests.fixtures.workshop import WorkshopServer

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
API_TOKEN = os.urandom(16).hex()
WAIT = 90.0  # seconds; a busy two-core machine starts JupyterHub in 2-15 s

# Runs as each learner's server: records what the spawner put in this process's environment,
# then becomes the real single-user server (same process, same environment).
RECORDER = """\
import json, os, sys, urllib.error, urllib.request
path = os.path.join({folder!r}, os.environ["JUPYTERHUB_USER"] + ".json")
seen = {{key: os.environ.get(key) for key in ("SCIM_SERVER_URL", "SCIM_AUTH_TOKEN")}}
status = None
if seen["SCIM_SERVER_URL"]:  # what a chapter does first: ask the workshop server, as itself
    request = urllib.request.Request(
        seen["SCIM_SERVER_URL"] + "/Users?count=1",
        headers={{"Authorization": "Bearer " + seen["SCIM_AUTH_TOKEN"]}},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
descriptor = os.open(path + ".part", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(descriptor, "w") as handle:
    json.dump({{"pid": os.getpid(), "environment": seen, "status": status}}, handle)
os.rename(path + ".part", path)
single_user = os.path.join(os.path.dirname(sys.executable), "jupyterhub-singleuser")
os.execv(single_user, [single_user, *sys.argv[1:]])
"""

HUB_CONFIG = """\
c = get_config()  # noqa
load_subconfig({snippet!r})
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = [{python!r}, {recorder!r}]
c.Spawner.args = ["--ServerApp.allow_root=True"]  # CI runs as root
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}  # POST .../server answers at once
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {proxy_port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///" + {folder!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {folder!r} + "/jupyterhub_cookie_secret"
c.JupyterHub.services = [{{"name": "course-test", "api_token": {api_token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "course-test", "scopes": ["admin:users", "admin:servers"],
      "services": ["course-test"]}}
]
"""


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _until(condition: object, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    pytest.fail(f"{what} did not happen within {WAIT:.0f} s. The hub's log ends:\n{tail}")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.ConnectionError:
        return False


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, str, Path, Path, Path]]:
    """A running JupyterHub and workshop server: (the hub's API, the SCIM URL it hands out, the
    tokens CSV, the recordings folder, the hub's log)."""
    tokens = prepare_room(tmp_path)
    server = WorkshopServer(str(tmp_path / "workshop.db")).start()
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    recorder = tmp_path / "record_environment.py"
    recorder.write_text(RECORDER.format(folder=str(recordings)), encoding="utf-8")
    proxy_port, hub_port, proxy_api_port = _free_ports(3)
    config = tmp_path / "jupyterhub_config.py"
    config.write_text(
        HUB_CONFIG.format(
            snippet=str(HUB_SNIPPET),
            homes=str(tmp_path / "homes"),
            python=sys.executable,
            recorder=str(recorder),
            proxy_port=proxy_port,
            hub_port=hub_port,
            proxy_api_port=proxy_api_port,
            proxy=str(BIN / "configurable-http-proxy"),
            folder=str(tmp_path),
            api_token=API_TOKEN,
        ),
        encoding="utf-8",
    )
    environment = {
        **os.environ,
        "SCIM_COURSE_TOKENS_CSV": str(tokens),
        "SCIM_COURSE_SERVER_URL": server.url,
    }
    log = tmp_path / "jupyterhub.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(config)],
            cwd=tmp_path,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = f"http://127.0.0.1:{hub_port}/hub/api"
    try:
        _until(lambda: _answers(api), "JupyterHub's API answering", log)
        yield api, server.url, tokens, recordings, log
    finally:
        server.stop()
        # SIGTERM: JupyterHub stops the servers it spawned and its proxy, then exits.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for recording in recordings.glob("*.json"):
            pid = json.loads(recording.read_text(encoding="utf-8"))["pid"]
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # a server JupyterHub did not stop in time


def test_a_real_hub_gives_a_learner_their_token_and_a_stranger_none(
    hub: tuple[str, str, Path, Path, Path],
) -> None:
    """pam (a learner row) gets the URL and her token, which the workshop server accepts;
    dwight (no row) gets both empty, and the hub's log says why."""
    api, url, tokens, recordings, log = hub
    headers = {"Authorization": f"token {API_TOKEN}"}
    with requests.Session() as session:
        session.headers.update(headers)
        for user in ("pam", "dwight"):
            created = session.post(f"{api}/users/{user}", timeout=30)
            assert created.status_code == 201, created.text
            started = session.post(f"{api}/users/{user}/server", timeout=60)
            assert started.status_code in (201, 202), started.text
    wanted = [recordings / "pam.json", recordings / "dwight.json"]
    _until(lambda: all(path.exists() for path in wanted), "both servers starting", log)
    pam, dwight = (json.loads(path.read_text(encoding="utf-8")) for path in wanted)
    assert pam["environment"] == {
        "SCIM_SERVER_URL": url,
        "SCIM_AUTH_TOKEN": token_of(tokens, "pam"),
    }
    assert pam["status"] == 200  # RFC 7644 §3.4.2: the learner's token lists their tenant's Users
    assert dwight["environment"] == {"SCIM_SERVER_URL": "", "SCIM_AUTH_TOKEN": ""}
    assert dwight["status"] is None
    hub_log = log.read_text(encoding="utf-8", errors="replace")
    assert "scim-course: no workshop token for dwight" in hub_log
    assert f"'dwight' has no learner row in {tokens}" in hub_log
    assert token_of(tokens, "pam") not in hub_log
