"""Load benchmark (issue 5): a workshop's worth of learners running the course flow at once.

``python -m bench.load`` starts one server process (``python -m scim_helper.server``) on a
fresh SQLite file (or ``--db URL``), mints one token per learner (each learner has their own
tenant, as in a workshop), then runs ``--learners`` simulated learners for ``--seconds``. Each
learner repeats the course flow as fast as the server answers:

1. create a user (with a work email)            POST   /Users
2. deactivate it                                PATCH  /Users/{id}  replace active
3. add it to the learner's group                PATCH  /Groups/{id} add members
4. find it by userName, and by its work email   GET    /Users?filter=...
5. replace its work email                       PATCH  /Users/{id}  emails[type eq "work"].value
6. remove it from the group                     PATCH  /Groups/{id} remove members[value eq ...]

Learners are spread over a few client processes so that the client's own GIL does not set
the pace. It prints the number of errors (anything but the expected 2xx, or no answer: must be
0) and latency percentiles per step; ``--record FILE`` appends the figures, with the machine,
as a Markdown section.

This is a benchmark, not a test: it takes a minute and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from sync_app.scim.urns import GROUP, PATCH_OP, USER

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("create", "deactivate", "member add", "filter", "email replace", "member remove")
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def learner(url: str, token: str, name: str, until: float) -> dict[str, Any]:
    """One learner: the course flow in a loop until ``until`` (time.time()); timings per step."""
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def call(step: str, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            response = session.request(method, url + path, timeout=REQUEST_TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            errors.append(f"{step}: {type(exc).__name__}")
            return None
        timings[step].append(time.perf_counter() - began)
        if response.status_code != expected:
            errors.append(f"{step}: {response.status_code} {response.text[:200]}")
            return None
        return response.json() if response.content else {}

    group = call("setup", "POST", "/Groups", 201, json={"schemas": [GROUP], "displayName": name})
    if group is None:
        return {"timings": dict(timings), "errors": errors, "flows": 0}
    flows = 0
    for n in range(1_000_000):  # bounded by time below; the count is only a backstop
        if time.time() >= until:
            break
        user_name = f"{name}-{n}@dundermifflin.example"
        user = call(
            "create",
            "POST",
            "/Users",
            201,
            json={
                "schemas": [USER],
                "userName": user_name,
                "name": {"givenName": "Learner", "familyName": name},
                "emails": [{"value": f"{name}-{n}@work.example", "type": "work", "primary": True}],
            },
        )
        if user is None:
            continue
        item = f"/Users/{user['id']}"
        members = f"/Groups/{group['id']}"
        call(
            "deactivate",
            "PATCH",
            item,
            200,
            json=_patch({"op": "replace", "path": "active", "value": False}),
        )
        call(
            "member add",
            "PATCH",
            members,
            200,
            json=_patch({"op": "add", "path": "members", "value": [{"value": user["id"]}]}),
        )
        call("filter", "GET", "/Users", 200, params={"filter": f'userName eq "{user_name}"'})
        call(
            "filter",
            "GET",
            "/Users",
            200,
            params={"filter": f'emails[type eq "work" and value co "{name}-{n}@"]'},
        )
        call(
            "email replace",
            "PATCH",
            item,
            200,
            json=_patch(
                {
                    "op": "replace",
                    "path": 'emails[type eq "work"].value',
                    "value": f"{name}-{n}@new.example",
                }
            ),
        )
        call(
            "member remove",
            "PATCH",
            members,
            200,
            json=_patch({"op": "remove", "path": f'members[value eq "{user["id"]}"]'}),
        )
        flows += 1
    session.close()
    return {"timings": dict(timings), "errors": errors, "flows": flows}


def client_process(
    urls: list[str], tokens: list[str], names: list[str], until: float
) -> list[dict[str, Any]]:
    """One client process: its share of the learners (each with its server), one thread each.
    A learner that crashes or never finishes counts as an error, never as silence."""
    unfinished = {"timings": {}, "errors": ["learner did not finish"], "flows": 0}
    results: list[dict[str, Any]] = [unfinished for _ in tokens]

    def run(index: int) -> None:
        try:
            results[index] = learner(urls[index], tokens[index], names[index], until)
        except Exception as exc:
            results[index] = {"timings": {}, "errors": [f"learner crashed: {exc!r}"], "flows": 0}

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(until - time.time(), 0) + 2 * REQUEST_TIMEOUT)
    return results


def mint_tokens(db: str, count: int) -> list[str]:
    """``count`` tokens, each with its own new tenant, written to the database beforehand."""
    sys.path.insert(0, str(ROOT))
    from scim_helper.server.store import Store

    store = Store(db)
    try:
        return [store.mint_token()[0] for _ in range(count)]
    finally:
        store.close()


def start_server(db: str, token: str, home: Path) -> tuple[subprocess.Popen[str], str]:
    """``python -m scim_helper.server`` on a free loopback port; the process and its URL."""
    command = [sys.executable, "-m", "scim_helper.server", "--port", "0", "--db", db]
    command += ["--token", token, "--log-level", "warning"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(home)}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("SCIM server running at "):
            # Keep reading stdout in the background so that the pipe never fills up.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, line.rsplit(" ", 1)[1].strip()
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("The SCIM server process did not start.")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


def machine() -> str:
    """nproc, CPU model, memory and date, for the record."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{os.cpu_count()} CPUs (nproc), {cpu}, {memory} RAM, Python {platform.python_version()}, "
        f"load average before the run {load}, {date}"
    )


def report(
    results: list[dict[str, Any]], seconds: float, learners: int, db_kind: str, servers: int = 1
) -> str:
    """The figures as a Markdown section."""
    by_step: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    flows = 0
    for result in results:
        for step, values in result.get("timings", {}).items():
            by_step[step].extend(values)
        errors += result.get("errors", [])
        flows += result.get("flows", 0)
    every = [value for values in by_step.values() for value in values]
    p50, p95, p99 = (percentile(every, f) * 1000 for f in (0.5, 0.95, 0.99))
    lines = [
        f"### Load: {learners} learners, course flow, {seconds:.0f} s, "
        f"{servers} server process{'es' if servers > 1 else ''} ({db_kind})",
        "",
        f"Machine: {machine()}.",
        "",
        f"- Requests answered: {len(every)} ({len(every) / seconds:.0f}/s); "
        f"complete flows: {flows}",
        f"- **Errors: {len(errors)}**",
        f"- Latency over all requests: p50 {p50:.0f} ms, **p95 {p95:.0f} ms**, p99 {p99:.0f} ms",
        "",
        "| step | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for step in ("setup", *STEPS):
        values = by_step.get(step, [])
        if values:
            lines.append(
                f"| {step} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
            )
    if errors:
        lines += ["", "First errors:", "", *[f"- `{error}`" for error in errors[:10]]]
    command = f".venv/bin/python -m bench.load --learners {learners} --seconds {seconds:.0f}"
    if servers > 1:
        command += f" --servers {servers}"
    if db_kind == "PostgreSQL":
        command += " --db postgresql://..."
    lines += ["", f"Command: `{command}`", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    parser.add_argument("--db", help="database URL or file (default: a new SQLite file)")
    parser.add_argument(
        "--servers", type=int, default=1, help="server processes on the one database (default 1)"
    )
    parser.add_argument("--record", type=Path, help="append the figures to this Markdown file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scim-load-") as scratch:
        db = args.db or str(Path(scratch) / "scim.db")
        tokens = mint_tokens(db, args.learners)
        names = [f"learner{i:02d}" for i in range(args.learners)]
        servers = [start_server(db, tokens[0], Path(scratch)) for _ in range(args.servers)]
        urls = [url for _, url in servers]
        try:
            until = time.time() + args.seconds
            shares = [range(p, args.learners, args.processes) for p in range(args.processes)]
            with ProcessPoolExecutor(args.processes) as pool:
                futures = [
                    pool.submit(
                        client_process,
                        [urls[i % len(urls)] for i in share],
                        [tokens[i] for i in share],
                        [names[i] for i in share],
                        until,
                    )
                    for share in shares
                ]
                results = [
                    r for future in futures for r in future.result(timeout=args.seconds + 300)
                ]
        finally:
            for process, _ in servers:
                process.terminate()
            for process, _ in servers:
                process.wait(timeout=30)
    kind = "PostgreSQL" if args.db and "://" in args.db else "SQLite"
    text = report(results, args.seconds, args.learners, kind, args.servers)
    print(text)
    if args.record:
        with args.record.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    return 1 if any(result.get("errors") for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
