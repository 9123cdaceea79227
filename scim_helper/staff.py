"""The Dunder Mifflin Scranton staff: who they are, and the SCIM bodies that describe them.

The fifteen people and their group are the course's starting state. They live in
``scim_helper/data/staff.json``; this module turns them into SCIM User and Group bodies, each
marked with an ``externalId`` under :data:`EXTERNAL_ID_PREFIX` so that course code can always
tell what it created from what a learner (or anyone else on a shared server) created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from scim_helper.marker import EXTERNAL_ID_PREFIX, course_external_id
from sync_app.scim.group import GROUP_SCHEMA
from sync_app.scim.user import USER_SCHEMA

__all__ = [
    "DUNDER_MIFFLIN",
    "EXTERNAL_ID_PREFIX",
    "GROUP_EXTERNAL_ID",
    "PAPER_COMPANY",
    "PAPER_COMPANY_DOMAIN",
    "PAPER_COMPANY_EXTERNAL_ID",
    "StaffMember",
    "group_body",
    "staff",
    "staff_member",
]

DUNDER_MIFFLIN = "Dunder Mifflin"
GROUP_EXTERNAL_ID = course_external_id("group:dunder-mifflin")
#: The group learners create in chapter 4, its mark, and the domain its people's new emails use.
PAPER_COMPANY = "Michael Scott Paper Company"
PAPER_COMPANY_EXTERNAL_ID = course_external_id("group:paper-company")
PAPER_COMPANY_DOMAIN = "michaelscottpaper.com"

#: The name lists and shapes shipped with the package (package data).
DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class StaffMember:
    """One of the fifteen; ``name`` ("Michael Scott") is the key of course_setup's dict."""

    user_name: str
    given_name: str
    family_name: str
    title: str
    domain: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def email(self) -> str:
        return f"{self.given_name}.{self.family_name}@{self.domain}".lower()

    @property
    def external_id(self) -> str:
        return course_external_id(self.user_name)

    def body(self) -> dict[str, Any]:
        """The User as course_setup creates it, and as reset=True restores it."""
        return {
            "schemas": [USER_SCHEMA],
            "externalId": self.external_id,
            "userName": self.user_name,
            "name": {
                "formatted": self.name,
                "givenName": self.given_name,
                "familyName": self.family_name,
            },
            "displayName": self.name,
            "title": self.title,
            "active": True,
            "emails": [{"value": self.email, "type": "work", "primary": True}],
        }


@cache
def _data() -> dict[str, Any]:
    text = (DATA / "staff.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def staff() -> tuple[StaffMember, ...]:
    """The fifteen, in the course's order (Michael Scott first)."""
    data = _data()
    return tuple(
        StaffMember(p["userName"], p["givenName"], p["familyName"], p["title"], data["domain"])
        for p in data["people"]
    )


def staff_member(key: str) -> StaffMember:
    """A staff member by full name ("Pam Beesly") or userName ("pbeesly")."""
    for member in staff():
        if key in (member.name, member.user_name):
            return member
    raise KeyError(f"{key!r} is not one of the Dunder Mifflin staff course_setup seeds.")


def group_body(member_ids: list[str] | None = None) -> dict[str, Any]:
    """The Dunder Mifflin group holding the given user ids."""
    body: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "externalId": GROUP_EXTERNAL_ID,
        "displayName": DUNDER_MIFFLIN,
    }
    if member_ids is not None:
        body["members"] = [{"value": member_id, "type": "User"} for member_id in member_ids]
    return body
