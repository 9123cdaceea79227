"""Each exercise check: a hint while the exercise is undone (or done wrong), ✓ once it is done.

Every test drives the live server the way a learner would, through the client.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from scim_helper import checks, connection
from scim_helper.tenant import Tenant as Lookup
from sync_app.client import SCIMClient
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, Name, User

from .conftest import Seeded


def ok(result: checks.CheckResult) -> None:
    assert result.ok, result.message
    assert repr(result).startswith("✓ ")


def hint(result: checks.CheckResult, *words: str) -> None:
    assert not result.ok
    assert repr(result).startswith("Hint: ")
    for word in words:
        assert word in result.message


def user_id(client: SCIMClient, user_name: str) -> str:
    found = Lookup(client).user(user_name)
    assert found is not None
    return str(found["id"])


def patch_user(client: SCIMClient, user_name: str, *ops: Operation) -> None:
    client.update_user(id=user_id(client, user_name), ops=PatchOp(operations=list(ops)))


def patch_group(client: SCIMClient, group_id: str, *ops: Operation) -> None:
    client.update_group(id=group_id, ops=PatchOp(operations=list(ops)))


def make_group(client: SCIMClient, name: str, *user_names: str) -> str:
    members = [Member(value=user_id(client, u)) for u in user_names]
    group = Group(displayName=name, members=members or None)
    return str(client.create_group(group).to_dict()["id"])


def make_user(client: SCIMClient, user_name: str, given: str, family: str, **extra: Any) -> str:
    email = f"{given}.{family}@dundermifflin.com".lower()
    user = User(
        userName=user_name,
        active=True,
        name=Name(givenName=given, familyName=family),
        emails=[Email(value=email, type="work", primary=True)],
        **extra,
    )
    return str(client.create_user(user).to_dict()["id"])


def members(ids: list[str]) -> list[dict[str, str]]:
    return [{"value": i} for i in ids]


# -- the result itself --------------------------------------------------------------------------


def test_result_reads_as_tick_or_hint_in_text_and_html(seeded: Seeded) -> None:
    """A result's text starts with ✓ or Hint:, and its HTML says which for the browser test."""
    result = checks.michael_deactivated(seeded.client)
    assert str(result) == repr(result) == f"Hint: {result.message}"
    assert 'class="scim-check scim-check-hint"' in result._repr_html_()
    assert bool(result) is False and result.name == "michael_deactivated"
    patch_user(seeded.client, "mscott", Operation("replace", "active", False))
    assert "scim-check-pass" in checks.michael_deactivated(seeded.client)._repr_html_()


def test_check_without_a_client_finds_the_course_server(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Called with no client, a check uses the server course_server() finds."""
    monkeypatch.setenv(connection.URL_ENV, seeded.tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, seeded.tenant.token)
    hint(checks.charles_created(), "cminer")


def test_a_server_error_becomes_a_hint(seeded: Seeded) -> None:
    """A check that cannot ask the server answers with a hint, never an exception."""
    result = checks.charles_created(server_url=seeded.tenant.url, auth_token="not-a-token")
    hint(result, "could not ask the server")


def test_every_check_is_registered_in_chapter_order() -> None:
    """CHECKS holds every check by name, the chapters in reading order."""
    assert set(checks.CHECKS) == {n for n in checks.__all__ if n[0].islower()} - {"check"}
    chapters = [c.chapter for c in checks.CHECKS.values()]
    assert chapters == sorted(chapters)


def test_every_check_has_a_test_here() -> None:
    """This module, or test_checks_<module>.py beside it, tests every registered check."""
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for module in Path(__file__).parent.glob("test_checks_*.py"):
        tested |= set(re.findall(r"^def test_(\w+)\(", module.read_text(), re.MULTILINE))
    assert set(checks.CHECKS) <= tested


# -- 01 welcome ---------------------------------------------------------------------------------


def test_welcome_bulk_limit(seeded: Seeded) -> None:
    """✓ for the server's bulk.maxOperations; hints for nothing, a wrong type, a wrong number."""
    bulk = seeded.client.service_provider_config().to_dict()["bulk"]
    hint(checks.welcome_bulk_limit(seeded.client, None), "No answer yet")
    hint(checks.welcome_bulk_limit(seeded.client, bulk), "number itself")
    hint(checks.welcome_bulk_limit(seeded.client, bulk["maxPayloadSize"]), "not the server's")
    ok(checks.welcome_bulk_limit(seeded.client, bulk["maxOperations"]))


def test_welcome_required_attributes(seeded: Seeded) -> None:
    """✓ for the required User attributes; hints for extra, unknown and missing names."""
    hint(checks.welcome_required_attributes(seeded.client, None))
    hint(checks.welcome_required_attributes(seeded.client, "userName"), "set")
    hint(checks.welcome_required_attributes(seeded.client, {"userName", "title"}), "not required")
    hint(checks.welcome_required_attributes(seeded.client, {"username2"}), "not an attribute")
    ok(checks.welcome_required_attributes(seeded.client, {"userName"}))


# -- 02 Charles joins ---------------------------------------------------------------------------


def test_charles_created(seeded: Seeded) -> None:
    """✓ once cminer exists, active, named, with his work email; hints before and when wrong."""
    hint(checks.charles_created(seeded.client), "cminer")
    make_user(seeded.client, "cminer", "Charles", "Minor")
    hint(checks.charles_created(seeded.client), "familyName")
    patch_user(seeded.client, "cminer", Operation("replace", "name.familyName", "Miner"))
    hint(checks.charles_created(seeded.client), "work email")
    patch_user(
        seeded.client,
        "cminer",
        Operation("replace", 'emails[type eq "work"].value', "Charles.Miner@dundermifflin.com"),
    )
    ok(checks.charles_created(seeded.client))


def test_charles_joined(seeded: Seeded) -> None:
    """✓ once Charles is a member of Dunder Mifflin; a hint while he only exists."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner")
    hint(checks.charles_joined(seeded.client), "read-only")
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members([charles])))
    ok(checks.charles_joined(seeded.client))


def test_charles_in_dunder_mifflin(seeded: Seeded) -> None:
    """✓ once the group lists Charles; a hint before."""
    charles = make_user(seeded.client, "cminer", "Charles", "Miner")
    hint(checks.charles_in_dunder_mifflin(seeded.client), "not a member")
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members([charles])))
    ok(checks.charles_in_dunder_mifflin(seeded.client))


def test_charles_display_name(seeded: Seeded) -> None:
    """✓ for "Charles Miner"; a hint quoting the login-like "Charles.Miner"."""
    make_user(seeded.client, "cminer", "Charles", "Miner", displayName="Charles.Miner")
    hint(checks.charles_display_name(seeded.client), "'Charles.Miner'")
    patch_user(seeded.client, "cminer", Operation("replace", "displayName", "Charles Miner"))
    ok(checks.charles_display_name(seeded.client))


def test_wallace_created(seeded: Seeded) -> None:
    """✓ for David Wallace with displayName and primary work email; hints along the way."""
    hint(checks.wallace_created(seeded.client), "dwallace")
    make_user(seeded.client, "dwallace", "David", "Wallace")
    hint(checks.wallace_created(seeded.client), "displayName")
    patch_user(seeded.client, "dwallace", Operation("replace", "displayName", "David Wallace"))
    ok(checks.wallace_created(seeded.client))


# -- 03 Michael's last day ----------------------------------------------------------------------


def test_michael_deactivated(seeded: Seeded) -> None:
    """✓ once Michael is inactive; a hint while active, and another if he was deleted."""
    hint(checks.michael_deactivated(seeded.client), "still active")
    patch_user(seeded.client, "mscott", Operation("replace", "active", False))
    ok(checks.michael_deactivated(seeded.client))
    seeded.client.delete_user(seeded.user_ids["Michael Scott"])
    hint(checks.michael_deactivated(seeded.client), "Deactivate")


def test_michael_removed_from_dunder_mifflin(seeded: Seeded) -> None:
    """✓ when only Michael left; hints while he is in, and when a bare remove emptied the group."""
    hint(checks.michael_removed_from_dunder_mifflin(seeded.client), "still a member")
    patch_group(seeded.client, seeded.group_id, Operation("remove", "members"))
    hint(checks.michael_removed_from_dunder_mifflin(seeded.client), "no members at all")
    others = [i for n, i in seeded.user_ids.items() if n != "Michael Scott"]
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members(others)))
    ok(checks.michael_removed_from_dunder_mifflin(seeded.client))


def test_michael_left_management(seeded: Seeded) -> None:
    """✓ when Dwight stays and Michael left; hints for a missing group and for losing Dwight."""
    hint(checks.michael_left_management(seeded.client), "Scranton Management")
    group = make_group(seeded.client, "Scranton Management", "mscott", "dschrute")
    hint(checks.michael_left_management(seeded.client), "Michael is still")
    patch_group(seeded.client, group, Operation("remove", "members"))
    hint(checks.michael_left_management(seeded.client), "Dwight")
    dwight = seeded.user_ids["Dwight Schrute"]
    patch_group(seeded.client, group, Operation("add", "members", members([dwight])))
    ok(checks.michael_left_management(seeded.client))


def test_practice_group_restored(seeded: Seeded) -> None:
    """✓ for the fourteen without Michael; hints for empty, Michael back, someone missing."""
    group = make_group(seeded.client, "Practice: remove all")
    hint(checks.practice_group_restored(seeded.client), "still empty")
    everyone = list(seeded.user_ids.values())
    patch_group(seeded.client, group, Operation("add", "members", members(everyone)))
    hint(checks.practice_group_restored(seeded.client), "Michael")
    michael = seeded.user_ids["Michael Scott"]
    creed = seeded.user_ids["Creed Bratton"]
    patch_group(
        seeded.client,
        group,
        Operation("remove", f'members[value eq "{michael}"]'),
        Operation("remove", f'members[value eq "{creed}"]'),
    )
    hint(checks.practice_group_restored(seeded.client), "cbratton")
    patch_group(seeded.client, group, Operation("add", "members", members([creed])))
    ok(checks.practice_group_restored(seeded.client))


# -- 04 the Michael Scott Paper Company ---------------------------------------------------------


def test_paper_company_created(seeded: Seeded) -> None:
    """✓ once the group exists; a spelling hint for the transcript's "Micheal"."""
    hint(checks.paper_company_created(seeded.client), "Michael Scott Paper Company")
    group = make_group(seeded.client, "Micheal Scott Paper Company")
    hint(checks.paper_company_created(seeded.client), "spelling")
    patch_group(
        seeded.client, group, Operation("replace", "displayName", "Michael Scott Paper Company")
    )
    ok(checks.paper_company_created(seeded.client))


def test_paper_company_members(seeded: Seeded) -> None:
    """✓ for exactly Michael, Pam and Ryan; hints for missing and extra people."""
    group = make_group(seeded.client, "Michael Scott Paper Company", "mscott", "pbeesly")
    hint(checks.paper_company_members(seeded.client), "missing rhoward")
    more = members([seeded.user_ids["Ryan Howard"], seeded.user_ids["Dwight Schrute"]])
    patch_group(seeded.client, group, Operation("add", "members", more))
    hint(checks.paper_company_members(seeded.client), "should not be in it: dschrute")
    dwight = seeded.user_ids["Dwight Schrute"]
    patch_group(seeded.client, group, Operation("remove", f'members[value eq "{dwight}"]'))
    ok(checks.paper_company_members(seeded.client))


def test_pam_ryan_left_dunder_mifflin(seeded: Seeded) -> None:
    """✓ when Pam and Ryan are out; hints while they are in, or when everyone is out."""
    hint(checks.pam_ryan_left_dunder_mifflin(seeded.client), "pbeesly, rhoward")
    patch_group(seeded.client, seeded.group_id, Operation("remove", "members"))
    hint(checks.pam_ryan_left_dunder_mifflin(seeded.client), "empty")
    stay = [i for n, i in seeded.user_ids.items() if n not in ("Pam Beesly", "Ryan Howard")]
    patch_group(seeded.client, seeded.group_id, Operation("add", "members", members(stay)))
    ok(checks.pam_ryan_left_dunder_mifflin(seeded.client))


def test_scranton_sales(seeded: Seeded) -> None:
    """✓ for the five salespeople; a hint naming who is missing."""
    hint(checks.scranton_sales(seeded.client), "Scranton Sales")
    group = make_group(seeded.client, "Scranton Sales", "jhalpert", "dschrute", "abernard")
    hint(checks.scranton_sales(seeded.client), "pvance, shudson")
    rest = members([seeded.user_ids["Phyllis Vance"], seeded.user_ids["Stanley Hudson"]])
    patch_group(seeded.client, group, Operation("add", "members", rest))
    ok(checks.scranton_sales(seeded.client))


def test_mspc_active(seeded: Seeded) -> None:
    """✓ for three active founders outside Dunder Mifflin; hints for inactive and double members."""
    make_group(seeded.client, "Michael Scott Paper Company", "mscott", "pbeesly", "rhoward")
    patch_user(seeded.client, "mscott", Operation("replace", "active", False))
    hint(checks.mspc_active(seeded.client), "Not active yet: mscott")
    patch_user(seeded.client, "mscott", Operation("replace", "active", True))
    hint(checks.mspc_active(seeded.client), "Still in Dunder Mifflin")
    founders = [seeded.user_ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
    patch_group(
        seeded.client,
        seeded.group_id,
        *[Operation("remove", f'members[value eq "{f}"]') for f in founders],
    )
    ok(checks.mspc_active(seeded.client))
