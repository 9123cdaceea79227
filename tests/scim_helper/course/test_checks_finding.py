"""Chapter 05's checks: the count and the sorted page, graded on the answer and the technique.

Each test gets a learner's client of its own, so that one test's requests never satisfy another's
technique check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from scim_helper import checks
from scim_helper.directory import seed_directory
from scim_helper.server.runner import LocalServer
from scim_helper.setup import course_setup
from sync_app.client import ClientConfiguration, SCIMClient

from .conftest import Seeded
from .test_checks import hint, ok, says

DIVISION = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division"
STAMFORD = f'{DIVISION} eq "Stamford"'


@dataclass(frozen=True)
class Company:
    url: str
    token: str


@pytest.fixture(scope="module")
def company(local_server: LocalServer) -> Company:
    """A tenant with the starting state and the whole generated directory (read-only here)."""
    token, _ = local_server.store.mint_token()
    course_setup(token, server_url=local_server.url)
    seed_directory(token, server_url=local_server.url, progress=False)
    return Company(local_server.url, token)


@pytest.fixture
def learner(company: Company) -> Iterator[SCIMClient]:
    """A new client on the company tenant: an empty wire log, as in a fresh notebook."""
    with SCIMClient(ClientConfiguration(server_url=company.url, auth_token=company.token)) as c:
        yield c


def test_stamford_active_count(learner: SCIMClient) -> None:
    """✓ for the server's count of active Stamford people; a hint when inactive ones are counted."""
    everyone = learner.get_users(STAMFORD, count=0).to_dict()
    active = learner.get_users(f"{STAMFORD} and active eq true", count=0).to_dict()
    assert everyone["totalResults"] > active["totalResults"] > 0
    hint(checks.stamford_active_count(learner, None))
    hint(checks.stamford_active_count(learner, everyone), "number itself")
    hint(checks.stamford_active_count(learner, everyone["totalResults"]), "no longer")
    hint(checks.stamford_active_count(learner, 1), "not the number")
    ok(checks.stamford_active_count(learner, active["totalResults"]))


def test_stamford_active_count_needs_the_directory(seeded: Seeded) -> None:
    """Before seed_directory, the hint says to load the company first."""
    hint(checks.stamford_active_count(seeded.client, 3), "seed_directory")


def test_stamford_active_count_the_chapters_buggy_cell_gets_a_hint(learner: SCIMClient) -> None:
    """Ryan's cell (len of one unfiltered page) gets a hint naming what was counted wrong."""
    page = learner.get_users(STAMFORD).to_dict()
    hint(checks.stamford_active_count(learner, len(page["Resources"])), "totalResults")


def test_stamford_active_count_by_download_gets_a_hint(learner: SCIMClient) -> None:
    """The right number from downloading every active Stamford person is not ✓: count=0 is asked."""
    people = list(learner.iter_users(f"{STAMFORD} and active eq true", page_size=200))
    result = checks.stamford_active_count(learner, len(people))
    hint(result, "count=0", "without sending anyone")
    # Asking the server to count afterwards is the technique; now it is ✓ ...
    learner.get_users(f"{STAMFORD} and active eq true", count=0)
    ok(checks.stamford_active_count(learner, len(people)))


def test_stamford_active_count_never_grades_its_own_reads(learner: SCIMClient) -> None:
    """The check counts with count=0 itself; running it twice must not pass a download."""
    people = list(learner.iter_users(f"{STAMFORD} and active eq true", page_size=200))
    hint(checks.stamford_active_count(learner, len(people)), "count=0")
    hint(checks.stamford_active_count(learner, len(people)), "count=0")


def _first_five(client: SCIMClient) -> list[str]:
    page = client.get_users(
        "active eq false", sort_by="userName", sort_order="ascending", count=5
    ).to_dict()
    return [u["userName"] for u in page["Resources"]]


def test_first_inactive_usernames(learner: SCIMClient) -> None:
    """✓ for the first five inactive userNames in order; hints for order, count, active people."""
    first = _first_five(learner)
    assert len(first) == 5
    hint(checks.first_inactive_usernames(learner, None))
    hint(checks.first_inactive_usernames(learner, first[:3]), "five")
    hint(checks.first_inactive_usernames(learner, first[::-1]), "wrong order")
    hint(checks.first_inactive_usernames(learner, ["mscott", *first[1:]]), "mscott")
    hint(checks.first_inactive_usernames(learner, "abc"), "list of userNames")
    ok(checks.first_inactive_usernames(learner, first))


def test_first_inactive_usernames_not_the_first_five(learner: SCIMClient) -> None:
    """Five inactive people who are not the first five get the hint to let the server sort."""
    page = learner.get_users(
        "active eq false", sort_by="userName", sort_order="descending", count=5
    ).to_dict()
    last = sorted(u["userName"] for u in page["Resources"])
    hint(checks.first_inactive_usernames(learner, last), "let the server sort")


def test_first_inactive_usernames_sorted_in_python_gets_a_hint(learner: SCIMClient) -> None:
    """Downloading every inactive person and sorting in Python is not the technique asked."""
    everyone = list(learner.iter_users("active eq false", page_size=200))
    first = sorted(str(u.to_dict()["userName"]) for u in everyone)[:5]
    hint(checks.first_inactive_usernames(learner, first), "no sorted search", "sortBy=userName")


def test_first_inactive_usernames_loop_of_gets_gets_a_hint(learner: SCIMClient) -> None:
    """Names learned by one GET per person (a loop) get a hint that counts those requests."""
    everyone = [u.to_dict() for u in learner.iter_users("active eq false", page_size=200)]
    by_name = sorted(everyone, key=lambda u: str(u["userName"]))[:5]
    names = [str(learner.get_user(u["id"]).to_dict()["userName"]) for u in by_name]
    hint(checks.first_inactive_usernames(learner, names), "5 GET /Users/{id} requests")


def test_stamford_active_count_says_each_hint_in_full(learner: SCIMClient) -> None:
    """Every hint of the Stamford count, word for word, and its ✓."""
    everyone = learner.get_users(STAMFORD, count=0).to_dict()["totalResults"]
    query = f"{STAMFORD} and active eq true"
    active = learner.get_users(query, count=1).to_dict()["totalResults"]
    says(
        checks.stamford_active_count(learner, None),
        "No answer yet: find the number of active people in Stamford.",
    )
    says(
        checks.stamford_active_count(learner, "12"),
        "The answer is a str; it should be the number itself (the list response's totalResults).",
    )
    says(
        checks.stamford_active_count(learner, True),
        "The answer is a bool; it should be the number itself (the list response's totalResults).",
    )
    says(
        checks.stamford_active_count(learner, everyone),
        "That count includes the people who are no longer active.",
    )
    says(
        checks.stamford_active_count(learner, active + 1),
        "That is not the number of active people in Stamford. len(Resources) counts one page "
        "at most; the server's totalResults counts every match.",
    )
    # count=1, and count=0 on Stamford alone: neither is the count asked for.
    learner.get_users(STAMFORD, count=0)
    says(
        checks.stamford_active_count(learner, active),
        "The number is right, but no GET /Users your client sent had count=0 with a filter on "
        "Stamford and active: the exercise asks the server to count without sending anyone.",
    )
    learner.get_users(query.replace("active eq true", "ACTIVE EQ TRUE"), count=0)
    says(
        checks.stamford_active_count(learner, active),
        "That is how many active people work in Stamford, counted by the server (count=0).",
    )


def test_stamford_active_count_on_an_empty_tenant_says_to_seed(client: SCIMClient) -> None:
    """Nobody in Stamford: the hint says which function loads the company."""
    says(
        checks.stamford_active_count(client, 0),
        "Nobody works in Stamford on this server yet: run seed_directory(...) first.",
    )


def test_first_inactive_usernames_says_each_hint_in_full(learner: SCIMClient) -> None:
    """Every hint of the first-five check, word for word, and its ✓."""
    first = _first_five(learner)
    says(
        checks.first_inactive_usernames(learner, None),
        "No answer yet: list the userNames of the first five inactive people.",
    )
    says(
        checks.first_inactive_usernames(learner, {"a": 1}),
        "The answer should be a list of userNames, not a dict.",
    )
    says(
        checks.first_inactive_usernames(learner, 5),
        "The answer should be a list of userNames, not a int.",
    )
    says(
        checks.first_inactive_usernames(learner, [*first, first[0]]),
        "The answer has 6 userNames; the exercise asks for five.",
    )
    says(
        checks.first_inactive_usernames(learner, ["mscott", "dschrute", *first[2:]]),
        "Not inactive (or not a userName): mscott, dschrute.",
    )
    says(
        checks.first_inactive_usernames(learner, [first[1], first[0], *first[2:]]),
        "The right five people, in the wrong order: sort by userName, ascending.",
    )
    ok(checks.first_inactive_usernames(learner, tuple(first)))
    says(
        checks.first_inactive_usernames(learner, first),
        "Those are the first five inactive people, in userName order, from one request.",
    )


def test_first_inactive_usernames_reads_the_sorted_search(learner: SCIMClient) -> None:
    """Sorted on another attribute, or filtered on active people, is not the request asked for."""
    first = [u.to_dict() for u in learner.iter_users("active eq false", page_size=200)]
    names = sorted((str(u["userName"]) for u in first), key=str.lower)[:5]
    learner.get_users("active eq false", sort_by="displayName", count=5)
    learner.get_users("active eq true", sort_by="userName", count=5)
    says(
        checks.first_inactive_usernames(learner, names),
        "The names are right, but your client sent no sorted search and no GET /Users with the "
        "filter active eq false and sortBy=userName: the exercise asks for one request that "
        "filters, sorts and pages on the server.",
    )
    learner.get_users("active   EQ false", sort_by="UserName", count=5)
    ok(checks.first_inactive_usernames(learner, names))


def test_first_inactive_usernames_not_the_first_five_says_so_in_full(learner: SCIMClient) -> None:
    """The sorting hint word for word, for five inactive people who are not the first five."""
    page = learner.get_users(
        "active eq false", sort_by="userName", sort_order="descending", count=5
    ).to_dict()
    last = sorted(u["userName"] for u in page["Resources"])
    says(
        checks.first_inactive_usernames(learner, last),
        "All inactive, but not the first five by userName: let the server sort (sortBy, "
        "sortOrder) before it pages.",
    )


def test_finding_checks_read_past_listings_without_a_filter(learner: SCIMClient) -> None:
    """A learner's plain listings (no filter, no sortBy) in the log are skipped, not a crash."""
    learner.get_users(count=1)
    learner.get_users(start_index=2, count=1)
    active = learner.get_users(f"{STAMFORD} and active eq true", count=0).to_dict()
    ok(checks.stamford_active_count(learner, active["totalResults"]))
    first = [u.to_dict() for u in learner.iter_users("active eq false", page_size=200)]
    names = sorted((str(u["userName"]) for u in first), key=str.lower)[:5]
    learner.get_users(count=1)
    learner.get_users("active eq false", sort_by="userName", count=5)
    ok(checks.first_inactive_usernames(learner, names))
