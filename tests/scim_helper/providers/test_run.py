"""A run touches only what it creates: marked names, deleted at the end, also after a failure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from scim_helper.providers import NAMES, validate

from .conftest import Toy


@pytest.mark.parametrize("profile", NAMES)
def test_a_run_leaves_existing_resources_alone(toy: Callable[..., Toy], profile: str) -> None:
    """A user and a group that were there before are there after, unchanged."""
    server = toy("no_filter_remove")  # a failing step must not stop the cleanup
    headers = {"Authorization": f"Bearer {server.token}"}
    michael = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "mscott"}
    user = requests.post(f"{server.url}/Users", json=michael, headers=headers, timeout=5).json()
    group = requests.post(
        f"{server.url}/Groups",
        json={"displayName": "Scranton", "members": [{"value": user["id"]}]},
        headers=headers,
        timeout=5,
    ).json()
    before = {kind: dict(items) for kind, items in server.store.items()}
    validate(server.url, server.token, profile, progress=False)
    assert server.store == before
    assert server.store["Groups"][group["id"]]["members"] == [{"value": user["id"]}]


def test_names_carry_the_run_marker(toy: Callable[..., Toy]) -> None:
    """Every userName and displayName the run sends starts with validate-<suffix>-."""
    server = toy()
    report = validate(
        server.url,
        server.token,
        "okta",
        progress=False,
    )
    sent = [
        e.request_body
        for r in report.results
        for e in r.exchanges
        if isinstance(e.request_body, dict)
    ]
    names = [b.get("userName") or b.get("displayName") for b in sent if "schemas" in b]
    names = [n for n in names if n]
    assert names and all(n.startswith("validate-") for n in names)
