"""One data directory: ``scim-course serve``, ``scim-course token`` and ``course_server()`` agree.

With ``SCIM_COURSE_DATA_DIR`` set, all three use the database and the token file in it, so a
user created through ``serve`` is the one a notebook's ``course_server()`` sees. Each runs as a
real subprocess, as a learner runs them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import requests

from scim_helper.server.runner import DATA_DIR_ENV

_NOTEBOOK = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from scim_helper import course_client, course_server
    from scim_helper.tenant import Tenant

    data = Path(sys.argv[1])
    connection = course_server()
    print("same token" if connection.token == (data / "token").read_text().strip() else "other")
    with course_client() as client:
        print("found" if Tenant(client).user("dwight-from-serve") else "missing")
    """
)


def _scim_course(*args: str) -> list[str]:
    return [sys.executable, "-m", "scim_helper.cli", *args]


def test_serve_token_and_course_server_share_the_data_directory(tmp_path: Path) -> None:
    """SCIM_COURSE_DATA_DIR moves the database and token of serve and token, and the kernel's."""
    data = tmp_path / "data"
    # XDG_DATA_HOME elsewhere: a command that ignored SCIM_COURSE_DATA_DIR would land there.
    env = {**os.environ, DATA_DIR_ENV: str(data), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("SCIM_SERVER_URL", None)
    env.pop("SCIM_AUTH_TOKEN", None)
    serve = subprocess.Popen(
        _scim_course("serve", "--port", "0", "--log-level", "warning"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert serve.stdout is not None
        first = serve.stdout.readline()
        assert first.startswith("SCIM server running at http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[1].strip()
        assert serve.stdout.readline() == f"Database: {data / 'scim.db'}\n"
        token = (data / "token").read_text(encoding="utf-8").strip()
        created = requests.post(
            f"{url}/Users",
            json={
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "dwight-from-serve",
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text

        minted = subprocess.run(
            _scim_course("token"), env=env, capture_output=True, text=True, timeout=120
        )
        assert minted.returncode == 0, minted.stderr
        (token_file,) = data.glob("token-*")
        assert str(token_file) in minted.stdout
        # The new token is in serve's database: the running server accepts it.
        other = token_file.read_text(encoding="utf-8").strip()
        answer = requests.get(
            f"{url}/Users", headers={"Authorization": f"Bearer {other}"}, timeout=30
        )
        assert answer.status_code == 200 and answer.json()["totalResults"] == 0
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=30)
    assert serve.returncode == 0
    assert not (tmp_path / "xdg").exists()

    notebook = subprocess.run(
        [sys.executable, "-c", _NOTEBOOK, str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert notebook.returncode == 0, notebook.stderr
    assert notebook.stdout.splitlines() == ["same token", "found"]
