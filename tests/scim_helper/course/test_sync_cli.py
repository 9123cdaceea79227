"""``scim-course sync ROSTER``: the sync from a terminal, its output and exit status."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scim_helper import connection
from scim_helper.cli import main
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.sync import COLUMNS
from tests.fixtures.local import TenantLogin


def _roster(path: Path, count: int, *, header: list[str] | None = None) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header or list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for i in range(1, count + 1):
            writer.writerow(
                {
                    "employee_id": f"S{i}",
                    "user_name": f"sabre{i}",
                    "given_name": "Sabre",
                    "family_name": f"Person{i}",
                    "email": f"sabre{i}@sabre.com",
                    "title": "Associate",
                    "department": "Sales",
                    "division": "Tallahassee",
                    "manager_id": "" if i == 1 else "S1",
                    "active": "true",
                    "groups": "Sabre",
                }
            )
    return path


@pytest.fixture
def pointed_at(fresh_tenant: TenantLogin, monkeypatch: pytest.MonkeyPatch) -> TenantLogin:
    monkeypatch.setenv(connection.URL_ENV, fresh_tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, fresh_tenant.token)
    return fresh_tenant


def _users(tenant: TenantLogin) -> list[str]:
    config = ClientConfiguration(server_url=tenant.url, auth_token=tenant.token)
    with SCIMClient(config) as client:
        return sorted(u.userName or "" for u in client.iter_users())


def test_sync_applies_then_reruns_to_no_changes(
    pointed_at: TenantLogin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0; the plan and the report are printed; the second run has nothing to do."""
    roster = _roster(tmp_path / "sabre.csv", 3)
    assert main(["sync", str(roster)]) == 0
    out = capsys.readouterr().out
    assert "3 created" in out and "Sync finished." in out
    assert pointed_at.token not in out
    assert _users(pointed_at) == ["sabre1", "sabre2", "sabre3"]
    assert main(["sync", str(roster)]) == 0
    out = capsys.readouterr().out
    assert "no changes" in out and "0 writes" in out


def test_dry_run_prints_the_plan_and_writes_nothing(
    pointed_at: TenantLogin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run: exit 0, the plan shown, nothing created."""
    assert main(["sync", str(_roster(tmp_path / "s.csv", 2)), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing written." in out
    assert "Would do: " in out and "Done: " not in out  # a dry run did nothing
    assert _users(pointed_at) == []


def test_malformed_roster_exits_2_listing_every_problem(
    pointed_at: TenantLogin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A roster without a column is refused before anything is sent."""
    header = [c for c in COLUMNS if c not in ("email", "active")]
    assert main(["sync", str(_roster(tmp_path / "s.csv", 2, header=header))]) == 2
    err = capsys.readouterr().err
    assert "line 1: missing columns email, active" in err
    assert _users(pointed_at) == []


def test_guard_exits_3_unless_allowed(
    pointed_at: TenantLogin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken export dropping 6 of 10 is refused (exit 3) until --allow-mass-deactivation."""
    assert main(["sync", str(_roster(tmp_path / "all.csv", 10))]) == 0
    short = _roster(tmp_path / "short.csv", 4)
    assert main(["sync", str(short)]) == 3
    assert "REFUSED" in capsys.readouterr().out
    assert main(["sync", str(short), "--allow-mass-deactivation"]) == 0
    assert "6 deactivated" in capsys.readouterr().out


def test_server_and_token_options(
    fresh_tenant: TenantLogin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--server-url and --token work without the environment; --source sets the externalId."""
    monkeypatch.delenv(connection.URL_ENV, raising=False)
    monkeypatch.delenv(connection.TOKEN_ENV, raising=False)
    roster = str(_roster(tmp_path / "s.csv", 1))
    args = ["--server-url", fresh_tenant.url, "--token", fresh_tenant.token, "--source", "sabre"]
    assert main(["sync", roster, *args]) == 0
    config = ClientConfiguration(server_url=fresh_tenant.url, auth_token=fresh_tenant.token)
    with SCIMClient(config) as client:
        (user,) = client.iter_users()
    assert user.externalId == "sabre:S1"
