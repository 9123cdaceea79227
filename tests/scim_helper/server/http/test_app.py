"""Every failure is a SCIM Error body with application/scim+json (RFC 7644 §3.12)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from scim_helper.server.runner import LocalServer

from .conftest import USER, Api, assert_scim_error

SCIM_JSON = {"Content-Type": "application/scim+json"}


def test_rfc7644_3_12_unknown_endpoint_is_scim_404(api: Api) -> None:
    """An endpoint that does not exist answers a SCIM 404, not the framework's page."""
    assert_scim_error(api.get("/Nothing/here"), 404)


def test_rfc7644_3_12_path_outside_the_base_url_is_scim_404(api: Api) -> None:
    """A path outside /scim/v2 answers a SCIM 404 as well."""
    root = api.url.removesuffix("/scim/v2")
    assert_scim_error(api.session.get(f"{root}/index.html", timeout=30), 404)


def test_rfc7644_3_12_unknown_method_is_scim_405(api: Api) -> None:
    """A method an endpoint does not take answers a SCIM 405 with an Allow header."""
    response = api.request("PATCH", "/Users")
    assert_scim_error(response, 405)
    assert "POST" in response.headers["allow"]


def test_rfc7644_3_12_malformed_json_is_invalid_syntax(api: Api) -> None:
    """A body that is not JSON is a 400 invalidSyntax."""
    response = api.post("/Users", data=b'{"userName": ', headers=SCIM_JSON)
    assert_scim_error(response, 400, "invalidSyntax")


def test_rfc7644_3_12_invalid_utf8_is_invalid_syntax(api: Api) -> None:
    """A body that is not UTF-8 is a 400 invalidSyntax."""
    response = api.post("/Users", data=b'{"userName": "\xff\xfe"}', headers=SCIM_JSON)
    assert_scim_error(response, 400, "invalidSyntax")


def test_rfc7644_3_12_json_that_is_not_an_object_is_invalid_syntax(api: Api) -> None:
    """A JSON array or string as the body is a 400 invalidSyntax."""
    response = api.post("/Users", data=b'["userName"]', headers=SCIM_JSON)
    assert_scim_error(response, 400, "invalidSyntax")


def test_rfc7644_3_12_deeply_nested_json_is_invalid_syntax(api: Api) -> None:
    """JSON nested 100,000 deep is a 400 invalidSyntax, not a crash."""
    response = api.post("/Users", data=b"[" * 100_000, headers=SCIM_JSON)
    assert_scim_error(response, 400, "invalidSyntax")


def test_rfc7644_3_12_nan_is_invalid_syntax(api: Api) -> None:
    """NaN is not JSON (RFC 8259) and is a 400 invalidSyntax."""
    response = api.post("/Users", data=b'{"userName": NaN}', headers=SCIM_JSON)
    assert_scim_error(response, 400, "invalidSyntax")


def test_rfc7644_3_12_empty_body_is_invalid_syntax(api: Api) -> None:
    """POST without a body is a 400 invalidSyntax."""
    assert_scim_error(api.post("/Users", data=b"", headers=SCIM_JSON), 400, "invalidSyntax")


def test_rfc7644_3_8_wrong_content_type_is_415(api: Api) -> None:
    """A body sent as anything but SCIM or plain JSON is refused with 415."""
    response = api.post(
        "/Users", data=b"userName=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_scim_error(response, 415)


def test_rfc7644_3_12_bad_input_leaves_data_unchanged(api: Api) -> None:
    """After a series of bad requests the tenant's data is exactly as before."""
    user = api.create_user("unchanged")
    before = api.get("/Users").json()
    api.put(f"/Users/{user['id']}", data=b"{", headers=SCIM_JSON)
    api.patch(f"/Users/{user['id']}", data=b"\xff", headers=SCIM_JSON)
    api.post("/Users", data=b"[]", headers=SCIM_JSON)
    api.put(f"/Users/{user['id']}", data=b"x", headers={"Content-Type": "text/plain"})
    assert api.get("/Users").json() == before


def test_rfc7644_3_12_unexpected_error_is_generic_500(
    api: Api,
    local_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug answers a SCIM 500 without its details; the log has them, but not the token."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"internal detail {api.token}")

    monkeypatch.setattr(local_server.store, "search", broken)
    with caplog.at_level(logging.ERROR, logger="scim_helper.server"):
        response = api.get("/Users")
    assert_scim_error(response, 500)
    assert "internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError: internal detail [redacted]" in caplog.text
    assert api.token not in caplog.text


def test_rfc7644_3_12_errors_from_the_store_keep_their_scim_type(api: Api) -> None:
    """A store error (here: a userName taken twice) keeps its status and scimType."""
    api.create_user("twice")
    response = api.post("/Users", json={"schemas": [USER], "userName": "twice"})
    assert_scim_error(response, 409, "uniqueness")


def test_rfc7644_3_4_2_2_deeply_nested_filter_is_invalid_filter(api: Api) -> None:
    """A filter with 10,000 nested parentheses is a 400 invalidFilter, not a crash."""
    nested = "(" * 10_000 + 'userName eq "x"' + ")" * 10_000
    assert_scim_error(api.get("/Users", params={"filter": nested}), 400, "invalidFilter")


def test_rfc7644_3_4_2_2_sql_looking_filter_values_are_data(api: Api) -> None:
    """A filter value that looks like SQL matches nothing and changes nothing."""
    api.create_user("bobby")
    response = api.get("/Users", params={"filter": "userName eq \"x' OR '1'='1\""})
    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert api.get("/Users").json()["totalResults"] == 1
