"""The sync engine against the course's server: initial sync, no-change and 1% re-syncs (issue 15).

    .venv/bin/python -m bench.sync                        # 2,000 and 100,000 people
    .venv/bin/python -m bench.sync --sizes 2000

For each size a fresh server process (``scim-course serve`` on a new SQLite file) gets an
initial sync of a generated roster (a manager tree of fan-out 10, each person in one of 20
department groups and one of 10 division groups), then a re-sync of the same roster, then a
re-sync with 1% of the rows changed (a third renamed, a third moved to another department,
a third gone). One client, one request at a time; requests are counted on the client's session
(the same count the tests take at the server), wall time covers plan and apply.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sync_app import ClientConfiguration, SCIMClient
from sync_app.sync import apply_plan, load_roster, plan_sync

from . import servers
from .report import table

DEPARTMENTS, DIVISIONS, FAN_OUT = 20, 10, 10


def roster_rows(size: int) -> list[dict[str, str]]:
    """``size`` people: E0 at the top, everyone else managed by E(i // FAN_OUT)."""
    return [
        {
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
        for i in range(size)
    ]


def changed(rows: list[dict[str, str]], share: float = 0.01) -> tuple[list[dict[str, str]], int]:
    """A copy with ``share`` of the rows changed (renamed, moved or gone); managers kept."""
    out = [dict(r) for r in rows]
    step = round(1 / share)
    picked = [i for i in range(step - 1, len(rows), step) if i * FAN_OUT >= len(rows)]
    gone = set()
    for n, i in enumerate(picked):
        if n % 3 == 0:
            out[i]["user_name"] += ".renamed"
        elif n % 3 == 1:
            dept = f"Dept {(i + 1) % DEPARTMENTS:02d}"
            out[i]["department"] = dept
            out[i]["groups"] = f"{dept};Division {i % DIVISIONS}"
        else:
            gone.add(i)
    return [r for i, r in enumerate(out) if i not in gone], len(picked)


def run(client: SCIMClient, rows: list[dict[str, str]], what: str) -> list[object]:
    started = time.perf_counter()
    plan = plan_sync(client, load_roster(rows), allow_mass_deactivation=True)
    report = apply_plan(client, plan)
    seconds = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"{what}: {report.text()[:2000]}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [what, plan.state.reads + report.reads, report.writes, seconds, rss]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,100000", help="comma-separated roster sizes")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows = roster_rows(size)
        with tempfile.TemporaryDirectory() as tmp, servers.ours(Path(tmp) / "sync.db") as server:
            config = ClientConfiguration(
                server_url=server.url, auth_token=server.token, timeout=120
            )
            with SCIMClient(config) as client:
                results.append(run(client, rows, f"initial sync, {size:,}"))
                results.append(run(client, rows, f"no-change re-sync, {size:,}"))
                rows_1, count = changed(rows)
                row = run(client, rows_1, f"1% change re-sync, {size:,} ({count} rows)")
                results.append(row)
            print(f"server RSS after {size:,}: {server.rss_mb():.0f} MB", flush=True)
    headers = ["run", "reads", "writes", "wall s", "client peak RSS MB"]
    print(table(headers, results))


if __name__ == "__main__":
    main()
