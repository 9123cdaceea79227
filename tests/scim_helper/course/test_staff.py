"""The fifteen people course_setup seeds, as the show spells them."""

from __future__ import annotations

from scim_helper.staff import staff, staff_member

CANON = [
    "Michael Scott", "Jim Halpert", "Dwight Schrute", "Pam Beesly", "Ryan Howard",
    "Andy Bernard", "Kevin Malone", "Oscar Martinez", "Angela Martin", "Stanley Hudson",
    "Phyllis Vance", "Meredith Palmer", "Creed Bratton", "Kelly Kapoor", "Toby Flenderson",
]  # fmt: skip


def test_staff_are_the_fifteen_spelled_right() -> None:
    """The staff are the fifteen of Scranton, in the course's order, names spelled correctly."""
    assert [m.name for m in staff()] == CANON


def test_user_names_and_emails_follow_the_company_pattern() -> None:
    """userName is first initial + family name; the work email is first.last@dundermifflin.com."""
    michael = staff_member("Michael Scott")
    assert (michael.user_name, michael.email) == ("mscott", "michael.scott@dundermifflin.com")
    for member in staff():
        expected = (member.given_name[0] + member.family_name).lower()
        assert member.user_name == expected


def test_body_is_marked_as_the_courses_own() -> None:
    """Each body carries the course's externalId marker, a name and one primary work email."""
    body = staff_member("pbeesly").body()
    assert body["externalId"] == "office-course:pbeesly"
    assert body["name"] == {"formatted": "Pam Beesly", "givenName": "Pam", "familyName": "Beesly"}
    assert body["emails"] == [
        {"value": "pam.beesly@dundermifflin.com", "type": "work", "primary": True}
    ]
    assert body["active"] is True
