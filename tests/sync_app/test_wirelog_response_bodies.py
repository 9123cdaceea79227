"""What the wire log keeps of a response body: the body itself, unless its text could hold a
password, in any spelling JSON allows (letter case, ``\\u`` escapes, UTF-16)."""

from __future__ import annotations

import json

import pytest

from sync_app.wirelog import REDACTED, redact_json
from tests.sync_app.conftest import Reply, StubServer

PAGE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 1,
    "Resources": [{"id": "1", "userName": "dschrute", "name": {"givenName": "Dwight"}}],
}


def test_a_body_whose_text_holds_no_password_is_kept_itself_not_copied() -> None:
    raw = json.dumps(PAGE).encode()
    assert redact_json(PAGE, raw) is PAGE


@pytest.mark.parametrize(
    "raw",
    [
        b'{"password": "x"}',
        b'{"PassWord": "x"}',
        b'{"p\\u0061ssword": "x"}',
        '{"password": "x"}'.encode("utf-16"),
    ],
    ids=["plain", "letter-case", "escaped", "utf-16"],
)
def test_a_body_whose_text_could_hold_a_password_is_redacted(raw: bytes) -> None:
    body = {"password": "x", "userName": "dschrute"}
    kept = redact_json(body, raw)
    assert kept == {"password": REDACTED, "userName": "dschrute"}
    assert body["password"] == "x"  # a copy: the response's own body is unchanged


def test_without_the_text_the_body_is_redacted() -> None:
    assert redact_json({"password": "x"}, None) == {"password": REDACTED}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"p\\u0061ssword": "hunter2", "id": "1"}',
        '{"password": "hunter2", "id": "1"}'.encode("utf-16"),
    ],
    ids=["escaped", "utf-16"],
)
def test_a_password_a_server_sends_back_never_reaches_the_log(stub: StubServer, raw: bytes) -> None:
    """Over real HTTP: a server that wrongly returns a password, spelled as JSON allows."""
    stub.queue(
        Reply(
            raw=raw,
            headers={"Content-Type": "application/scim+json; charset=utf-16"}
            if raw.startswith(b"\xff\xfe")
            else {},
        )
    )
    with stub.client() as client:
        answer = client.get_user("1")
    assert answer.to_dict()["password"] == "hunter2"
    exchange = client.wire_log[-1]
    assert exchange.response_body == {"password": REDACTED, "id": "1"}
    assert "hunter2" not in exchange.to_text() and "hunter2" not in client.wire_log._repr_html_()


def test_a_page_over_http_is_logged_as_received(stub: StubServer) -> None:
    stub.queue(Reply(body=PAGE))
    with stub.client() as client:
        answer = client.get_users()
    assert client.wire_log[-1].response_body == PAGE == answer.to_dict()
