"""CPU per request, by kind: what one request costs the server process and PostgreSQL.

``python -m bench.cost`` starts one server process (``python -m scim_helper.server``) on a
fresh PostgreSQL cluster (:mod:`bench.postgres`; ``--sqlite`` for a SQLite file), sends
``--requests`` requests of each kind below from one client, one at a time, and prints the CPU
time the server process (psutil) and the cluster's processes spent per request, beside the
ceiling's (:mod:`bench.ceiling`: a bare Starlette endpoint, the floor of the stack). CPU time
rather than wall time, so that a busy machine changes the figures less; it still changes them
(caches, frequency), so compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

from bench import postgres, servers
from bench.baseline import checkout
from bench.load import ROOT, mint_tokens, start_server
from sync_app.scim.urns import GROUP, PATCH_OP, USER


def _cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def kinds(session: requests.Session, url: str) -> dict[str, Callable[[], requests.Response]]:
    """One request of each kind the rooms send (a member add and its remove count as two)."""
    group = session.post(url + "/Groups", json={"schemas": [GROUP], "displayName": "g"}).json()
    body: dict[str, Any] = {"schemas": [USER], "userName": "u", "emails": [{"value": "u@w"}]}
    user = session.post(url + "/Users", json=body).json()
    numbers = itertools.count()
    users, members = f"{url}/Users/{user['id']}", f"{url}/Groups/{group['id']}"

    def patch(target: str, *operations: dict[str, Any]) -> requests.Response:
        return session.patch(target, json={"schemas": [PATCH_OP], "Operations": list(operations)})

    def new_user() -> requests.Response:
        n = next(numbers)
        body: dict[str, Any] = {
            "schemas": [USER],
            "userName": f"u{n}",
            "emails": [{"value": "e@w"}],
        }
        return session.post(url + "/Users", json=body)

    def add_then_remove() -> requests.Response:
        patch(members, {"op": "add", "path": "members", "value": [{"value": user["id"]}]})
        return patch(members, {"op": "remove", "path": f'members[value eq "{user["id"]}"]'})

    def new_group() -> requests.Response:
        body = {"schemas": [GROUP], "displayName": f"g{next(numbers)}"}
        return session.post(url + "/Groups", json=body)

    def search(expression: str, **params: Any) -> Callable[[], requests.Response]:
        return lambda: session.get(url + "/Users", params={"filter": expression, **params})

    def new_email() -> requests.Response:
        value = f"u{next(numbers)}@new.example"
        change = {"op": "replace", "path": 'emails[type eq "work"].value', "value": value}
        return patch(users, change)

    session.patch(
        users,
        json={
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "add", "path": "emails", "value": [{"value": "w@w", "type": "work"}]}
            ],
        },
    )
    return {
        "GET /ServiceProviderConfig": lambda: session.get(url + "/ServiceProviderConfig"),
        "GET /ResourceTypes": lambda: session.get(url + "/ResourceTypes"),
        "GET /Schemas": lambda: session.get(url + "/Schemas"),
        "POST /Groups": new_group,
        "GET /Users/{id}": lambda: session.get(users),
        "GET /Users?filter=userName eq": lambda: session.get(
            url + "/Users", params={"filter": 'userName eq "u"'}
        ),
        "GET /Users?filter=emails[type eq work and value co]": search(
            'emails[type eq "work" and value co "w@"]'
        ),
        "GET /Users?filter=active eq false&count=10": search("active eq false", count=10),
        "POST /Users": new_user,
        "PATCH replace emails[type eq work].value": new_email,
        "PATCH replace active": lambda: patch(
            users, {"op": "replace", "path": "active", "value": next(numbers) % 2 == 0}
        ),
        "PATCH member add + remove (per request)": add_then_remove,
    }


@dataclass
class Side:
    """One server under measurement: ours (this checkout) or the baseline (``--baseline``)."""

    label: str
    process: subprocess.Popen[str]
    sends: dict[str, Callable[[], requests.Response]]
    spent: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def measure(side: Side, name: str, count: int, postmaster: int | None) -> None:
    """Send ``count`` requests of kind ``name`` to ``side``; record CPU per request."""
    send = side.sends[name]
    per = 2 if "add + remove" in name else 1
    server = _cpu(side.process.pid)
    database = postgres.cpu_seconds(postmaster) if postmaster else 0.0
    for _ in range(count):
        answer = send()
        if answer.status_code >= 300:
            raise SystemExit(f"{side.label}, {name}: {answer.status_code} {answer.text[:300]}")
    server = (_cpu(side.process.pid) - server) / count / per * 1e6
    spent = (postgres.cpu_seconds(postmaster) - database) / count / per * 1e6 if postmaster else 0
    side.spent.setdefault(name, []).append((server, spent))


# A learner's flow in bench.learners, by kind: requests of each kind in one pass (9 in all).
FLOW = {
    "POST /Users": 1,
    "GET /Users/{id}": 1,
    "PATCH replace active": 1,
    "PATCH member add + remove (per request)": 2,
    "GET /Users?filter=userName eq": 1,
    "GET /Users?filter=emails[type eq work and value co]": 1,
    "GET /Users?filter=active eq false&count=10": 1,
    "PATCH replace emails[type eq work].value": 1,
}


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _table(sides: list[Side], database: bool, baseline: str | None) -> None:
    """The figures per kind (median over the rounds), and a learner's flow (FLOW)."""
    head = "| request |" + "".join(
        f" {side.label} server CPU µs | {side.label} PostgreSQL CPU µs |" for side in sides
    )
    if baseline:
        head += " ours / baseline (server + PostgreSQL) |"
    print(head)
    print("|---|" + "---:|" * (2 * len(sides) + (1 if baseline else 0)))
    names = list(sides[0].spent)
    flow = [[0.0, 0.0] for _ in sides]
    for name in [*names, "a learner's flow (mean of its 9 requests)"]:
        cells, totals = [], []
        for i, side in enumerate(sides):
            if name in side.spent:
                server = _median([a for a, _ in side.spent[name]])
                spent = _median([b for _, b in side.spent[name]])
                flow[i][0] += FLOW.get(name, 0) * server / sum(FLOW.values())
                flow[i][1] += FLOW.get(name, 0) * spent / sum(FLOW.values())
            else:
                server, spent = flow[i]
            cells.append(f" {server:.0f} | {spent:.0f} |" if database else f" {server:.0f} | n/a |")
            totals.append(server + spent)
        ratio = ""
        if baseline:
            # A baseline that spent no CPU the clock could see (a few requests, 10 ms ticks)
            # has no ratio; the row keeps its cell.
            ratio = f" {totals[0] / totals[1]:.2f} |" if totals[1] else " n/a |"
        print(f"| {name} |" + "".join(cells) + ratio, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="per kind (default 2000)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also measure a server from this git commit, side by side: each kind is sent to "
        "one server, then the other, --rounds times, so both see the same machine",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --baseline (default 3)")
    args = parser.parse_args(argv)
    count = args.requests
    rounds = args.rounds if args.baseline else 1
    with (
        tempfile.TemporaryDirectory(prefix="scim-cost-") as scratch,
        nullcontext(None) if args.sqlite else postgres.cluster() as cluster,
        checkout(args.baseline) if args.baseline else nullcontext(None) as baseline,
    ):
        db = cluster.url if cluster else str(Path(scratch) / "scim.db")
        postmaster = cluster.postmaster if cluster else None
        roots = [("ours", ROOT, None)] + ([("baseline", *baseline[:2])] if baseline else [])
        tokens = mint_tokens(db, len(roots))
        sides: list[Side] = []
        try:
            for (label, root, hidden), token in zip(roots, tokens, strict=True):
                home = Path(scratch) / label
                process, url = start_server(db, token, home, root=root, hidden=hidden)
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {token}"
                sides.append(Side(label, process, {}))
                sides[-1].sends = kinds(session, url)
            for name in sides[0].sends:
                for side in sides:
                    for _ in range(min(count, 100)):  # warm up: caches, prepared statements
                        side.sends[name]()
                for _ in range(rounds):
                    for side in sides:
                        measure(side, name, count, postmaster)
        finally:
            for side in sides:
                side.process.terminate()
                side.process.wait(timeout=30)
    _table(sides, cluster is not None, args.baseline)
    if baseline and baseline[2]:
        names = ", ".join(baseline[2])
        print(f"\nThe baseline ({args.baseline}) ran without {names}: not its dependencies.")
    with servers.ceiling() as ceiling:
        session = ceiling.session()
        before = _cpu(ceiling.pid)
        for _ in range(count):
            session.get(ceiling.url + "/Users/probe")
        spent = (_cpu(ceiling.pid) - before) / count * 1e6
        print(f"\nThe ceiling (a bare Starlette endpoint, bench.ceiling): {spent:.0f} µs CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
