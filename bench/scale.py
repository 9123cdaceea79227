"""The course's server at 1k, 10k and 100k users: filters, a big group, PATCH, Bulk seeding.

    .venv/bin/python -m bench.scale                      # 1k, 10k and 100k users
    .venv/bin/python -m bench.scale --sizes 1000 --samples 10

For each size a fresh server process (``scim-course serve`` on a new SQLite file) is seeded
through ``POST /Bulk`` (1,000 users per request), then 1,000 groups are added: one of
``min(5000, users/2)`` members, one of 50, and 998 of 20. Each query runs ``--samples`` times
with different values, one client, one request at a time; the table gives p50/p95 in ms.

Queries (issue 4): ``userName eq``, ``externalId eq``, ``emails[type eq "work"].value eq``,
``groups.value eq`` (a 20-member group), ``name.familyName sw`` (a prefix shared by 1 user in
8 of the first 10,000), ``active eq false`` with ``count=10``, ``(userName eq a or externalId eq
b) and not (active eq false)``; ``GET /Groups/{id}`` of the big group; PATCH adding one member
to the 50- and to the big group, answered with the whole group and, as a client that does not
want 5,000 members back asks for, with ``excludedAttributes=members`` (RFC 7644 §3.9).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from sync_app.scim import urns

from . import servers, workload
from .report import p50, percentile, table

BULK_USERS = 1000  # operations per Bulk request (the server's bulk.maxOperations)
BULK_GROUPS = 100  # group operations per request, to stay under bulk.maxPayloadSize
GROUPS = 1000
BIG, SMALL, OTHER = 5000, 50, 20
TIME_LIMIT = 900.0  # seconds per size


def bulk(session: requests.Session, url: str, operations: list[dict[str, Any]]) -> list[str]:
    """Run one BulkRequest; the ids of the resources it created, in request order."""
    body = {"schemas": [urns.BULK_REQUEST], "Operations": operations}
    answer = workload.expect(session.post(f"{url}/Bulk", json=body), 200)
    ids = []
    for result in answer["Operations"]:
        if result.get("status") != "201":
            raise RuntimeError(f"A Bulk operation failed: {str(result)[:300]}")
        ids.append(result["location"].rsplit("/", 1)[1])
    return ids


def seed_users(session: requests.Session, url: str, count: int) -> tuple[list[str], float]:
    """``count`` users through /Bulk; their ids and the seconds it took."""
    ids: list[str] = []
    started = time.perf_counter()
    for first in range(0, count, BULK_USERS):
        operations = [
            {"method": "POST", "path": "/Users", "bulkId": f"u{i}", "data": workload.user(i)}
            for i in range(first, min(count, first + BULK_USERS))
        ]
        ids += bulk(session, url, operations)
    return ids, time.perf_counter() - started


def seed_groups(
    session: requests.Session, url: str, users: list[str], count: int = GROUPS
) -> tuple[list[str], float]:
    """``count`` groups: 0 is big, 1 has 50 members, the others 20 (members spread over users)."""
    n = len(users)
    half = n - n // 2
    sizes = [min(BIG, half), min(SMALL, half)] + [min(OTHER, half)] * (count - 2)
    ids: list[str] = []
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for g, size in enumerate(sizes):
        # Members from the second half of the users: the first half stay free for the PATCHes.
        members = [users[n // 2 + (g * OTHER + k) % (n - n // 2)] for k in range(size)]
        batch.append(
            {
                "method": "POST",
                "path": "/Groups",
                "bulkId": f"g{g}",
                "data": workload.group(g, members),
            }
        )
        if len(batch) == BULK_GROUPS or g == 0 or g == len(sizes) - 1:
            ids += bulk(session, url, batch)
            batch = []
    return ids, time.perf_counter() - started


def sample(
    action: Callable[[int], requests.Response], samples: int, deadline: float
) -> list[float]:
    """Milliseconds of ``samples`` calls; each answer must be a 200."""
    times = []
    for i in range(samples):
        started = time.perf_counter()
        response = action(i)
        times.append((time.perf_counter() - started) * 1000)
        workload.expect(response, 200)
        if time.monotonic() > deadline:
            raise RuntimeError("The queries took longer than the time limit; stopping.")
    return times


def run_size(users_n: int, samples: int, tmp: Path, groups_n: int = GROUPS) -> dict[str, Any]:
    deadline = time.monotonic() + TIME_LIMIT
    server = servers.ours(tmp / f"scale-{users_n}.db")
    with server:
        session = server.session()
        url = server.url
        users, seed_seconds = seed_users(session, url, users_n)
        groups, group_seconds = seed_groups(session, url, users, groups_n)
        rng = random.Random(users_n)
        picks = [rng.randrange(users_n) for _ in range(samples + 1)]
        actives = [i for i in (rng.randrange(users_n) for _ in range(samples * 4 + 8)) if i % 10][
            : samples * 2 + 2
        ]

        def search(filter_: str, **params: Any) -> requests.Response:
            return session.get(f"{url}/Users", params={"filter": filter_, **params})

        def user_value(i: int, key: str) -> str:
            value = workload.user(i)
            if key == "work":
                return value["emails"][0]["value"]
            return str(value[key])

        free = iter(range(users_n // 2))  # users no group holds yet, for the PATCHes

        def patch(gid: str, exclude: bool) -> Callable[[int], requests.Response]:
            params = {"excludedAttributes": "members"} if exclude else {}

            def act(_: int) -> requests.Response:
                body = workload.add_member(users[next(free)])
                return session.patch(f"{url}/Groups/{gid}", json=body, params=params)

            return act

        big = min(BIG, users_n - users_n // 2)
        queries: list[tuple[str, str, Callable[[int], requests.Response]]] = [
            (
                "userName eq",
                "eq",
                lambda i: search(f'userName eq "{user_value(picks[i], "userName")}"'),
            ),
            (
                "externalId eq",
                "eq",
                lambda i: search(f'externalId eq "{user_value(picks[i], "externalId")}"'),
            ),
            (
                'emails[type eq "work"].value eq',
                "eq",
                lambda i: search(
                    f'emails[type eq "work"].value eq "{user_value(picks[i], "work")}"'
                ),
            ),
            (
                "groups.value eq",
                "eq",
                lambda i: search(f'groups.value eq "{groups[2 + picks[i] % (groups_n - 2)]}"'),
            ),
            ("name.familyName sw", "other", lambda i: search('name.familyName sw "Schrute00"')),
            ("active eq false, count=10", "other", lambda i: search("active eq false", count=10)),
            (
                "(a or b) and not c",
                "other",
                lambda i: search(
                    f'(userName eq "{user_value(actives[2 * i], "userName")}" or '
                    f'externalId eq "{user_value(actives[2 * i + 1], "externalId")}") '
                    "and not (active eq false)"
                ),
            ),
            (
                "GET /Groups/{id} (big group)",
                "other",
                lambda i: session.get(f"{url}/Groups/{groups[0]}"),
            ),
            ("PATCH add member (50)", "patch", patch(groups[1], False)),
            ("PATCH add member (big)", "patch", patch(groups[0], False)),
            ("PATCH add member (50), excl. members", "patch", patch(groups[1], True)),
            ("PATCH add member (big), excl. members", "patch", patch(groups[0], True)),
        ]
        results = {}
        for name, kind, action in queries:
            action(0)  # warm: the first request of a kind compiles its statements
            times = sample(lambda i, a=action: a(i + 1), samples, deadline)
            results[name] = (kind, p50(times), percentile(times, 0.95))
        rss = server.rss_mb()
    return {
        "users": users_n,
        "seed_users_per_s": users_n / seed_seconds,
        "seed_seconds": seed_seconds,
        "groups_seconds": group_seconds,
        "members": big + min(SMALL, big) + (groups_n - 2) * min(OTHER, big),
        "queries": results,
        "rss_mb": rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="user counts, comma-separated")
    parser.add_argument("--samples", type=int, default=50, help="requests per query and size")
    parser.add_argument("--groups", type=int, default=GROUPS, help="groups per size (at least 3)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for size in sizes:
            runs.append(run_size(size, args.samples, Path(tmp), max(3, args.groups)))
            print(f"... {size:,} users done", flush=True)
    headers = ["query (ms)"] + [f"{r['users']:,} p50 / p95" for r in runs]
    names = list(runs[0]["queries"])
    rows = []
    for name in names:
        cells = [f"{r['queries'][name][1]:.1f} / {r['queries'][name][2]:.1f}" for r in runs]
        rows.append([name, *cells])
    print()
    print("The big group has min(5,000, users/2) members (the other half stay free for PATCH).")
    print(table(headers, rows))
    print()
    seed_rows = [
        [
            f"{r['users']:,}",
            r["seed_users_per_s"],
            r["seed_seconds"],
            f"{r['members']:,}",
            r["groups_seconds"],
            r["rss_mb"],
        ]
        for r in runs
    ]
    seed_headers = ["users", "Bulk users/s", "users s", "memberships", "groups s", "server RSS MB"]
    print(table(seed_headers, seed_rows))
    if len(runs) >= 2:
        print()
        last, before = runs[-1], runs[-2]
        growth = []
        for name in names:
            kind, mine, _ = last["queries"][name]
            if kind == "eq":
                growth.append([name, mine / before["queries"][name][1]])
        label = f"p50 growth {before['users']:,} -> {last['users']:,} users"
        print(table(["equality filter", label], growth))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
