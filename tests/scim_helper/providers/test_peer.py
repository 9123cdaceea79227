"""scim2-server replayed: its real deviations are the ones docs/validate.md lists."""

from __future__ import annotations

import pytest

from scim_helper.providers import validate
from tests.fixtures.peer import PeerServer


@pytest.mark.parametrize(
    ("profile", "failing"),
    [
        # RFC 7644 §3.5.2.2 reads a remove with a value list as an error; Entra's default sends it
        ("entra", {"remove one member"}),
        ("entra-compliant", set()),
        ("okta", set()),
    ],
)
def test_scim2_server_deviates_only_where_documented(
    peer_server: PeerServer, profile: str, failing: set[str]
) -> None:
    """Entra default mode: scim2-server refuses the value-list member remove; all else passes."""
    report = validate(peer_server.url, peer_server.token, profile, progress=False)
    assert {r.name for r in report.failures()} == failing, report.text()
    assert not [r for r in report.results if r.outcome == "skip"]
