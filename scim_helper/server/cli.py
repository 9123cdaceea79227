"""``scim-course serve``: run the course's SCIM server in the foreground.

It serves ``http://HOST:PORT/scim/v2`` from a database (a SQLite file in the per-user data
directory unless ``--db`` says otherwise) and accepts one bearer token: the one given with
``--token``, or the course's own token, kept in a file only its owner can read.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .runner import (
    LocalServer,
    default_db,
    default_token_file,
    read_token_file,
    write_token_file,
)

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument(
        "--db",
        help=f"SQLite file or SQLAlchemy URL (default {default_db()})",
    )
    parser.add_argument(
        "--token",
        help="accept this bearer token (its tenant is created on first use); "
        f"default: the course's token in {default_token_file()}",
    )
    parser.add_argument(
        "--reset", action="store_true", help="empty the token's tenant before serving"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="server log level (default info)",
    )


def shown_db(db: str) -> str:
    """The database for display: a URL's password is hidden."""
    if "://" not in db:
        return db
    from sqlalchemy.engine import make_url

    return make_url(db).render_as_string(hide_password=True)


def open_store(db: str) -> Store:
    """A :class:`Store` on ``db``, creating the data directory for a default SQLite file."""
    from .store import Store  # imported late: the store pulls in SQLAlchemy

    if "://" not in db:
        Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return Store(db)


def course_token(db: str) -> tuple[str, str | None]:
    """The course's own token and, when it was just minted, a note saying where it is."""
    path = default_token_file()
    token = read_token_file(path)
    if token:
        return token, None
    store = open_store(db)
    try:
        token, _ = store.mint_token()
    finally:
        store.close()
    write_token_file(path, token)
    return token, f"Minted a new token; it is in {path} (readable only by you)."


def run(args: argparse.Namespace) -> int:
    db = str(args.db or default_db())
    if args.token is not None and not args.token.strip():
        # `--token "$TOKEN"` with TOKEN unset: falling back to the course's own token would
        # serve a different tenant than the one meant, silently.
        print(
            'The --token given is empty (an unset variable in --token "$TOKEN"?). '
            "Give the token itself, or leave out --token to use the course's own token.",
            file=sys.stderr,
        )
        return 2
    if args.token:
        token, note = args.token, "Token: the one given with --token."
    else:
        token, minted = course_token(db)
        note = minted or f"Token: the course's token in {default_token_file()}."
    if args.reset:
        store = open_store(db)
        try:
            store.reset_tenant(store.add_token(token))
        finally:
            store.close()
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    server = LocalServer(db, token=token, host=args.host, port=args.port, log_level=args.log_level)
    stops = {signal.SIGINT, signal.SIGTERM}
    if hasattr(signal, "pthread_sigmask"):  # POSIX: see the wait below
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        server.start()
    except OSError as exc:
        print(
            f"Cannot listen on {args.host}:{args.port} ({exc.strerror}). "
            "Stop the other server or choose another --port.",
            file=sys.stderr,
        )
        return 1
    print(f"SCIM server running at {server.url}", flush=True)
    print(f"Database: {shown_db(db)}", flush=True)
    print(note + (" The tenant was reset." if args.reset else ""), flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    try:
        if hasattr(signal, "sigwait"):
            # POSIX: the server's threads were started with Ctrl+C and SIGTERM blocked, so
            # they come here, and this thread sleeps until then (a timed wait would wake the
            # process twice a second for nothing).
            signal.sigwait(stops)
        else:  # Windows: a wait that wakes now and then lets KeyboardInterrupt through
            stopped = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stopped.set())
            while not stopped.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m scim_helper.server``: the same as ``scim-course serve``."""
    parser = argparse.ArgumentParser(prog="python -m scim_helper.server", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
