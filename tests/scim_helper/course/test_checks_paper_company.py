"""Chapter 04's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

from scim_helper import checks
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User

from .conftest import Seeded
from .test_checks import hint, make_group, members, ok, patch_group, patch_user, user_id


def another_client(seeded: Seeded) -> SCIMClient:
    """A second client on the same tenant: an empty wire log, as after a kernel restart."""
    config = ClientConfiguration(server_url=seeded.tenant.url, auth_token=seeded.tenant.token)
    return SCIMClient(config)


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


SALES = ["Jim Halpert", "Dwight Schrute", "Andy Bernard", "Phyllis Vance", "Stanley Hudson"]


def test_scranton_sales(seeded: Seeded) -> None:
    """✓ for the five salespeople; a hint naming who is missing, then the missing marker."""
    hint(checks.scranton_sales(seeded.client), "Scranton Sales")
    group = make_group(seeded.client, "Scranton Sales", "jhalpert", "dschrute", "abernard")
    hint(checks.scranton_sales(seeded.client), "pvance, shudson")
    rest = members([seeded.user_ids["Phyllis Vance"], seeded.user_ids["Stanley Hudson"]])
    patch_group(seeded.client, group, Operation("add", "members", rest))
    hint(checks.scranton_sales(seeded.client), "no course externalId")
    patch_group(seeded.client, group, Operation("replace", "externalId", "office-course:g:s"))
    hint(checks.scranton_sales(seeded.client), "members inside the POST")


def make_sales(client: SCIMClient) -> str:
    group = Group(displayName="Scranton Sales", externalId="office-course:group:scranton-sales")
    return str(client.create_group(group).to_dict()["id"])


def test_scranton_sales_in_one_patch(seeded: Seeded) -> None:
    """The solution's way, a marked group and one PATCH of five: ✓."""
    group = make_sales(seeded.client)
    five = members([seeded.user_ids[n] for n in SALES])
    patch_group(seeded.client, group, Operation("add", "members", five))
    ok(checks.scranton_sales(seeded.client))
    with another_client(seeded) as other:
        hint(checks.scranton_sales(other), "chapter's `client`")


def test_scranton_sales_one_patch_per_person(seeded: Seeded) -> None:
    """Five PATCH requests, one per salesperson: the right group, but a hint."""
    group = make_sales(seeded.client)
    for name in SALES:
        patch_group(
            seeded.client, group, Operation("add", "members", members([seeded.user_ids[name]]))
        )
    hint(checks.scranton_sales(seeded.client), "5 PATCH requests")


def reactivate(client: SCIMClient, michael: str) -> None:
    """The exercise's given request: PATCH replace active true."""
    client.update_user(id=michael, ops=PatchOp(operations=[Operation("replace", "active", True)]))


def test_mspc_active(seeded: Seeded) -> None:
    """✓ for three active founders outside Dunder Mifflin and the right count; hints on the way."""
    client = seeded.client
    michael = seeded.user_ids["Michael Scott"]
    hint(checks.mspc_active(client, None), "No prediction yet")
    hint(checks.mspc_active(client, "12"), "whole number")
    hint(checks.mspc_active(client, 12), "Michael Scott Paper Company")
    make_group(client, "Michael Scott Paper Company", "mscott", "pbeesly", "rhoward")
    patch_user(client, "mscott", Operation("replace", "active", False))
    hint(checks.mspc_active(client, 12), "Not active yet: mscott")
    reactivate(client, michael)
    hint(checks.mspc_active(client, 12), "Still in Dunder Mifflin")
    founders = [seeded.user_ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
    patch_group(
        client,
        seeded.group_id,
        *[Operation("remove", f'members[value eq "{f}"]') for f in founders],
    )
    # Michael is active again, but that put him back in no group: the group has twelve.
    hint(checks.mspc_active(client, 13), "not what the group holds")
    ok(checks.mspc_active(client, 12))
    assert "still has 12 members" in checks.mspc_active(client, 12).message


def test_mspc_active_wrong_techniques(seeded: Seeded) -> None:
    """Reactivated by a PUT, or by another client: the right state, but a hint."""
    make_group(seeded.client, "Michael Scott Paper Company", "mscott", "pbeesly", "rhoward")
    founders = [seeded.user_ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
    patch_group(
        seeded.client,
        seeded.group_id,
        *[Operation("remove", f'members[value eq "{f}"]') for f in founders],
    )
    michael = user_id(seeded.client, "mscott")
    with another_client(seeded) as other:
        hint(checks.mspc_active(other, 12), "not by a PATCH")
        record = other.get_user(michael).resource
        assert isinstance(record, User) and record.externalId == "office-course:mscott"
        other.replace_user(record, id=michael)  # a PUT that keeps everything, externalId too
        hint(checks.mspc_active(other, 12), "PUT")


def test_scranton_sales_with_someone_extra(seeded: Seeded) -> None:
    """Kevin in the sales group: a hint naming him."""
    group = make_sales(seeded.client)
    five = members([seeded.user_ids[n] for n in [*SALES, "Kevin Malone"]])
    patch_group(seeded.client, group, Operation("add", "members", five))
    hint(checks.scranton_sales(seeded.client), "should not be in it: kmalone")


def test_mspc_active_founders_and_the_group(seeded: Seeded) -> None:
    """A misspelt company, a missing founder, and no Dunder Mifflin group: a hint for each."""
    group = make_group(seeded.client, "Micheal Scott Paper Company", "mscott", "pbeesly")
    hint(checks.mspc_active(seeded.client, 12), "spelling of Michael")
    patch_group(
        seeded.client, group, Operation("replace", "displayName", "Michael Scott Paper Company")
    )
    hint(checks.mspc_active(seeded.client, 12), "missing rhoward")
    patch_group(
        seeded.client, group, Operation("add", "members", members([seeded.user_ids["Ryan Howard"]]))
    )
    seeded.client.delete_group(seeded.group_id)
    hint(checks.mspc_active(seeded.client, 12), "Dunder Mifflin group is gone")
