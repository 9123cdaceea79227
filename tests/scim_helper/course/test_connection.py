"""Finding the server: arguments, else the environment, else the embedded server; tokens hidden."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import pytest

from scim_helper import connection
from scim_helper.connection import Connection, ServerNotConfigured, course_client, course_server
from scim_helper.setup import course_setup
from sync_app.wirelog import REDACTED


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
