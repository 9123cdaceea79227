"""Finding the server: arguments, else the environment, else the embedded server; tokens hidden."""

from __future__ import annotations

import json
import os
import socket
from html import escape
from pathlib import Path

import pytest

from scim_helper import connection
from scim_helper.connection import (
    Connection,
    ServerNotConfigured,
    course_advice,
    course_client,
    course_server,
)
from scim_helper.server.runner import LocalServer
from scim_helper.setup import course_setup
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ConnectError, Unauthorized
from sync_app.wirelog import REDACTED
from tests.fixtures.local import TenantLogin


def test_explicit_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arguments beat the environment."""
    monkeypatch.setenv(connection.URL_ENV, "http://env.example/scim/v2")
    monkeypatch.setenv(connection.TOKEN_ENV, "env-token")
    assert course_server("https://api.scim.dev/scim/v2/", "mine") == (
        "https://api.scim.dev/scim/v2/",
        "mine",
    )
    assert course_server() == ("http://env.example/scim/v2", "env-token")


def test_a_url_without_a_token_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server URL with no token anywhere is an error naming SCIM_AUTH_TOKEN."""
    monkeypatch.setenv(connection.URL_ENV, "https://api.scim.dev/scim/v2/")
    with pytest.raises(ServerNotConfigured, match="SCIM_AUTH_TOKEN"):
        course_server()


def test_the_token_is_never_shown() -> None:
    """A Connection unpacks to (url, token) but shows only the URL and the redaction marker."""
    shown = Connection("http://127.0.0.1:8000/scim/v2", "s3cret-token")
    for text in (repr(shown), str(shown), f"{shown}"):
        assert "s3cret-token" not in text and f"token: {REDACTED}" in text
    assert "s3cret-token" not in shown._repr_html_()
    assert f"token: {escape(REDACTED)}" in shown._repr_html_()
    _url, token = shown
    assert token == "s3cret-token"


def test_loopback_servers_are_local() -> None:
    """is_local says only that the host is loopback; reset never relies on it (see is_sandbox)."""
    assert Connection("http://127.0.0.1:1/scim/v2", "t").is_local
    assert Connection("http://localhost:1/scim/v2", "t").is_local
    assert Connection("http://[::1]:1/scim/v2", "t").is_local
    assert not Connection("https://api.scim.dev/scim/v2", "t").is_local


def test_a_token_given_with_a_url_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """After course_server(url, token), a call with only that token reaches the same URL."""
    course_server("http://10.0.0.5:8000/scim/v2", "workshop-token")
    monkeypatch.setenv(connection.URL_ENV, "http://elsewhere/scim/v2")
    assert course_server(None, "workshop-token").url == "http://10.0.0.5:8000/scim/v2"


def test_embedded_server_starts_once_and_keeps_its_token(embedded: Path) -> None:
    """With nothing set, one embedded server per process; its token survives a restart."""
    first = course_server()
    assert course_server() == first
    group_id, user_ids = course_setup()
    connection.stop_embedded_server()
    again = course_server()
    assert again.token == first.token
    assert course_setup() == (group_id, user_ids)  # same database, same tenant
    assert (embedded / "scim.db").exists()
    with course_client() as client:
        assert client.config.base_url.startswith(again.url)


def test_a_url_argument_takes_the_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each half may come from its own place: the URL given, the token from SCIM_AUTH_TOKEN."""
    monkeypatch.setenv(connection.URL_ENV, "http://env.example/scim/v2")
    monkeypatch.setenv(connection.TOKEN_ENV, "env-token")
    assert course_server("http://given.example/scim/v2") == (
        "http://given.example/scim/v2",
        "env-token",
    )
    assert course_server(None, "given-token") == ("http://env.example/scim/v2", "given-token")
    # A URL given without a token is not remembered for the environment's token.
    assert course_server() == ("http://env.example/scim/v2", "env-token")


def test_a_url_without_a_token_says_so_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole message: the URL it found, the variable to set, and the way back to local."""
    monkeypatch.setenv(connection.TOKEN_ENV, "")
    with pytest.raises(ServerNotConfigured) as raised:
        course_server("https://api.scim.dev/scim/v2/")
    assert str(raised.value) == (
        "There is a server URL (https://api.scim.dev/scim/v2/) but no token. Set "
        "SCIM_AUTH_TOKEN in the environment before starting JupyterLab (never paste a token "
        "into a notebook), or leave SCIM_SERVER_URL unset to use the course's own local server."
    )


def test_only_a_url_with_a_token_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """course_server(url) alone remembers nothing; a later call without one uses the environment."""
    monkeypatch.setenv(connection.TOKEN_ENV, "env-token")
    course_server("http://10.0.0.5:8000/scim/v2")
    monkeypatch.setenv(connection.URL_ENV, "http://env.example/scim/v2")
    assert course_server() == ("http://env.example/scim/v2", "env-token")
    assert connection._urls_by_token == {}


def test_an_empty_url_variable_means_the_embedded_server(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SCIM_SERVER_URL set to "" counts as unset: the embedded server answers."""
    monkeypatch.setenv(connection.URL_ENV, "")
    monkeypatch.setenv(connection.TOKEN_ENV, "env-token-ignored")
    own = course_server()
    assert (
        own.url == connection.embedded_server().url
        and own.token == connection.embedded_server().token
    )
    assert own.token != "env-token-ignored"
    assert course_server(None, "another-tenant") == (own.url, "another-tenant")
    assert connection.embedded_server() is connection.embedded_server()


def test_the_embedded_server_writes_its_token_file_once(embedded: Path) -> None:
    """The token file holds the server's token, readable by its owner only."""
    url, token = course_server()
    token_file = embedded / "token"
    assert token_file.read_text().strip() == token
    if os.name == "posix":
        assert token_file.stat().st_mode & 0o777 == 0o600
    before = token_file.stat().st_mtime_ns
    connection.stop_embedded_server()
    assert course_server().token == token
    assert token_file.stat().st_mtime_ns == before
    assert url.startswith("http://127.0.0.1:")


def test_course_client_uses_the_server_course_server_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """course_client(url, token) is configured with exactly that URL and token."""
    with course_client("http://10.1.2.3:8000/scim/v2", "t0ken") as client:
        assert client.config.base_url.rstrip("/") == "http://10.1.2.3:8000/scim/v2"
        assert client.config.auth_token == "t0ken"
    monkeypatch.setenv(connection.URL_ENV, "http://env.example/scim/v2")
    with pytest.raises(ServerNotConfigured):
        course_client()


def test_connection_shows_its_url_and_hides_its_token() -> None:
    """repr, str and HTML of a Connection, word for word."""
    shown = Connection("http://h/<x>", "tok")
    assert repr(shown) == f"Connection(url='http://h/<x>', token: {REDACTED})"
    assert str(shown) == repr(shown)
    assert shown._repr_html_() == (
        f"<code>http://h/&lt;x&gt;</code> <span>token: {escape(REDACTED)}</span>"
    )


def test_is_loopback_reads_the_host_only() -> None:
    """A name that merely contains "localhost", or a URL with no host, is not loopback."""
    assert connection.is_loopback("http://127.8.9.10:1/x")
    assert not connection.is_loopback("http://localhost.example.com/x")
    assert not connection.is_loopback("http://10.0.0.1/x")
    assert not connection.is_loopback("not a url")


# -- advice, in this process (the kernel tests in test_advice.py run in another) -------------------


def _unauthorized(url: str) -> Unauthorized:
    config = ClientConfiguration(server_url=url, auth_token="not-a-token")
    with SCIMClient(config) as client, pytest.raises(Unauthorized) as refused:
        client.get_users(count=1)
    return refused.value


def _refused(url: str) -> ConnectError:
    config = ClientConfiguration(server_url=url, auth_token="t", retries=0)
    with SCIMClient(config) as client, pytest.raises(ConnectError) as refused:
        client.get_users(count=1)
    return refused.value


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/scim/v2"


def test_token_advice_for_a_server_given_in_the_notebook(fresh_tenant: TenantLogin) -> None:
    """A token refused by a server the course did not start: set SCIM_AUTH_TOKEN (how to mint)."""
    error = _unauthorized(fresh_tenant.url)
    advice = course_advice(error)
    assert advice is not None and advice.startswith(
        "The course reads the token from SCIM_AUTH_TOKEN: set it to one this server accepts"
    )
    assert advice.endswith(", then start the course again. A token never goes into a notebook.")
    minted = " (`scim-course token` mints one for a server you run with `scim-course serve`)"
    assert (minted in advice) is ("scim-course token" not in str(error))


def test_token_advice_for_the_embedded_and_the_lab_server(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The course's own server, in this kernel or started with the lab: leave auth_token alone."""
    own = (
        "The course's own server gets its token without your help: leave auth_token = None in "
        "the chapter's first cell, then restart the kernel (Kernel ▸ Restart Kernel…) and run the "
        "chapter from the top."
    )
    url = course_server().url
    assert course_advice(_unauthorized(url)) == own
    connection.stop_embedded_server()
    with LocalServer(embedded / "lab.db") as lab:
        monkeypatch.setenv(connection.LAB_URL_ENV, lab.url + "/")
        assert course_advice(_unauthorized(lab.url)) == own


def test_connect_advice_names_where_the_url_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    """SCIM_SERVER_URL: check it; a URL in the notebook: check the first cell; else no advice."""
    url = _closed_port_url()
    assert course_advice(_refused(url)) == (
        "Check the server_url in the chapter's first cell, and that the server there is running."
    )
    monkeypatch.setenv(connection.URL_ENV, f"  {url}/ ")
    assert course_advice(_refused(url)) == (
        "SCIM_SERVER_URL is set to that address: check it, and that the server there is "
        "running. To use the course's own server instead, unset SCIM_SERVER_URL and "
        "SCIM_AUTH_TOKEN and start the course again."
    )
    assert course_advice(ValueError("x")) is None


def test_connect_advice_for_the_embedded_server(embedded: Path) -> None:
    """The embedded server's URL refusing: restart the kernel."""
    server = connection.embedded_server()
    url = server.url
    server.stop()
    assert course_advice(_refused(url + "/Users")) == (
        "That is the course's own server, which runs inside this kernel: restart the kernel "
        "(Kernel ▸ Restart Kernel…) and run the chapter from the top."
    )


def test_show_course_advice_in_an_ipython_shell() -> None:
    """In IPython, connection and token errors show as one paragraph with the advice; others not."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.set_custom_exc((), None)
        shell.custom_exceptions = ()
        connection.show_course_advice()
        assert shell.custom_exceptions == (ConnectError, Unauthorized)
        connection.show_course_advice()  # twice: still ours, once
        assert shell.custom_exceptions == (ConnectError, Unauthorized)
        shown: list[list[str]] = []
        shell._showtraceback = lambda etype, value, stb: shown.append(stb)  # type: ignore[method-assign]
        error = _refused(_closed_port_url())
        stb = connection._show_with_advice(shell, ConnectError, error, None)
        assert stb == [f"ConnectError: {error.summary} {course_advice(error)}"]
        assert shown == [stb]
        try:
            raise KeyError("plain")
        except KeyError as plain:
            other = connection._show_with_advice(shell, KeyError, plain, plain.__traceback__)
        assert "KeyError" in "".join(other) and len(other) > 1
        assert shown[-1] == other
        shell.set_custom_exc((KeyError,), lambda *a, **k: None)
        connection.show_course_advice()  # someone else's handler: left alone
        assert shell.custom_exceptions == (KeyError,)
    finally:
        InteractiveShell.clear_instance()


# -- the sandbox's liveness check, and advice without a request ---------------------------------


def test_pid_one_is_a_live_process() -> None:
    """pid 1 (init) is alive: is_sandbox may count it, unless it is another user's process."""
    ours = os.geteuid() == 0 or Path("/proc/1").stat().st_uid == os.geteuid()
    assert connection._process_alive(1) is ours


def test_asking_whether_a_process_lives_leaves_it_running(tmp_path: Path) -> None:
    """The check only asks (signal 0): the recorded process goes on running afterwards."""
    import subprocess
    import sys
    import time

    from scim_helper.server.runner import SANDBOX_RECORDS, token_digest

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        url, token = "http://127.0.0.1:5555/scim/v2", "the-token"
        folder = tmp_path / SANDBOX_RECORDS
        folder.mkdir()
        record = {"url": url, "token_sha256": token_digest(token), "pid": child.pid}
        (folder / "child.json").write_text(json.dumps(record), "utf-8")
        assert connection.is_sandbox(url, token, tmp_path)
        time.sleep(0.2)
        assert child.poll() is None, "the check must not signal the process"
    finally:
        child.kill()
        child.wait()


def test_a_url_is_compared_whole_but_for_a_trailing_slash(tmp_path: Path) -> None:
    """A URL ending in another character (here "X") is not shortened before comparing."""
    from scim_helper.server.runner import SANDBOX_RECORDS, token_digest

    url, token = "http://127.0.0.1:5555/tenantX", "the-token"
    folder = tmp_path / SANDBOX_RECORDS
    folder.mkdir()
    record = {"url": url, "token_sha256": token_digest(token), "pid": os.getpid()}
    (folder / "r.json").write_text(json.dumps(record), "utf-8")
    assert connection.is_sandbox(url, token, tmp_path)
    assert connection.is_sandbox(url + "/", token, tmp_path)
    assert not connection.is_sandbox("http://127.0.0.1:5555/tenant", token, tmp_path)


def test_the_embedded_server_makes_a_nested_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SCIM_COURSE_DATA_DIR may name folders that do not exist yet: all of them are made."""
    from scim_helper.server.runner import DATA_DIR_ENV

    nested = tmp_path / "a" / "b" / "course"
    monkeypatch.setenv(DATA_DIR_ENV, str(nested))
    try:
        server = connection.embedded_server()
        assert nested.is_dir() and server.url == course_server().url
    finally:
        connection.stop_embedded_server()


def test_token_advice_without_a_request_says_how_to_mint_one() -> None:
    """An Unauthorized made by hand (no request, no mention of the command): the whole advice."""
    advice = course_advice(Unauthorized("The server refused the credentials (401)."))
    assert advice == (
        "The course reads the token from SCIM_AUTH_TOKEN: set it to one this server accepts "
        "(`scim-course token` mints one for a server you run with `scim-course serve`), then "
        "start the course again. A token never goes into a notebook."
    )
    said = Unauthorized("Refused (401). Mint a new one with 'scim-course token'.")
    assert course_advice(said) == (
        "The course reads the token from SCIM_AUTH_TOKEN: set it to one this server accepts, "
        "then start the course again. A token never goes into a notebook."
    )


def test_other_errors_keep_their_whole_traceback_in_ipython(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An error without advice shows IPython's own traceback: its type, message and frames."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.InteractiveTB.set_theme_name("nocolor")

        def lookup() -> None:
            raise KeyError("plain")

        try:
            lookup()
        except KeyError as plain:
            connection._show_with_advice(shell, KeyError, plain, plain.__traceback__)
        shown = capsys.readouterr().out
        assert "KeyError: 'plain'" in shown
        assert "--> " in shown and "lookup()" in shown and 'KeyError("plain")' in shown
    finally:
        InteractiveShell.clear_instance()


def test_show_course_advice_installs_the_handler_ipython_calls() -> None:
    """The handler IPython calls for ConnectError and Unauthorized is _show_with_advice."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.set_custom_exc((), None)
        shell.custom_exceptions = ()
        connection.show_course_advice()
        shown: list[list[str]] = []
        shell._showtraceback = lambda etype, value, stb: shown.append(stb)  # type: ignore[method-assign]
        result = shell.run_cell(
            "from sync_app.errors import Unauthorized\nraise Unauthorized('Refused (401).')"
        )
        assert isinstance(result.error_in_exec, Unauthorized)
        assert shown == [[f"Unauthorized: Refused (401). {course_advice(result.error_in_exec)}"]]
    finally:
        InteractiveShell.clear_instance()
