"""The generated company directory: deterministic, plausible, apart from the canon, via Bulk."""

from __future__ import annotations

from collections import Counter

from scim_helper.directory import (
    DIRECTORY_SIZE,
    batches_by_level,
    generate_directory,
    seed_directory,
)
from scim_helper.staff import staff
from scim_helper.tenant import Tenant
from sync_app.scim.user import ENTERPRISE_USER_SCHEMA

from .conftest import Seeded

CANON_FAMILY_NAMES = {m.family_name for m in staff()} | {
    "Miner", "Wallace", "Flax", "Hannon", "Levinson", "Filippelli", "Philbin", "Anderson",
    "Lewis", "Gardner", "Porter", "Nash", "Lapin",
}  # fmt: skip


def test_directory_is_the_same_for_the_same_seed() -> None:
    """The same seed gives the same people; another seed gives another company."""
    assert generate_directory() == generate_directory()
    assert generate_directory(seed=1) != generate_directory()
    assert generate_directory(25) == generate_directory()[:25]


def test_directory_has_two_thousand_people_at_six_branches() -> None:
    """About 2,000 people at Corporate and five branches, a few of them inactive."""
    people = generate_directory()
    assert len(people) == DIRECTORY_SIZE
    branches = Counter(p.branch for p in people)
    assert set(branches) == {"Corporate", "Scranton", "Stamford", "Nashua", "Utica", "Albany"}
    inactive = sum(not p.active for p in people)
    assert 10 <= inactive <= 80


def test_people_are_unique_and_apart_from_the_canon() -> None:
    """userNames and emails are unique, and nobody shares a family name with the show's people."""
    people = generate_directory()
    assert len({p.user_name for p in people}) == len(people)
    assert len({p.email for p in people}) == len(people)
    assert not {p.family_name for p in people} & CANON_FAMILY_NAMES
    reserved = {m.user_name for m in staff()} | {"cminer", "dwallace", "ehannon", "hflax"}
    assert not {p.user_name for p in people} & reserved


def test_managers_come_before_their_reports() -> None:
    """Everyone but the CEO has a manager listed earlier, at a higher level of the org chart."""
    people = generate_directory()
    position = {p.user_name: i for i, p in enumerate(people)}
    by_name = {p.user_name: p for p in people}
    assert [p.manager for p in people].count(None) == 1
    for person in people[1:]:
        assert person.manager is not None
        assert position[person.manager] < position[person.user_name]
        assert by_name[person.manager].level < person.level


def test_batches_never_hold_a_manager_and_their_report() -> None:
    """Bulk batches are cut at each level, so managers already have ids when reports are sent."""
    people = generate_directory()
    batches = list(batches_by_level(people, 150))
    assert sum(len(b) for b in batches) == len(people)
    for batch in batches:
        assert len(batch) <= 150
        assert len({p.level for p in batch}) == 1


def test_scim_body_carries_the_enterprise_extension() -> None:
    """A person's User body has title, work email and address, and the enterprise extension."""
    person = generate_directory()[-1]
    body = person.to_scim(manager_id="abc")
    assert body["schemas"][1] == ENTERPRISE_USER_SCHEMA
    assert body["externalId"] == f"office-course:directory:{person.user_name}"
    enterprise = body[ENTERPRISE_USER_SCHEMA]
    assert enterprise["division"] == person.branch
    assert enterprise["manager"] == {"value": "abc"}
    assert body["addresses"][0]["locality"] == person.locality


def test_seed_directory_loads_through_bulk_and_is_idempotent(seeded: Seeded) -> None:
    """Seeding loads the people with their managers' ids; seeding again creates nobody."""
    token, url = seeded.tenant.token, seeded.tenant.url
    first = seed_directory(token, server_url=url, size=60, progress=False)
    assert (first.created, first.already_there) == (60, 0)
    bulk_posts = [e for e in seeded.client.wire_log if e.method == "POST"]
    assert bulk_posts == []  # the seed used its own client, not the learner's
    second = seed_directory(token, server_url=url, size=60, progress=False)
    assert (second.created, second.already_there) == (0, 60)
    assert repr(first) == repr(second)
    lookup = Tenant(seeded.client)
    people = {p.user_name: p for p in generate_directory(60)}
    stored = {u["userName"]: u for u in lookup.users('externalId sw "office-course:directory:"')}
    assert set(stored) == set(people)
    ids = {name: u["id"] for name, u in stored.items()}
    for name, user in stored.items():
        manager = people[name].manager
        extension = user[ENTERPRISE_USER_SCHEMA]
        assert extension.get("manager", {}).get("value") == (ids[manager] if manager else None)
