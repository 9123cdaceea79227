"""``scim-course workshop serve``: N server processes on one database, behind one URL.

This process binds the one listening socket and hands it to N worker processes run by
uvicorn's own supervisor (``uvicorn.supervisors.Multiprocess``, what ``uvicorn --workers``
uses): the kernel spreads connections over the workers, a worker that dies is replaced, and
Ctrl+C or SIGTERM stops them all. Binding here, rather than letting uvicorn do it, lets
``--port 0`` pick a free port and print the real one. Each worker opens the database itself
(:func:`scim_helper.server.workshop.app_from_environment`).

SQLite takes one writer at a time: several processes on one file would mostly wait for each
other, so SQLite serves with one process (ours to decide: PostgreSQL is for more).
"""

from __future__ import annotations

import os
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from scim_helper.server import roster
from scim_helper.server.app import BASE_PATH
from scim_helper.server.cli import open_store, shown_db
from scim_helper.server.protocol import uvicorn_settings
from scim_helper.server.runner import QuietServer, bind_socket
from scim_helper.server.workshop import DB_ENV, LOG_LEVEL_ENV, VIEW

APP = "scim_helper.server.workshop:app_from_environment"


def _problem(db: str, processes: int) -> str | None:
    """Why this database cannot be served as asked, or None."""
    if processes < 1:
        return "--processes must be 1 or more."
    if processes > 1 and "://" not in db:
        return (
            f"SQLite serves a room from one process (--processes 1); for {processes} "
            "processes, prepare and serve a PostgreSQL database (--db postgresql://…)."
        )
    store = open_store(db)
    try:
        with store.engine.connect() as conn:
            prepared = bool(roster.instructor_hashes(conn))
    finally:
        store.close()
    if not prepared:
        return (
            f"{shown_db(db)} has no room yet: run 'scim-course workshop prepare --db … "
            "--learners N' first."
        )
    return None


def run(db: str, processes: int, host: str, port: int, log_level: str) -> int:
    problem = _problem(db, processes)
    if problem:
        print(f"scim-course workshop serve: {problem}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        print(
            f"Cannot listen on {host}:{port} ({exc.strerror}). "
            "Stop the other server or choose another --port.",
            file=sys.stderr,
        )
        return 1
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    os.environ[DB_ENV] = db  # read by each worker process
    os.environ[LOG_LEVEL_ENV] = log_level
    config = uvicorn.Config(
        APP,
        factory=True,
        workers=processes,
        log_level=log_level,
        # As LocalServer's (the protocol an import string for the workers), with a lifespan:
        # each worker closes its store when it stops (app_from_environment).
        **{**uvicorn_settings(), "lifespan": "on"},
    )
    print(f"Workshop server at http://{shown}:{bound_port}{BASE_PATH}", flush=True)
    print(f"Instructor view: http://{shown}:{bound_port}{VIEW}/", flush=True)
    print(f"Database: {shown_db(db)}; {processes} process(es). Ctrl+C stops.", flush=True)
    try:
        if processes > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            QuietServer(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
