"""The wider Dunder Mifflin directory: about 2,000 invented people at six branches.

Fifteen people make filters and paging trivial, so chapter 4 searches a whole company. Everyone
here is generated from the name lists in ``scim_helper/data`` with a fixed seed, so every learner
gets the same company (same userNames, same managers, same inactive people) and the stored
notebook outputs stay comparable. The canon characters are not in it: ``course_setup`` seeds
them, and their family names are left out of the lists so that no generated person collides with
them.

Each person carries what a real HR feed sends: ``title``, a work email and address, and the
enterprise extension (RFC 7643 §4.3) with ``employeeNumber``, ``division`` (the branch),
``department`` and ``manager``. :func:`seed_directory` loads them through ``/Bulk``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from scim_helper import seeding
from scim_helper.connection import course_server
from scim_helper.marker import course_external_id
from scim_helper.tenant import Tenant, quote
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import Conflict
from sync_app.progress import Progress
from sync_app.scim.messages import BulkOperation
from sync_app.scim.user import ENTERPRISE_USER_SCHEMA, USER_SCHEMA, User

__all__ = [
    "DEFAULT_SEED",
    "DIRECTORY_SIZE",
    "EXTERNAL_ID_PREFIX",
    "DirectorySeed",
    "Person",
    "generate_directory",
    "seed_directory",
]

#: The year the show started; any fixed number would do.
DEFAULT_SEED = 2005
#: How many people the full directory holds.
DIRECTORY_SIZE = 2000
#: Marks the people the course created, so that it never touches anyone else's resources.
EXTERNAL_ID_PREFIX = course_external_id("directory:")
#: The name lists and shapes shipped with the package (package data).
DATA = Path(__file__).with_name("data")

# One person in fifty has left the company but is still in the directory, as in real HR feeds.
_INACTIVE_SHARE = 0.02


@dataclass(frozen=True)
class Person:
    """One generated employee; ``manager`` is the manager's userName (None for the CEO)."""

    user_name: str
    given_name: str
    family_name: str
    email: str
    title: str
    department: str
    branch: str
    locality: str
    region: str
    postal_code: str
    employee_number: str
    manager: str | None
    active: bool
    #: Distance from the CEO: managers always have a smaller level than their reports.
    level: int

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.user_name

    def __repr__(self) -> str:
        state = "" if self.active else " inactive"
        return f"<Person {self.user_name} {self.title!r} {self.branch}{state}>"

    def to_scim(self, manager_id: str | None = None) -> dict[str, Any]:
        """The SCIM User body; ``manager_id`` is the manager's ``id`` (or a ``bulkId:`` ref)."""
        enterprise: dict[str, Any] = {
            "employeeNumber": self.employee_number,
            "organization": "Dunder Mifflin",
            "division": self.branch,
            "department": self.department,
        }
        if manager_id is not None:
            enterprise["manager"] = {"value": manager_id}
        return {
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "externalId": self.external_id,
            "userName": self.user_name,
            "name": {
                "formatted": self.display_name,
                "givenName": self.given_name,
                "familyName": self.family_name,
            },
            "displayName": self.display_name,
            "title": self.title,
            "userType": "Employee",
            "active": self.active,
            "emails": [{"value": self.email, "type": "work", "primary": True}],
            "addresses": [
                {
                    "type": "work",
                    "locality": self.locality,
                    "region": self.region,
                    "postalCode": self.postal_code,
                    "country": "US",
                    "primary": True,
                }
            ],
            ENTERPRISE_USER_SCHEMA: enterprise,
        }


def generate_directory(size: int | None = None, *, seed: int = DEFAULT_SEED) -> list[Person]:
    """The company directory, managers before their reports; the same list for the same seed.

    ``size`` keeps the first ``size`` people (the top of the org chart first), which is what
    tests and quick demos want: every kept person's manager is kept too.
    """
    people = _Generator(random.Random(seed)).company()
    return people if size is None else people[:size]


# -- data files ---------------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@cache
def _names(name: str) -> tuple[str, ...]:
    lines = (line.strip() for line in _data_text(name).splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def _shape() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_data_text("branches.json"))
    return data


@cache
def _reserved_user_names() -> frozenset[str]:
    staff = json.loads(_data_text("staff.json"))
    # People who join during the course; their userNames must stay free.
    joining = {"cminer", "dwallace", "ehannon", "hflax"}
    return frozenset({p["userName"] for p in staff["people"]} | joining)


# -- the generator ------------------------------------------------------------------------------


def _split(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, so it adds up exactly)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.given = _names("given_names.txt")
        self.family = _names("family_names.txt")
        self.domain = _shape()["domain"]
        self.user_names: set[str] = set(_reserved_user_names())
        self.emails: set[str] = set()
        self.people: list[Person] = []

    def company(self) -> list[Person]:
        branches = _shape()["branches"]
        corporate = next(b for b in branches if b["name"] == "Corporate")
        ceo = self.person(corporate, "Executive", corporate["head"], None, level=0)
        executive = corporate["departments"][0]
        cfo = self.person(corporate, "Executive", executive["head"], ceo, level=1)
        for branch in branches:
            if branch is corporate:
                self.staff_branch(branch, head=ceo, head_level=0, cfo=cfo)
            else:
                head = self.person(branch, "Management", branch["head"], cfo, level=2)
                self.staff_branch(branch, head=head, head_level=2, cfo=cfo)
        ordered = sorted(self.people, key=lambda p: p.level)  # stable: managers first
        return [
            _with_employee_number(person, f"{10001 + index}")
            for index, person in enumerate(ordered)
        ]

    def staff_branch(
        self, branch: dict[str, Any], *, head: Person, head_level: int, cfo: Person
    ) -> None:
        departments = branch["departments"]
        # The branch head plus one head per department (Corporate's Executive head is the CFO).
        staff_count = branch["size"] - 1 - len(departments)
        counts = _split(staff_count, [d["weight"] for d in departments])
        for department, count in zip(departments, counts, strict=True):
            if department["name"] == "Executive":
                dept_head, level = cfo, 1
            else:
                dept_head = self.person(
                    branch, department["name"], department["head"], head, level=head_level + 1
                )
                level = head_level + 1
            titles = list(department["titles"])
            weights = list(department["titles"].values())
            for _ in range(count):
                title = self.rng.choices(titles, weights)[0]
                active = self.rng.random() >= _INACTIVE_SHARE
                self.person(branch, department["name"], title, dept_head, level + 1, active)

    def person(
        self,
        branch: dict[str, Any],
        department: str,
        title: str,
        manager: Person | None,
        level: int,
        active: bool = True,
    ) -> Person:
        given = self.rng.choice(self.given)
        family = self.rng.choice(self.family)
        person = Person(
            user_name=self.unique(self.user_names, _slug(given[0] + family)),
            given_name=given,
            family_name=family,
            email=self.unique(self.emails, f"{_slug(given)}.{_slug(family)}") + "@" + self.domain,
            title=title,
            department=department,
            branch=branch["name"],
            locality=branch["locality"],
            region=branch["region"],
            postal_code=branch["postalCode"],
            employee_number="",
            manager=manager.user_name if manager else None,
            active=active,
            level=level,
        )
        self.people.append(person)
        return person

    @staticmethod
    def unique(taken: set[str], base: str) -> str:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        return candidate


def _with_employee_number(person: Person, number: str) -> Person:
    fields = {**person.__dict__, "employee_number": number}
    return Person(**fields)


def batches_by_level(people: Iterable[Person], size: int) -> Iterator[list[Person]]:
    """Chunks of at most ``size`` people in which nobody's manager is in the same chunk.

    A chunk never mixes levels of the org chart, so every manager already has a server ``id``
    when their reports are sent, and no server has to resolve ``bulkId`` references inside an
    extension attribute.
    """
    chunk: list[Person] = []
    for person in people:
        if chunk and (len(chunk) >= size or person.level != chunk[0].level):
            yield chunk
            chunk = []
        chunk.append(person)
    if chunk:
        yield chunk


# -- loading it into a server -------------------------------------------------------------------


@dataclass(frozen=True)
class DirectorySeed:
    """What :func:`seed_directory` did; its repr is the same on every run (stored outputs)."""

    people: int
    branches: int
    created: int
    already_there: int
    #: userNames skipped because someone else's user already has them.
    skipped: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"The Dunder Mifflin directory: {self.people:,} people at {self.branches} "
            "branches are on the server."
        )


def seed_directory(
    auth_token: str | None = None,
    *,
    server_url: str | None = None,
    size: int | None = None,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> DirectorySeed:
    """Load the generated company directory through /Bulk; people already there are left alone.

    ``size`` loads only the top of the org chart (tests, quick demos). ``progress`` shows a
    tqdm bar while people are created; in a notebook the bar then gives way to a one-line
    summary, which is what a saved notebook keeps. Pass False for no output at all.
    """
    people = generate_directory(size, seed=seed)
    connection = course_server(server_url, auth_token)
    config = ClientConfiguration(server_url=connection.url, auth_token=connection.token)
    with SCIMClient(config) as client:
        return _Loader(client).load(people, progress=progress)


class _Loader:
    def __init__(self, client: SCIMClient) -> None:
        self.client = client
        self.tenant = Tenant(client)

    def batch_size(self) -> int:
        return seeding.batch_size(self.tenant.service_provider_config())

    def load(self, people: list[Person], *, progress: bool) -> DirectorySeed:
        stored = self.tenant.users(
            f"externalId sw {quote(EXTERNAL_ID_PREFIX)}", attributes=["userName", "externalId"]
        )
        ids = {
            str(u["externalId"])[len(EXTERNAL_ID_PREFIX) :]: str(u["id"])
            for u in stored
            if u.get("externalId")
        }
        missing = [p for p in people if p.user_name not in ids]
        skipped: list[str] = []
        size = self.batch_size()
        with Progress(len(missing) if progress else 0, "Loading the directory", " people") as bar:
            for batch in batches_by_level(missing, size):
                created = (
                    self.create(batch, ids) if size > 1 else self.create_one_by_one(batch, ids)
                )
                ids.update(created)
                skipped += [p.user_name for p in batch if p.user_name not in created]
                bar.update(len(batch))
            seed = DirectorySeed(
                people=len(people),
                branches=len({p.branch for p in people}),
                created=len(missing) - len(skipped),
                already_there=len(people) - len(missing),
                skipped=tuple(skipped),
            )
            if progress:
                bar.finish(_summary(seed))
        return seed

    def create(self, batch: list[Person], ids: dict[str, str]) -> dict[str, str]:
        operations = [
            BulkOperation(
                method="POST",
                path="/Users",
                bulkId=p.user_name,
                data=p.to_scim(ids.get(p.manager) if p.manager else None),
            )
            for p in batch
        ]
        created: dict[str, str] = {}
        for person, (_sent, result) in zip(
            batch, seeding.send(self.client, operations), strict=False
        ):
            status = result.status_code or 0
            if status == 409:  # the userName is someone else's: leave theirs alone
                continue
            resource_id = seeding.location_id(result)
            if status >= 400 or resource_id is None:
                raise RuntimeError(
                    f"The server refused to create {person.user_name} ({result.status}): "
                    f"{seeding.detail(result)}"
                )
            created[person.user_name] = resource_id
        return created

    def create_one_by_one(self, batch: list[Person], ids: dict[str, str]) -> dict[str, str]:
        created: dict[str, str] = {}
        for p in batch:
            body = p.to_scim(ids.get(p.manager) if p.manager else None)
            try:
                response = self.client.create_user(User.from_dict(body))
            except Conflict:
                continue
            created[p.user_name] = str(response.to_dict()["id"])
        return created


def _summary(seed: DirectorySeed) -> str:
    """One line that says how loading went, the same on every run into a fresh tenant."""
    branches = "1 branch" if seed.branches == 1 else f"{seed.branches} branches"
    line = (
        f"Loaded the Dunder Mifflin directory: {seed.people:,} people at {branches}"
        f" ({seed.created:,} added, {seed.already_there:,} already there)."
    )
    if seed.skipped:
        line += f" Skipped {len(seed.skipped):,} whose userNames someone else's users already have."
    return line
