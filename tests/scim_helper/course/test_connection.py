"""Finding the server: arguments, else the environment, else the embedded server; tokens hidden."""

from __future__ import annotations

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
