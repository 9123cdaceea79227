"""The sync engine against the course's server: initial sync, no-change and 1% re-syncs (issue 15).

    .venv/bin/python -m bench.sync                        # 2,000 and 100,000 people
    .venv/bin/python -m bench.sync --sizes 2000

For each size a fresh server process (``scim-course serve`` on a new SQLite file) gets an
initial sync of a generated roster (a manager tree of fan-out 10, each person in one of 20
department groups and one of 10 division groups), then a re-sync of the same roster, then a
re-sync with 1% of the rows changed (a third renamed, a third moved to another department,
a third gone). One client, one request at a time; requests are counted on the client's session
(the same count the tests take at the server), wall time covers plan and apply. The no-change
re-sync runs twice: with cursors (RFC 9865, which the server announces and the engine uses)
and with startIndex paging (RFC 7644 §3.4.2.4, what a server without cursors gets). Rosters
are CSV files, as an HR export would be, so the client's peak RSS is the engine's.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import resource
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from sync_app import ClientConfiguration, SCIMClient
from sync_app.sync import apply_plan, load_roster, plan_sync
from sync_app.sync.roster import COLUMNS
from sync_app.sync.state import ServerLimits

from . import servers
from .report import table

DEPARTMENTS, DIVISIONS, FAN_OUT = 20, 10, 10


def roster_rows(size: int) -> Iterator[dict[str, str]]:
    """``size`` people: E0 at the top, everyone else managed by E(i // FAN_OUT)."""
    for i in range(size):
        yield {
            "employee_id": f"E{i}",
            "user_name": f"person{i}",
            "given_name": "Person",
            "family_name": f"Number{i}",
            "email": f"person{i}@sabre.example",
            "title": "Associate",
            "department": f"Dept {i % DEPARTMENTS:02d}",
            "division": f"Division {i % DIVISIONS}",
            "manager_id": f"E{i // FAN_OUT}" if i else "",
            "active": "true",
            "groups": f"Dept {i % DEPARTMENTS:02d};Division {i % DIVISIONS}",
        }


def changed(
    rows: Iterable[dict[str, str]], size: int, share: float = 0.01
) -> Iterator[dict[str, str]]:
    """The rows with ``share`` of them changed (renamed, moved or gone); managers kept."""
    step = round(1 / share)
    n = 0
    for i, row in enumerate(rows):
        if i % step != step - 1 or i * FAN_OUT < size:
            yield row
            continue
        kind, n = n % 3, n + 1
        if kind == 0:
            row["user_name"] += ".renamed"
        elif kind == 1:
            dept = f"Dept {(i + 1) % DEPARTMENTS:02d}"
            row["department"] = dept
            row["groups"] = f"{dept};Division {i % DIVISIONS}"
        if kind != 2:  # the third of each three is gone (a leaver)
            yield row


def changed_count(size: int, share: float = 0.01) -> int:
    step = round(1 / share)
    return sum(1 for i in range(step - 1, size, step) if i * FAN_OUT >= size)


def write_roster(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    """The roster as the CSV file an HR export would be: the bench keeps no copy in memory,
    so the client's peak RSS is the engine's (and the interpreter's)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(client: SCIMClient, roster: Path, what: str) -> list[object]:
    started = time.perf_counter()
    plan = plan_sync(client, load_roster(roster), allow_mass_deactivation=True)
    report = apply_plan(client, plan)
    seconds = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"{what}: {report.text()[:2000]}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [what, plan.state.reads + report.reads, report.writes, seconds, rss]


@contextlib.contextmanager
def index_paging() -> Iterator[None]:
    """Read as a client of a server without cursors would (startIndex/count), for comparison."""
    discover = ServerLimits.discover

    def without_cursors(client: SCIMClient) -> ServerLimits:
        return dataclasses.replace(discover(client), cursor=False)

    ServerLimits.discover = without_cursors  # type: ignore[method-assign]
    try:
        yield
    finally:
        ServerLimits.discover = discover  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,100000", help="comma-separated roster sizes")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp, servers.ours(Path(tmp) / "sync.db") as server:
            roster = write_roster(Path(tmp) / "roster.csv", roster_rows(size))
            config = ClientConfiguration(
                server_url=server.url, auth_token=server.token, timeout=120
            )
            with SCIMClient(config) as client:
                results.append(run(client, roster, f"initial sync, {size:,}"))
                results.append(run(client, roster, f"no-change re-sync, {size:,}"))
                with index_paging():
                    what = f"no-change re-sync, {size:,}, startIndex paging"
                    results.append(run(client, roster, what))
                roster_1 = write_roster(
                    Path(tmp) / "roster-1.csv", changed(roster_rows(size), size)
                )
                what = f"1% change re-sync, {size:,} ({changed_count(size)} rows)"
                results.append(run(client, roster_1, what))
            print(f"server RSS after {size:,}: {server.rss_mb():.0f} MB", flush=True)
    headers = ["run", "reads", "writes", "wall s", "client peak RSS MB"]
    print(table(headers, results))


if __name__ == "__main__":
    main()
