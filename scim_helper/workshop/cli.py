"""``scim-course workshop prepare|serve``: a room of learners on one server (issue 16)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="workshop_command", metavar="prepare|serve", required=True)
    prepare = sub.add_parser(
        "prepare",
        help="create the database and a token per learner (idempotent)",
        description="Create or upgrade the database; mint a token per learner and one "
        "instructor token into a tokens file only you can read. Re-running keeps the "
        "existing tokens and adds new names.",
    )
    prepare.add_argument("--db", required=True, help="SQLite file or postgresql:// URL")
    who = prepare.add_mutually_exclusive_group()
    who.add_argument("--learners", type=int, metavar="N", help="learners learner-001…N")
    who.add_argument("--names", type=Path, metavar="FILE", help="one learner name per line")
    prepare.add_argument(
        "--tokens",
        type=Path,
        default=Path("tokens.csv"),
        help="the tokens file, name,role,token (default tokens.csv)",
    )
    serve = sub.add_parser(
        "serve",
        help="serve a prepared room from N processes behind one URL",
        description="Serve the SCIM server, the learners' progress and the instructor view "
        "(/workshop/) from N processes on one database (SQLite: 1).",
    )
    serve.add_argument("--db", required=True, help="SQLite file or postgresql:// URL")
    serve.add_argument("--processes", type=int, default=1, help="server processes (default 1)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="log level (default warning; info logs every request)",
    )


def run(args: argparse.Namespace) -> int:
    if args.workshop_command == "prepare":
        from .prepare import run as prepare

        if args.learners is not None and args.learners < 0:
            print("scim-course workshop prepare: --learners must be 0 or more.")
            return 2
        return prepare(args.db, args.learners, args.names, args.tokens)
    from .serve import run as serve

    return serve(args.db, args.processes, args.host, args.port, args.log_level)
