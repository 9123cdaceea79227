"""Groups over HTTP: members, the User.groups they imply, and uniqueness (RFC 7643 §4)."""

from __future__ import annotations

from .conftest import GROUP, USER, Api, assert_scim_error


def test_rfc7643_4_2_members_carry_value_display_ref_and_type(api: Api) -> None:
    """Each member has its value, display, $ref and type; a display the client sends is kept."""
    pam = api.create_user("pbeesly", displayName="Pam Beesly")
    jim = api.create_user("jhalpert", displayName="Jim Halpert")
    group = api.create_group(
        "Reception", members=[{"value": pam["id"]}, {"value": jim["id"], "display": "Big Tuna"}]
    )
    assert (
        api.get(f"/Groups/{group['id']}").json()["members"]
        == group["members"]
        == [
            {
                "value": pam["id"],
                "display": "Pam Beesly",
                "type": "User",
                "$ref": f"{api.url}/Users/{pam['id']}",
            },
            {
                "value": jim["id"],
                "display": "Big Tuna",
                "type": "User",
                "$ref": f"{api.url}/Users/{jim['id']}",
            },
        ]
    )


def test_rfc7643_4_1_user_groups_are_computed_from_membership(api: Api) -> None:
    """User.groups lists the groups that name the user, and follows membership changes."""
    user = api.create_user("cminer")
    group = api.create_group("Dunder Mifflin", members=[{"value": user["id"]}])
    groups = api.get(f"/Users/{user['id']}").json()["groups"]
    assert groups == [
        {
            "value": group["id"],
            "display": "Dunder Mifflin",
            "type": "direct",
            "$ref": f"{api.url}/Groups/{group['id']}",
        }
    ]
    assert api.delete(f"/Groups/{group['id']}").status_code == 204
    assert "groups" not in api.get(f"/Users/{user['id']}").json()


def test_rfc7643_4_1_groups_sent_by_the_client_are_ignored(api: Api) -> None:
    """groups is read-only: a User created with groups is in none (RFC 7643 §4.1.2)."""
    group = api.create_group("Sales")
    user = api.create_user("amartin", groups=[{"value": group["id"]}])
    assert "groups" not in user
    assert "members" not in api.get(f"/Groups/{group['id']}").json()


def test_rfc7644_3_6_deleting_a_user_removes_it_from_every_group(api: Api) -> None:
    """After DELETE /Users/{id}, no group lists that user."""
    michael = api.create_user("mscott")["id"]
    pam = api.create_user("pbeesly")["id"]
    groups = [
        api.create_group(name, members=[{"value": michael}, {"value": pam}])["id"]
        for name in ("Dunder Mifflin", "Michael Scott Paper Company")
    ]
    assert api.delete(f"/Users/{michael}").status_code == 204
    for group_id in groups:
        assert [m["value"] for m in api.get(f"/Groups/{group_id}").json()["members"]] == [pam]
    found = api.get("/Groups", params={"filter": f'members.value eq "{michael}"'}).json()
    assert found["totalResults"] == 0


def test_rfc7643_4_2_unknown_member_is_invalid_value(api: Api) -> None:
    """Creating or replacing a group with a member id that names nothing is a 400 invalidValue."""
    body = {"schemas": [GROUP], "displayName": "Ghosts", "members": [{"value": "fake-member-id"}]}
    assert_scim_error(api.post("/Groups", json=body), 400, "invalidValue")
    group = api.create_group("Ghosts")
    assert_scim_error(api.put(f"/Groups/{group['id']}", json=body), 400, "invalidValue")
    ghosts = api.get("/Groups", params={"filter": 'displayName eq "Ghosts"'}).json()
    assert ghosts["totalResults"] == 1
    assert "members" not in ghosts["Resources"][0]


def test_rfc7643_4_1_user_name_is_unique_case_insensitively(api: Api) -> None:
    """A userName that differs only in case is a 409 uniqueness, on POST and on PUT."""
    api.create_user("dschrute")
    body = {"schemas": [USER], "userName": "DSchrute"}
    assert_scim_error(api.post("/Users", json=body), 409, "uniqueness")
    other = api.create_user("mose")
    assert_scim_error(api.put(f"/Users/{other['id']}", json=body), 409, "uniqueness")


def test_rfc7643_4_2_group_display_name_is_unique(api: Api) -> None:
    """A second group with the same displayName is a 409 uniqueness."""
    api.create_group("Party Planning Committee")
    body = {"schemas": [GROUP], "displayName": "Party Planning Committee"}
    assert_scim_error(api.post("/Groups", json=body), 409, "uniqueness")
