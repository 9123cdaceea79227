"""The community conformance checkers, run against the server over HTTP (issue 3, "Must show").

- ``scim2-tester`` (python API ``check_server``): every check must be SUCCESS.
- ``scim-sanity probe``: every check must pass, but one: see ``SANITY_CONFLICTS``.

Each runs in a fresh tenant: both create, change and delete resources.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from scim2_tester import Status, check_server

from tests.fixtures.local import TenantLogin

from .conftest import PATCH_OP, Api, HttpxSCIMClient, assert_scim_error

# Checks of scim-sanity that contradict a requirement of issue 3: its report message, the
# request it sends, and the SCIM error that request must get from us. Each must fail exactly
# so (the test replays the request), so the list cannot hide anything else.
#
# Decision (project lead): keep 400 invalidValue for an unknown member id. Issue 3 asks for it
# explicitly ("adding an unknown member id is a 400 invalidValue"), and Microsoft Entra ID
# behaves the same: scim-sanity's own "entra" profile lists it as a known deviation.
SANITY_CONFLICTS = {
    "PATCH /Groups/{id} add member": (
        "Expected 200, got 400",
        {"op": "add", "path": "members", "value": [{"value": "fake-member-id"}]},
        (400, "invalidValue"),
    ),
}


def _describe(result: Any) -> str:
    return f"{result.resource_type or '-'} {result.title}: {result.status.name} {result.reason}"


def test_scim2_tester_reports_every_check_success(fresh_tenant: TenantLogin) -> None:
    """scim2-tester's check_server finds every check SUCCESS."""
    with httpx.Client(base_url=fresh_tenant.url, headers=fresh_tenant.headers, timeout=30) as http:
        results = check_server(HttpxSCIMClient(http))
    assert results
    failures = [_describe(r) for r in results if r.status != Status.SUCCESS]
    assert failures == [], "\n".join(failures)


def test_scim_sanity_probe_passes_every_check(fresh_tenant: TenantLogin, tmp_path: Path) -> None:
    """scim-sanity probe (strict mode) passes every check but the documented conflicts."""
    probe = Path(sys.executable).with_name("scim-sanity")
    command = [str(probe), "probe", fresh_tenant.url, "--token", fresh_tenant.token]
    command += ["--i-accept-side-effects", "--json-output", "--timeout", "30"]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(completed.stdout)
    (tmp_path / "scim-sanity.json").write_text(completed.stdout)
    results = report["results"]
    assert results
    failures = {r["name"]: r["message"] for r in results if r["status"] not in ("pass", "skip")}
    expected = {name: message for name, (message, _, _) in SANITY_CONFLICTS.items()}
    assert failures == expected, json.dumps(failures, indent=1)
    assert completed.returncode == (1 if failures else 0)


def test_scim_sanity_conflicts_fail_for_the_documented_reason(api: Api) -> None:
    """Each request behind a scim-sanity conflict gets exactly the SCIM error issue 3 asks for."""
    group = api.create_group("Probe")
    for _, operation, (status, scim_type) in SANITY_CONFLICTS.values():
        body = {"schemas": [PATCH_OP], "Operations": [operation]}
        assert_scim_error(api.patch(f"/Groups/{group['id']}", json=body), status, scim_type)
