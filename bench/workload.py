"""The resources and requests the benchmarks send, the same for every server."""

from __future__ import annotations

from typing import Any

import requests

from sync_app.scim.urns import GROUP, PATCH_OP, USER

FAMILIES = ("Scott", "Schrute", "Halpert", "Beesly", "Martin", "Bernard", "Malone", "Hudson")


def user(i: int, tag: str = "u") -> dict[str, Any]:
    """User number ``i``: userName, externalId, name, a work email, every 10th inactive."""
    return {
        "schemas": [USER],
        "userName": f"{tag}{i:06d}@dundermifflin.example",
        "externalId": f"ext-{tag}{i:06d}",
        "name": {"givenName": f"Given{i}", "familyName": f"{FAMILIES[i % len(FAMILIES)]}{i:06d}"},
        "displayName": f"Given{i} {FAMILIES[i % len(FAMILIES)]}",
        "active": i % 10 != 0,
        "emails": [
            {"value": f"{tag}{i:06d}@work.example", "type": "work", "primary": True},
            {"value": f"{tag}{i:06d}@home.example", "type": "home"},
        ],
    }


def group(i: int, members: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [GROUP], "displayName": f"Group {i:05d}"}
    if members:
        body["members"] = [{"value": m} for m in members]
    return body


def add_member(member_id: str) -> dict[str, Any]:
    return {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": member_id}]}],
    }


def expect(response: requests.Response, status: int) -> dict[str, Any]:
    """The JSON body of ``response``, or an error saying what the server answered instead."""
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.url} answered {response.status_code}, "
            f"expected {status}: {response.text[:300]}"
        )
    return response.json() if response.content else {}
