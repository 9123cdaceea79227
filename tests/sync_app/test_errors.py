"""errors: one root, one class per status family and scimType, sentences that say what to do."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

import sync_app.errors
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidFilter,
    InvalidPath,
    InvalidSyntax,
    InvalidValue,
    InvalidVersion,
    Mutability,
    NoTarget,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    ProtocolError,
    SCIMError,
    Sensitive,
    ServerError,
    TooMany,
    TooManyRequests,
    TransportError,
    Unauthorized,
    Uniqueness,
    ValidationError,
)
from sync_app.scim.group import Group
from sync_app.scim.user import User
from tests.fixtures.local import TenantLogin
from tests.sync_app.conftest import Reply, StubServer

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def _error(status: int, scim_type: str | None = None, detail: str = "x") -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def test_every_exception_descends_from_scim_error() -> None:
    """Every exception class in the module has SCIMError as its root."""
    classes = [
        obj
        for obj in vars(sync_app.errors).values()
        if isinstance(obj, type) and issubclass(obj, BaseException)
    ]
    assert classes and all(issubclass(c, SCIMError) for c in classes)


def test_tree_in_docstring_names_every_class() -> None:
    """The docstring's tree draws every exception class."""
    drawn = set(re.findall(r"[├└]── (\w+)", sync_app.errors.__doc__ or ""))
    classes = {
        name
        for name, obj in vars(sync_app.errors).items()
        if isinstance(obj, type) and issubclass(obj, SCIMError) and obj is not SCIMError
    }
    assert drawn == classes


def test_transport_and_protocol_errors_are_separate() -> None:
    """Transport failures are not protocol errors, and validation errors are ValueErrors."""
    assert not issubclass(TransportError, ProtocolError)
    assert not issubclass(ProtocolError, TransportError)
    assert issubclass(ValidationError, ValueError)


@pytest.mark.parametrize(
    ("status", "scim_type", "expected"),
    [
        (400, None, BadRequest),
        (400, "invalidFilter", InvalidFilter),
        (400, "tooMany", TooMany),
        (400, "mutability", Mutability),
        (400, "invalidSyntax", InvalidSyntax),
        (400, "invalidPath", InvalidPath),
        (400, "noTarget", NoTarget),
        (400, "invalidValue", InvalidValue),
        (400, "invalidVers", InvalidVersion),
        (400, "sensitive", Sensitive),
        (401, None, Unauthorized),
        (403, None, Forbidden),
        (404, None, NotFound),
        (409, None, Conflict),
        (409, "uniqueness", Uniqueness),
        (412, None, PreconditionFailed),
        (413, None, PayloadTooLarge),
        (429, None, TooManyRequests),
        (500, None, ServerError),
        (502, None, ServerError),
        (405, None, ProtocolError),
        # A scimType only picks its class when the status agrees with it.
        (400, "uniqueness", BadRequest),
    ],
)
def test_rfc7644_3_12_status_and_scim_type_map_to_classes(
    stub: StubServer, status: int, scim_type: str | None, expected: type[ProtocolError]
) -> None:
    """Each status family and RFC 7644 §3.12 scimType raises its own class with its details."""
    stub.queue(Reply(status=status, body=_error(status, scim_type, "the detail")))
    with stub.client(retries=0) as client, pytest.raises(ProtocolError) as caught:
        client.get_users()
    error = caught.value
    assert type(error) is expected
    assert (error.status, error.scim_type, error.detail) == (status, scim_type, "the detail")
    assert error.request is client.wire_log[-1]
    assert error.response is not None and error.response.status_code == status


def test_scim_type_classes_subclass_their_status() -> None:
    """Each scimType class is caught by its status class."""
    assert issubclass(Uniqueness, Conflict)
    for cls in (
        InvalidFilter,
        TooMany,
        Mutability,
        InvalidSyntax,
        InvalidPath,
        NoTarget,
        InvalidValue,
        InvalidVersion,
        Sensitive,
    ):
        assert issubclass(cls, BadRequest) and cls.status == 400


def test_rfc7644_3_12_uniqueness_message_names_the_group(
    stub: StubServer, sample: Callable[[str], Any]
) -> None:
    """A duplicate group reads as sentences: the request, the server's detail, what to try."""
    stub.queue(Reply(status=409, body=sample("rfc7644-3.12-error-uniqueness")))
    with stub.client() as client, pytest.raises(Uniqueness) as caught:
        client.create_group(Group(displayName="Dunder Mifflin"))
    assert str(caught.value) == (
        "POST /Groups was refused (409 uniqueness). The server says: One or more of the "
        "attribute values are already in use or are reserved. Find the existing one with "
        "get_groups(filter=Filter(filter='displayName eq \"Dunder Mifflin\"')), or delete it "
        "first to start over."
    )


def test_rfc7644_3_12_uniqueness_without_detail_says_it_exists(stub: StubServer) -> None:
    """Without the server's detail, the client says what is taken and how to find it."""
    stub.queue(
        Reply(status=409, body={"schemas": [ERROR], "status": "409", "scimType": "uniqueness"})
    )
    with stub.client() as client, pytest.raises(Uniqueness) as caught:
        client.create_group(Group(displayName="Dunder Mifflin"))
    assert str(caught.value) == (
        "Group 'Dunder Mifflin' already exists (409 uniqueness). Find the existing one with "
        "get_groups(filter=Filter(filter='displayName eq \"Dunder Mifflin\"')), or delete it "
        "first to start over."
    )


def test_rfc7644_3_12_uniqueness_on_the_course_server_says_each_thing_once(
    fresh_tenant: TenantLogin,
) -> None:
    """The course server's 409: its detail once, the code once, and only the Python call added."""
    config = ClientConfiguration(server_url=fresh_tenant.url, auth_token=fresh_tenant.token)
    with SCIMClient(config) as client:
        client.create_user(User(userName="cminer"))
        with pytest.raises(Uniqueness) as caught:
            client.create_user(User(userName="cminer"))
    message = str(caught.value)
    assert message == (
        "POST /Users was refused (409 uniqueness). The server says: userName 'cminer' is "
        "already taken. "
        "userName is unique case-insensitively: pick another, or find the existing user with "
        'filter=userName eq "cminer". '
        "In Python: get_users(filter=Filter(filter='userName eq \"cminer\"'))."
    )
    assert message.count("409") == 1 and message.lower().count("find") == 1


def test_rfc7644_3_12_unauthorized_on_the_course_server_says_it_once(
    fresh_tenant: TenantLogin,
) -> None:
    """A wrong token: the server's detail says why and what to do; the client adds no echo."""
    config = ClientConfiguration(server_url=fresh_tenant.url, auth_token="not-the-token")
    with SCIMClient(config) as client, pytest.raises(Unauthorized) as caught:
        client.get_users()
    assert str(caught.value) == (
        "The server refused the credentials (401): The bearer token is not valid for this "
        "server. Check the token you were given, or mint a new one with 'scim-course token'."
    )
    assert "ClientConfiguration" not in str(caught.value)


def test_rfc7644_3_12_unauthorized_without_detail_gives_the_hint(stub: StubServer) -> None:
    """Without a detail, the general hint: the token is missing, wrong or expired."""
    stub.queue(Reply(status=401, body={"schemas": [ERROR], "status": "401"}))
    with stub.client() as client, pytest.raises(Unauthorized) as caught:
        client.get_users()
    assert str(caught.value) == (
        "The server refused the credentials (401). The bearer token the client sent is missing, "
        "wrong or expired for this server."
    )
    assert caught.value.summary == "The server refused the credentials (401)."


def test_error_without_scim_body_keeps_an_excerpt(stub: StubServer) -> None:
    """An error page that is not SCIM JSON (a proxy's HTML) still gives a detail."""
    stub.queue(
        Reply(status=502, raw=b"<h1>Bad Gateway</h1>", headers={"Content-Type": "text/html"})
    )
    with stub.client(retries=0) as client, pytest.raises(ServerError) as caught:
        client.get_users()
    assert caught.value.detail == "<h1>Bad Gateway</h1>"
    assert "server's failure" in str(caught.value)


@pytest.mark.parametrize(
    "cls",
    [
        BadRequest,
        InvalidFilter,
        Unauthorized,
        NotFound,
        Uniqueness,
        PreconditionFailed,
        ServerError,
    ],
)
def test_messages_say_what_to_try(stub: StubServer, cls: type[ProtocolError]) -> None:
    """Every message is sentences: the status, the server's detail, then a hint."""
    stub.queue(Reply(status=cls.status, body=_error(cls.status, cls.scim_type, "Because reasons")))
    with stub.client(retries=0) as client, pytest.raises(cls) as caught:
        client.get_user("42")
    message = str(caught.value)
    assert f"({cls.status}" in message
    assert "The server says: Because reasons." in message
    assert message.endswith(".") and len(message.split(". ")) >= 3
