"""Chapter 04's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

import pytest

from scim_helper import checks
from sync_app.client import SCIMClient
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User

from .conftest import Seeded
from .test_checks import (
    accepted,
    another_client,
    hint,
    make_group,
    members,
    ok,
    patch_group,
    patch_user,
    says,
    sent_only,
    told,
    user_id,
)


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


def _founders_out_of_dunder_mifflin(seeded: Seeded) -> list[str]:
    """The Paper Company made of its three founders, none of them left in Dunder Mifflin;
    their ids."""
    make_group(seeded.client, "Michael Scott Paper Company", "mscott", "pbeesly", "rhoward")
    founders = [seeded.user_ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
    patch_group(
        seeded.client,
        seeded.group_id,
        *[Operation("remove", f'members[value eq "{f}"]') for f in founders],
    )
    return founders


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
    _founders_out_of_dunder_mifflin(seeded)
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


NO_LOG = (
    "use the chapter's `client` for it (the check reads that client's wire log; another "
    "client's requests are not in it)."
)


def test_paper_company_says_each_hint_in_full(seeded: Seeded) -> None:
    """paper_company_created and paper_company_members, word for word."""
    client = seeded.client
    missing = "There is no group 'Michael Scott Paper Company' on the server yet."
    says(checks.paper_company_created(client), missing)
    says(checks.paper_company_members(client), missing)
    group = make_group(client, "Micheal Scott Paper Company")
    spelling = "Found 'Micheal Scott Paper Company': check the spelling of Michael."
    says(checks.paper_company_created(client), spelling)
    says(checks.paper_company_members(client), spelling)
    patch_group(client, group, Operation("replace", "displayName", "Michael Scott Paper Company"))
    says(checks.paper_company_created(client), "The Michael Scott Paper Company exists.")
    says(
        checks.paper_company_members(client),
        "'Michael Scott Paper Company' has no members yet.",
    )
    founders = [seeded.user_ids[n] for n in ("Michael Scott", "Pam Beesly")]
    patch_group(client, group, Operation("add", "members", members(founders)))
    says(
        checks.paper_company_members(client),
        "'Michael Scott Paper Company' is still missing rhoward.",
    )
    extra = [seeded.user_ids[n] for n in ("Ryan Howard", "Kevin Malone", "Dwight Schrute")]
    patch_group(client, group, Operation("add", "members", members(extra)))
    says(
        checks.paper_company_members(client),
        "'Michael Scott Paper Company' holds people who should not be in it: dschrute, kmalone.",
    )
    for name in ("Kevin Malone", "Dwight Schrute"):
        patch_group(
            client, group, Operation("remove", f'members[value eq "{seeded.user_ids[name]}"]')
        )
    says(
        checks.paper_company_members(client),
        "Michael, Pam and Ryan are the Michael Scott Paper Company.",
    )


def test_pam_ryan_left_dunder_mifflin_says_each_hint_in_full(seeded: Seeded) -> None:
    """Both still in, one still in, everyone out, the group gone, and the ✓, word for word."""
    client, group = seeded.client, seeded.group_id
    says(checks.pam_ryan_left_dunder_mifflin(client), "Still in Dunder Mifflin: pbeesly, rhoward.")
    pam, ryan = seeded.user_ids["Pam Beesly"], seeded.user_ids["Ryan Howard"]
    patch_group(client, group, Operation("remove", f'members[value eq "{pam}"]'))
    says(checks.pam_ryan_left_dunder_mifflin(client), "Still in Dunder Mifflin: rhoward.")
    patch_group(client, group, Operation("remove", f'members[value eq "{ryan}"]'))
    says(checks.pam_ryan_left_dunder_mifflin(client), "Pam and Ryan have left Dunder Mifflin.")
    patch_group(client, group, Operation("remove", "members"))
    says(
        checks.pam_ryan_left_dunder_mifflin(client),
        "Dunder Mifflin is empty now: the remove took everyone out, not only two.",
    )
    client.delete_group(group)
    says(
        checks.pam_ryan_left_dunder_mifflin(client),
        "The Dunder Mifflin group is gone; only Pam and Ryan should leave it.",
    )


def test_scranton_sales_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of scranton_sales, word for word, and its ✓."""
    client = seeded.client
    says(checks.scranton_sales(client), "There is no group 'Scranton Sales' on the server yet.")
    group = make_group(
        client,
        "Scranton Sales",
        *(n for n in ("jhalpert", "dschrute", "abernard", "pvance", "shudson")),
    )
    says(
        checks.scranton_sales(client),
        "Scranton Sales has the right people but no course externalId. externalId is the "
        "client's own key for the group (RFC 7643 §3.1); without the course's, reset cannot "
        "tell it from someone else's group. Create it with the externalId the exercise names.",
    )
    patch_group(client, group, Operation("replace", "externalId", "office-course:g:s"))
    says(
        checks.scranton_sales(client),
        "Scranton Sales is right, but your client sent the members inside the POST; the "
        "exercise asks for one PATCH whose add carries all five.",
    )
    with another_client(seeded) as other:
        says(
            checks.scranton_sales(other),
            "Scranton Sales is right, but not filled by one PATCH from your client: " + NO_LOG,
        )
        patch_group(other, group, Operation("remove", "members"))
        five = [seeded.user_ids[n] for n in SALES]
        patch_group(other, group, Operation("add", "members", members(five[:2])))
        patch_group(other, group, Operation("add", "members", members(five[2:])))
        says(
            checks.scranton_sales(other),
            "Scranton Sales is right, but your client sent 2 PATCH requests that add members; "
            "the exercise asks for one PATCH whose add carries all five.",
        )
        patch_group(other, group, Operation("remove", "members"))
        patch_group(other, group, Operation("add", value={"members": members(five)}))
        says(
            checks.scranton_sales(other),
            "Scranton Sales holds the five salespeople, added in one PATCH.",
        )


def test_scranton_sales_an_empty_post_is_not_a_post_with_members(seeded: Seeded) -> None:
    """A POST of the group named otherwise, or with no members, is not the POST hint's case."""
    client = seeded.client
    jim = Member(value=seeded.user_ids["Jim Halpert"])
    client.create_group(Group(displayName="Scranton Sales (old)", members=[jim]))
    group = make_sales(client)
    with another_client(seeded) as other:
        patch_group(
            other, group, Operation("add", "members", members([seeded.user_ids[n] for n in SALES]))
        )
    hint(checks.scranton_sales(client), "not filled by one PATCH")


def test_mspc_active_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of mspc_active, word for word, in the order a learner meets them."""
    client = seeded.client
    says(
        checks.mspc_active(client, None),
        "No prediction yet: write it on the first line (prediction = 14) before you run the "
        "request.",
    )
    says(
        checks.mspc_active(client, True),
        "The prediction is a bool; it should be a whole number of members, such as 14.",
    )
    make_group(client, "Michael Scott Paper Company", "mscott", "pbeesly", "rhoward")
    for who in ("mscott", "rhoward"):
        patch_user(client, who, Operation("replace", "active", False))
    says(checks.mspc_active(client, 12), "Not active yet: mscott, rhoward.")
    patch_user(client, "rhoward", Operation("replace", "active", True))
    reactivate(client, seeded.user_ids["Michael Scott"])
    says(
        checks.mspc_active(client, 12), "Still in Dunder Mifflin as well: mscott, pbeesly, rhoward."
    )
    founders = [seeded.user_ids[n] for n in ("Michael Scott", "Pam Beesly")]
    patch_group(
        client,
        seeded.group_id,
        *[Operation("remove", f'members[value eq "{f}"]') for f in founders],
    )
    says(checks.mspc_active(client, 12), "Still in Dunder Mifflin as well: rhoward.")
    ryan = seeded.user_ids["Ryan Howard"]
    patch_group(client, seeded.group_id, Operation("remove", f'members[value eq "{ryan}"]'))
    says(
        checks.mspc_active(client, 15),
        "Your prediction says 15, which is not what the group holds now. Think about where "
        "membership lives: on the user, or on the group?",
    )
    says(
        checks.mspc_active(client, 12),
        "Predicted and true: Dunder Mifflin still has 12 members. Switching an account on "
        "changes no group; the paper company is open for business.",
    )
    client.delete_group(seeded.group_id)
    says(
        checks.mspc_active(client, 12),
        "The Dunder Mifflin group is gone; run the chapter from the top.",
    )


def test_mspc_active_other_ways_to_switch_michael_on(seeded: Seeded) -> None:
    """A path-less replace counts; a replace of another attribute and the PUT hint do not."""
    founders = _founders_out_of_dunder_mifflin(seeded)
    with another_client(seeded) as other:
        patch_user(other, "mscott", Operation("replace", "title", "Founder"))
        patch_user(other, "mscott", Operation("add", "active", True))
        says(
            checks.mspc_active(other, 12),
            "Michael is active, but not by a PATCH from your client: " + NO_LOG,
        )
        patch_user(other, "mscott", Operation("replace", value={"active": True}))
        ok(checks.mspc_active(other, 12))
    with another_client(seeded) as other:
        patch_user(other, "mscott", Operation("replace", " Active ", True))
        ok(checks.mspc_active(other, 12))
    with another_client(seeded) as other:
        record = other.get_user(founders[0]).resource
        other.replace_user(record, id=founders[0])
        says(
            checks.mspc_active(other, 12),
            "Michael is active, but your client replaced his whole record with a PUT; the "
            "exercise asks for a PATCH that replaces active.",
        )


# -- what the technique checks read in the wire log, request by request -----------------------


def _sales_ids(seeded: Seeded) -> list[dict[str, str]]:
    return members([seeded.user_ids[n] for n in SALES])


def _not_one_patch(client: SCIMClient) -> None:
    says(
        checks.scranton_sales(client),
        "Scranton Sales is right, but not filled by one PATCH from your client: " + NO_LOG,
    )


def test_scranton_sales_a_patch_of_another_group_is_not_the_one_patch(seeded: Seeded) -> None:
    """Only a PATCH of Scranton Sales itself can be the one PATCH: the same five added to
    another group in one PATCH do not fill Scranton Sales."""
    client = seeded.client
    group = make_sales(client)
    with another_client(seeded) as other:
        patch_group(other, group, Operation("add", "members", _sales_ids(seeded)))
    sales_copy = make_group(client, "Scranton Sales (copy)")
    patch_group(client, sales_copy, Operation("add", "members", _sales_ids(seeded)))
    _not_one_patch(client)


def test_scranton_sales_a_put_with_the_five_is_no_post_with_members(seeded: Seeded) -> None:
    """Filled by a PUT of the whole group: the hint says no PATCH filled it, not that the
    members came in the POST."""
    client = seeded.client
    group = make_sales(client)
    five = [Member(value=m["value"]) for m in _sales_ids(seeded)]
    client.replace_group(
        Group(
            displayName="Scranton Sales",
            externalId="office-course:group:scranton-sales",
            members=five,
        ),
        id=group,
    )
    _not_one_patch(client)


def test_scranton_sales_one_patch_of_four_is_not_several_patches(seeded: Seeded) -> None:
    """One PATCH adding four of the five (the fifth added by someone else's client) is not
    "several PATCH requests": the hint says no one PATCH filled the group."""
    client = seeded.client
    group = make_sales(client)
    five = _sales_ids(seeded)
    patch_group(client, group, Operation("add", "members", five[:4]))
    with another_client(seeded) as other:
        patch_group(other, group, Operation("add", "members", five[4:]))
    _not_one_patch(client)


def test_mspc_active_only_a_patch_of_michael_counts(seeded: Seeded) -> None:
    """A PATCH that replaces Pam's active, or a PUT of Pam, says nothing about how Michael was
    switched on."""
    _founders_out_of_dunder_mifflin(seeded)
    with another_client(seeded) as other:
        patch_user(other, "pbeesly", Operation("replace", "active", True))
        says(
            checks.mspc_active(other, 12),
            "Michael is active, but not by a PATCH from your client: " + NO_LOG,
        )
        pam = user_id(other, "pbeesly")
        other.replace_user(other.get_user(pam).resource, id=pam)
        says(
            checks.mspc_active(other, 12),
            "Michael is active, but not by a PATCH from your client: " + NO_LOG,
        )


def test_mspc_active_a_replace_with_a_path_and_an_object_is_not_active(seeded: Seeded) -> None:
    """RFC 7644 §3.5.2.3: a replace with a path changes that attribute alone, so replacing
    Michael's name with an object does not switch him on; only a path-less replace carries
    attributes in its value."""
    _founders_out_of_dunder_mifflin(seeded)
    with another_client(seeded) as other:
        name = {"givenName": "Michael", "familyName": "Scott"}
        patch_user(other, "mscott", Operation("replace", "name", name))
        says(
            checks.mspc_active(other, 12),
            "Michael is active, but not by a PATCH from your client: " + NO_LOG,
        )


@pytest.mark.parametrize("shape", ["put-with-patch-body", "post-users-named-sales"])
def test_scranton_sales_reads_only_patches_of_the_group_and_posts_of_groups(
    seeded: Seeded, shape: str
) -> None:
    """A PUT of the group carrying a PATCH body is no PATCH, and a POST to /Users naming
    Scranton Sales with members is no POST /Groups: neither is the technique or its hint."""
    with another_client(seeded) as other:
        group = make_sales(other)
        patch_group(other, group, Operation("add", "members", _sales_ids(seeded)))
    add = {"op": "add", "path": "members", "value": _sales_ids(seeded)}
    method, path, body = {
        "put-with-patch-body": ("PUT", f"/Groups/{group}", {"Operations": [add]}),
        "post-users-named-sales": (
            "POST",
            "/Users",
            {"displayName": "Scranton Sales", "members": _sales_ids(seeded)},
        ),
    }[shape]
    tenant = sent_only(seeded, accepted(seeded, method, path, body))
    assert told(checks.scranton_sales, tenant) == (
        "Scranton Sales is right, but not filled by one PATCH from your client: " + NO_LOG
    )


def test_mspc_active_a_put_carrying_a_patch_body_is_a_put(seeded: Seeded) -> None:
    """A PUT of Michael whose body is a PATCH's replace of active is still a PUT."""
    _founders_out_of_dunder_mifflin(seeded)
    michael = seeded.user_ids["Michael Scott"]
    body = {"Operations": [{"op": "replace", "path": "active", "value": True}]}
    tenant = sent_only(seeded, accepted(seeded, "PUT", f"/Users/{michael}", body))
    assert told(checks.mspc_active, tenant, 12) == (
        "Michael is active, but your client replaced his whole record with a PUT; the exercise "
        "asks for a PATCH that replaces active."
    )
