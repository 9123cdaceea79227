"""The instructor view's sign-in cookie: HttpOnly and SameSite=Strict always, Secure over HTTPS."""

from __future__ import annotations

import pytest
import requests

from .conftest import Workshop


@pytest.mark.parametrize(
    ("headers", "secure"),
    [({}, False), ({"X-Forwarded-Proto": "https"}, True), ({"X-Forwarded-Proto": "http"}, False)],
)
def test_sign_in_cookie_is_secure_when_the_view_was_reached_over_https(
    workshop: Workshop, headers: dict[str, str], secure: bool
) -> None:
    """Behind a TLS proxy on this machine (X-Forwarded-Proto: https, trusted from loopback)
    the cookie carries Secure, so a browser never sends it over plain HTTP; on plain HTTP it
    cannot, or the instructor could not sign in at all."""
    signed = requests.post(
        f"{workshop.server.root}/workshop/login",
        data={"token": workshop.room.instructor},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert ("secure" in attributes) is secure
    assert workshop.room.instructor not in signed.headers.get("location", "")
