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
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import psutil
import requests

from bench import postgres, servers
from bench.load import mint_tokens, start_server
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="per kind (default 2000)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    args = parser.parse_args(argv)
    count = args.requests
    with (
        tempfile.TemporaryDirectory(prefix="scim-cost-") as scratch,
        nullcontext(None) if args.sqlite else postgres.cluster() as cluster,
    ):
        db = cluster.url if cluster else str(Path(scratch) / "scim.db")
        token = mint_tokens(db, 1)[0]
        process, url = start_server(db, token, Path(scratch))
        print("| request | server CPU µs | PostgreSQL CPU µs |")
        print("|---|---:|---:|")
        try:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            for name, send in kinds(session, url).items():
                per = 2 if "add + remove" in name else 1
                for _ in range(min(count, 100)):  # warm up: caches, prepared statements
                    send()
                server = _cpu(process.pid)
                database = postgres.cpu_seconds(cluster.postmaster) if cluster else 0.0
                for _ in range(count):
                    answer = send()
                    if answer.status_code >= 300:
                        raise SystemExit(f"{name}: {answer.status_code} {answer.text[:300]}")
                server = (_cpu(process.pid) - server) / count / per * 1e6
                shown = "n/a"
                if cluster:
                    spent = postgres.cpu_seconds(cluster.postmaster) - database
                    shown = f"{spent / count / per * 1e6:.0f}"
                print(f"| {name} | {server:.0f} | {shown} |", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    with servers.ceiling() as ceiling:
        session = ceiling.session()
        before = _cpu(ceiling.pid)
        for _ in range(count):
            session.get(ceiling.url + "/Users/probe")
        spent = (_cpu(ceiling.pid) - before) / count * 1e6
        print(f"| ceiling: GET a constant User | {spent:.0f} | - |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
