"""Load benchmark (issues 5 and 16): rooms of learners running the chapters' requests at once.

``python -m bench.load`` starts ``--servers`` server processes (``python -m scim_helper.server``)
on one database: a fresh SQLite file, a fresh PostgreSQL cluster (``--postgres``) or ``--db
URL``. It mints one token per learner (each learner has a tenant of their own, as in a
workshop), then runs one room after another (``--rooms 100,300,600,1000``), each for
``--seconds``. Every learner keeps one connection and thinks 1–3 s (``--think``) between
requests; its flow is in :mod:`bench.learners` (discovery, a group, then create, get,
deactivate, member add, two filters, a list, email replace, member remove, over and over).

Per room it prints the errors (anything but the expected status, or no answer: must be 0),
latency p50/p95/p99, requests per second, the CPU each request cost in the server processes,
in PostgreSQL and in the load generator itself (psutil / getrusage: CPU-time differences
divided by the requests answered), the PostgreSQL connections opened per minute (the pools'
churn, from ``pg_stat_database.sessions``), and the first room whose p95 passes 250 ms.
The load generator runs on the same machine as the server: its CPU is taken from the server's
and is printed so that the reader can see how much. ``--record FILE`` appends the figures, with
the machine and its load average, as a Markdown section. ``--baseline REF`` runs every room on
REF's server too (:mod:`bench.baseline`: a checkout of REF, its own database), ours then REF's
room by room so that both see the same machine, and prints the two side by side with the ratio
of their CPU per request (server and PostgreSQL).

This is a benchmark, not a test: it takes minutes and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench import postgres
from bench.baseline import checkout
from bench.learners import STEPS, client_process

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
P95_LIMIT_MS = 250.0


def mint_tokens(db: str, count: int) -> list[str]:
    """``count`` tokens, each bound to a new tenant, in one transaction."""
    from scim_helper.server import tenants
    from scim_helper.server.store import Store

    store = Store(db)
    tokens = [tenants.new_token() for _ in range(count)]
    try:
        with store.engine.connect() as conn:
            conn.execution_options(scim_write=True)
            with conn.begin():
                for token in tokens:
                    tenants.bind(conn, token, None)
    finally:
        store.close()
    return tokens


def start_server(
    db: str, token: str, home: Path, root: Path = ROOT, hidden: Path | None = None
) -> tuple[subprocess.Popen[str], str]:
    """``python -m scim_helper.server`` on a free loopback port, from the checkout ``root``
    (this one by default), ``hidden`` first on its path (see bench.cost.hide); the process
    and its URL."""
    home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scim_helper.server", "--port", "0", "--db", db]
    command += ["--token", token, "--log-level", "warning"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(p) for p in (hidden, root) if p is not None),
        "XDG_DATA_HOME": str(home),
        "SCIM_COURSE_DATA_DIR": str(home),
    }
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
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


def start_workshop(
    db: str, learners: int, processes: int, home: Path
) -> tuple[list[str], subprocess.Popen[str], str]:
    """``scim-course workshop prepare`` (in this process) and ``scim-course workshop serve
    --processes N`` (one URL, one socket, N uvicorn workers): the learners' tokens, the
    supervisor process and the URL."""
    from scim_helper.workshop.prepare import prepare

    names = [f"learner-{i:04d}" for i in range(1, learners + 1)]
    room, _ = prepare(db, names, home / "tokens.csv")
    tokens = [room.learners[name] for name in names]
    command = [sys.executable, "-m", "scim_helper.cli", "workshop", "serve", "--db", db]
    command += ["--processes", str(processes), "--port", "0", "--log-level", "warning"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCIM_COURSE_DATA_DIR": str(home)}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("Workshop server at "):
            threading.Thread(target=process.stdout.read, daemon=True).start()
            url = line.rsplit(" ", 1)[1].strip()
            _wait_until_answering(url)
            return tokens, process, url
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("scim-course workshop serve did not start.")


def _wait_until_answering(url: str) -> None:
    """The supervisor prints its URL before the workers import the app: wait for them."""
    import requests

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/ServiceProviderConfig", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("scim-course workshop serve did not answer.")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> str:
    """nproc, CPU model, memory and Python, for the record."""
    cpu = platform.processor() or "unknown CPU"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {memory} RAM, Python {platform.python_version()}"


def span(started: datetime, ended: datetime) -> str:
    """When the rooms ran, in UTC: ``2026-11-29 15:04–15:26 UTC`` (the end's date if it differs)."""
    end = ended.strftime("%H:%M" if ended.date() == started.date() else "%Y-%m-%d %H:%M")
    return f"{started:%Y-%m-%d %H:%M}–{end} UTC"


@dataclass
class Room:
    """What one room measured."""

    learners: int
    seconds: float
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    flows: int = 0
    reconnects: int = 0
    server_cpu: float = 0.0
    database_cpu: float | None = None
    client_cpu: float = 0.0
    sessions: int | None = None
    load: str = ""

    @property
    def every(self) -> list[float]:
        return [value for values in self.timings.values() for value in values]

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.timings.values())

    def p(self, fraction: float) -> float:
        return percentile(self.every, fraction) * 1000

    def per_request_ms(self, seconds: float | None) -> str:
        if seconds is None or not self.requests:
            return "n/a"
        return f"{seconds * 1000 / self.requests:.2f}"


def cpu_of(pids: list[int]) -> float:
    """CPU seconds (user + system, every thread) of the processes ``pids`` and their live
    children (a workshop server's workers)."""
    total = 0.0
    for pid in pids:
        main = psutil.Process(pid)
        for process in (main, *main.children(recursive=True)):
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


def run_room(
    pool: ProcessPoolExecutor,
    learners: int,
    urls: list[str],
    tokens: list[str],
    args: argparse.Namespace,
    servers: list[int],
    cluster: postgres.Cluster | None,
) -> Room:
    """One room: ``learners`` learners, spread over the client processes and the servers."""
    room = Room(learners, args.seconds, load=load_average())
    members = [
        (urls[i % len(urls)], tokens[i], f"room{learners}-learner{i:04d}") for i in range(learners)
    ]
    shares = [members[p :: args.processes] for p in range(args.processes)]
    sessions_before = postgres.sessions(cluster.url) if cluster else 0
    database_before = postgres.cpu_seconds(cluster.postmaster) if cluster else 0.0
    server_before = cpu_of(servers)
    start = time.time() + 1.0  # every client process starts its learners at the same moment
    until = start + args.seconds
    futures = [
        pool.submit(client_process, share, args.think, start, until) for share in shares if share
    ]
    timings: dict[str, list[float]] = defaultdict(list)
    for future in futures:
        result = future.result(timeout=args.seconds + 300)
        for step, values in result["timings"].items():
            timings[step].extend(values)
        room.errors += result["errors"]
        room.flows += result["flows"]
        room.reconnects += result["reconnects"]
        room.client_cpu += result["cpu"]
    room.server_cpu = cpu_of(servers) - server_before
    if cluster:
        room.database_cpu = postgres.cpu_seconds(cluster.postmaster) - database_before
        # The two sessions the measure itself opened are not the pools' doing.
        room.sessions = postgres.sessions(cluster.url) - sessions_before - 1
    room.timings = dict(timings)
    return room


def report(
    rooms: list[Room], args: argparse.Namespace, kind: str, load_before: str, ran: str
) -> str:
    """The figures as a Markdown section; ``ran`` says when the rooms ran (:func:`span`)."""
    low, high = args.think
    processes = f"{args.servers} server process{'es' if args.servers > 1 else ''}"
    if args.workshop:
        processes += " (scim-course workshop serve, one URL)"
    think = f"think {low:g}–{high:g} s" if high else "no think time"
    lines = [
        f"### Rooms: {kind}, {processes}, {think}, {args.seconds:g} s per room",
        "",
        f"Machine: {machine()}; ran {ran}; load average before the run {load_before}; "
        f"{args.processes} client processes (the load generator) on the same machine.",
        "",
        "| learners | requests | req/s | errors | p50 ms | p95 ms | p99 ms "
        "| server CPU ms/req | PostgreSQL CPU ms/req | generator CPU ms/req "
        "| PostgreSQL connections opened/min | load avg before |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for room in rooms:
        churn = "n/a" if room.sessions is None else f"{room.sessions * 60 / room.seconds:.0f}"
        lines.append(
            f"| {room.learners} | {room.requests} | {room.requests / room.seconds:.0f} "
            f"| {len(room.errors)} | {room.p(0.5):.0f} | {room.p(0.95):.0f} | {room.p(0.99):.0f} "
            f"| {room.per_request_ms(room.server_cpu)} "
            f"| {room.per_request_ms(room.database_cpu)} "
            f"| {room.per_request_ms(room.client_cpu)} | {churn} | {room.load} |"
        )
    over = next((room.learners for room in rooms if room.p(0.95) > P95_LIMIT_MS), None)
    largest = max(room.learners for room in rooms)
    lines += [
        "",
        f"p95 passes {P95_LIMIT_MS:.0f} ms at: "
        + (f"{over} learners" if over else f"no room (up to {largest} learners)"),
        "",
        "p95 ms per step:",
        "",
        "| step | " + " | ".join(str(room.learners) for room in rooms) + " |",
        "|---|" + "---:|" * len(rooms),
    ]
    for step in STEPS:
        cells = [
            f"{percentile(room.timings.get(step, []), 0.95) * 1000:.0f}"
            if room.timings.get(step)
            else "-"
            for room in rooms
        ]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    errors = [error for room in rooms for error in room.errors]
    if errors:
        lines += ["", "First errors:", "", *[f"- `{error}`" for error in errors[:10]]]
    command = f".venv/bin/python -m bench.load --rooms {','.join(str(r.learners) for r in rooms)}"
    command += f" --seconds {args.seconds:g} --think {low:g},{high:g}"
    if args.servers > 1:
        command += f" --servers {args.servers}"
    if args.workshop:
        command += " --workshop"
    if args.postgres:
        command += " --postgres"
    elif kind == "PostgreSQL":
        command += " --db postgresql://..."
    if args.baseline:
        command += f" --baseline {args.baseline}"
    lines += ["", f"Command: `{command}`", ""]
    return "\n".join(lines)


def _think(text: str) -> tuple[float, float]:
    parts = [float(part) for part in text.split(",")]
    if len(parts) == 1:
        parts = [parts[0], parts[0]]
    if len(parts) != 2 or parts[0] < 0 or parts[1] < parts[0]:
        raise argparse.ArgumentTypeError("--think is MIN,MAX seconds, e.g. 1,3 (or 0)")
    return parts[0], parts[1]


def _rooms(text: str) -> list[int]:
    try:
        rooms = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        rooms = []
    if not rooms or min(rooms) < 1:
        raise argparse.ArgumentTypeError("--rooms is a list of room sizes, e.g. 100,300,600")
    return rooms


@contextmanager
def database(args: argparse.Namespace, scratch: Path) -> Iterator[tuple[str, Any]]:
    """The database URL or file, and the throwaway cluster when ``--postgres`` asked for one."""
    if args.postgres:
        with postgres.cluster() as cluster:
            yield cluster.url, cluster
    else:
        yield args.db or str(scratch / "scim.db"), None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--rooms", type=_rooms, default=[100, 300, 600, 1000], help="room sizes, in learners"
    )
    parser.add_argument("--learners", type=int, help="one room of this size (as --rooms N)")
    parser.add_argument("--seconds", type=float, default=60.0, help="per room (default 60)")
    parser.add_argument(
        "--think", type=_think, default=(1.0, 3.0), help="MIN,MAX seconds between requests"
    )
    parser.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    parser.add_argument("--db", help="database URL or file (default: a new SQLite file)")
    parser.add_argument(
        "--postgres", action="store_true", help="a fresh PostgreSQL cluster (initdb) as database"
    )
    parser.add_argument(
        "--servers", type=int, default=1, help="server processes on the one database (default 1)"
    )
    parser.add_argument(
        "--workshop",
        action="store_true",
        help="serve with 'scim-course workshop serve --processes N' (N from --servers): one URL",
    )
    parser.add_argument("--record", type=Path, help="append the figures to this Markdown file")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also run every room on the server of this git commit (its own database), "
        "room by room after ours, and print both side by side",
    )
    args = parser.parse_args(argv)
    if args.learners:
        args.rooms = [args.learners]
    if args.baseline and args.workshop:
        parser.error("--baseline measures the plain server; leave out --workshop")
    if args.baseline and args.db:
        parser.error("--baseline gives each side a database of its own: use --postgres or none")
    load_before, started = load_average(), datetime.now(UTC)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scim-load-")))
        sides = [stack.enter_context(_side(args, scratch / "ours", ROOT, None))]
        if args.baseline:
            tree, hidden, _ = stack.enter_context(checkout(args.baseline))
            sides.append(stack.enter_context(_side(args, scratch / "baseline", tree, hidden)))
        pool = stack.enter_context(ProcessPoolExecutor(args.processes))
        for size in args.rooms:
            for side in sides:
                side.rooms.append(
                    run_room(pool, size, side.urls, side.tokens, args, side.pids, side.cluster)
                )
                time.sleep(2)  # the last requests' connections close before the next room
    ran = span(started, datetime.now(UTC))
    texts = [report(side.rooms, args, side.kind, load_before, ran) for side in sides]
    if args.baseline:
        texts[0] = texts[0].replace("### Rooms: ", "### Rooms (ours): ", 1)
        texts[1] = texts[1].replace("### Rooms: ", f"### Rooms (baseline {args.baseline}): ", 1)
        texts.append(side_by_side(sides[0].rooms, sides[1].rooms, args.baseline))
    text = "\n".join(texts)
    print(text)
    if args.record:
        with args.record.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    return 1 if any(room.errors for side in sides for room in side.rooms) else 0


@dataclass
class Side:
    """The servers of one side (ours, or ``--baseline``'s) with their database and rooms."""

    kind: str
    urls: list[str]
    tokens: list[str]
    pids: list[int]
    cluster: postgres.Cluster | None
    rooms: list[Room] = field(default_factory=list)


@contextmanager
def _side(
    args: argparse.Namespace, scratch: Path, root: Path, hidden: Path | None
) -> Iterator[Side]:
    """The database and the servers of one side, from the checkout ``root``; stopped after."""
    scratch.mkdir(parents=True, exist_ok=True)
    with database(args, scratch) as (db, cluster):
        if args.workshop:
            tokens, supervisor, url = start_workshop(db, max(args.rooms), args.servers, scratch)
            servers, urls = [(supervisor, url)], [url]
        else:
            tokens = mint_tokens(db, max(args.rooms))
            servers = [
                start_server(db, tokens[0], scratch, root=root, hidden=hidden)
                for _ in range(args.servers)
            ]
            urls = [url for _, url in servers]
        try:
            kind = "PostgreSQL" if cluster or "://" in db else "SQLite"
            yield Side(kind, urls, tokens, [process.pid for process, _ in servers], cluster)
        finally:
            for process, _ in servers:
                process.terminate()
            for process, _ in servers:
                process.wait(timeout=30)


def side_by_side(ours: list[Room], baseline: list[Room], ref: str) -> str:
    """Each room, ours beside the baseline's: errors, p95 and CPU per request (server and
    PostgreSQL together), and ours / baseline for the CPU."""
    lines = [
        f"### Rooms side by side: ours and {ref}",
        "",
        "| learners | ours: errors, p95 ms, CPU ms/req | baseline: errors, p95 ms, CPU ms/req "
        "| ours / baseline (CPU) |",
        "|---:|---|---|---:|",
    ]
    for mine, theirs in zip(ours, baseline, strict=True):
        cpu = [_cpu_per_request(room) for room in (mine, theirs)]
        ratio = f"{cpu[0] / cpu[1]:.2f}" if cpu[1] else "n/a"
        cells = [
            f"{len(r.errors)}, {r.p(0.95):.0f}, {c:.2f}"
            for r, c in zip((mine, theirs), cpu, strict=True)
        ]
        lines.append(f"| {mine.learners} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join([*lines, ""])


def _cpu_per_request(room: Room) -> float:
    """Server and PostgreSQL CPU per request, ms (the generator's left out)."""
    if not room.requests:
        return 0.0
    return (room.server_cpu + (room.database_cpu or 0.0)) * 1000 / room.requests


if __name__ == "__main__":
    raise SystemExit(main())
