"""Ours side by side with ``scim2-server`` and the bare-Starlette ceiling, one client.

    .venv/bin/python -m bench.peer              # the workload of issue 4
    .venv/bin/python -m bench.peer --scale 0.05 # the same, 20 times smaller

Each server runs in its own process on loopback; one ``requests.Session`` per server sends
the same requests. Every operation is split into rounds that alternate between the servers,
so a busy moment on the (shared) machine falls on all of them alike. The ceiling answers a
share of its GETs in every phase, so it is measured throughout the run.

Workload (issue 4): 2,000 POST /Users; 1,000 GET /Users/{id}; 500 ``userName eq``; 300 PATCH
adding one member to a group (100 groups, made beforehand and not timed, get 3 members each);
200 ``groups.value eq`` (each matches the 3 members of one group); 1,000 GETs of the ceiling.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from . import servers, workload
from .report import table

ROUNDS = 5
GROUPS = 100
TIME_LIMIT = 600.0  # seconds for the whole run: a wedged server stops it, not the machine


@dataclass
class Target:
    """One server and what the workload created on it."""

    server: servers.Server
    session: requests.Session
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


Step = Callable[[Target, int], Any]


def post_user(t: Target, i: int) -> None:
    r = t.session.post(f"{t.server.url}/Users", json=workload.user(i))
    t.users.append(workload.expect(r, 201)["id"])


def get_user(t: Target, i: int) -> None:
    workload.expect(t.session.get(f"{t.server.url}/Users/{t.users[i % len(t.users)]}"), 200)


def user_name_eq(t: Target, i: int) -> None:
    name = workload.user((i * 7) % len(t.users))["userName"]
    r = t.session.get(f"{t.server.url}/Users", params={"filter": f'userName eq "{name}"'})
    assert workload.expect(r, 200)["totalResults"] == 1, (t.server.name, r.text[:300])


def patch_add_member(t: Target, i: int) -> None:
    gid = t.groups[i % len(t.groups)]
    r = t.session.patch(f"{t.server.url}/Groups/{gid}", json=workload.add_member(t.users[i]))
    if r.status_code != 204:
        workload.expect(r, 200)


def groups_value_eq(t: Target, i: int) -> None:
    # Only groups that the PATCH phase gave members (all of them, but at a small --scale).
    gid = t.groups[i % min(len(t.groups), t.counts["PATCH add member"])]
    r = t.session.get(f"{t.server.url}/Users", params={"filter": f'groups.value eq "{gid}"'})
    found = workload.expect(r, 200)["totalResults"]
    # scim2-server does not keep User.groups (RFC 7643 §4.1.2), so it finds no one: it does
    # less work for this filter than a server that answers it.
    assert found >= 1 or t.server.name == "scim2-server", (t.server.name, r.text[:300])


def ceiling_get(t: Target, i: int) -> None:
    workload.expect(t.session.get(f"{t.server.url}/Users/{i}"), 200)


def make_groups(t: Target) -> None:
    for i in range(GROUPS):
        r = t.session.post(f"{t.server.url}/Groups", json=workload.group(i))
        t.groups.append(workload.expect(r, 201)["id"])


def run_phase(
    name: str, count: int, step: Step, targets: list[Target], ceiling: Target, ceiling_n: int
) -> None:
    """``count`` calls of ``step`` per target and ``ceiling_n`` ceiling GETs, in rounds."""
    deadline = time.monotonic() + TIME_LIMIT
    bounds = [round(count * r / ROUNDS) for r in range(ROUNDS + 1)]
    cbounds = [round(ceiling_n * r / ROUNDS) for r in range(ROUNDS + 1)]
    for r in range(ROUNDS):
        plan: list[tuple[Target, Step, range, str]] = [
            (t, step, range(bounds[r], bounds[r + 1]), name) for t in targets
        ]
        plan.append((ceiling, ceiling_get, range(cbounds[r], cbounds[r + 1]), "ceiling"))
        if r % 2:
            plan.reverse()
        for target, action, indices, label in plan:
            started = time.perf_counter()
            for i in indices:
                action(target, i)
            target.seconds[label] = target.seconds.get(label, 0.0) + time.perf_counter() - started
            target.counts[label] = target.counts.get(label, 0) + len(indices)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} took longer than {TIME_LIMIT}s; stopping.")


def rate(t: Target, label: str) -> float:
    seconds = t.seconds.get(label, 0.0)
    return t.counts.get(label, 0) / seconds if seconds else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (0.05)")
    args = parser.parse_args(argv)

    def n(count: int) -> int:
        return max(ROUNDS, round(count * args.scale))

    phases: list[tuple[str, int, Step, float]] = [
        ("POST /Users", n(2000), post_user, 0.5),
        ("GET /Users/{id}", n(1000), get_user, 0.75),
        ("userName eq", n(500), user_name_eq, 0.5),
        ("PATCH add member", n(300), patch_add_member, 0.5),
        ("groups.value eq", n(200), groups_value_eq, 0.5),
    ]
    ceiling_n = n(1000)
    random.seed(4)
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        started = [servers.ours(Path(tmp) / "peer.db"), servers.peer(), servers.ceiling()]
        try:
            for server in started:
                server.start()
            ours, peer, ceiling = (Target(s, s.session()) for s in started)
            for t in (ours, peer):
                make_groups(t)
            share = [ceiling_n // len(phases)] * len(phases)
            share[0] += ceiling_n - sum(share)
            for (name, count, step, _), cn in zip(phases, share, strict=True):
                run_phase(name, count, step, [ours, peer], ceiling, cn)
        finally:
            for server in started:
                server.stop()
    top = rate(ceiling, "ceiling")
    rows = []
    for name, count, _, goal in phases:
        mine, theirs = rate(ours, name), rate(peer, name)
        rows.append([name, count, mine, theirs, top, mine / theirs, mine / top, f"≥1.8 / ≥{goal}"])
    rows.append(["GET ceiling", ceiling_n, "", "", top, "", "", ""])
    headers = ["operation", "n", "ours req/s", "scim2-server req/s", "ceiling req/s"]
    headers += ["ours/peer", "ours/ceiling", "target peer/ceiling"]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
