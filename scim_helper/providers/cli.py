"""``scim-course validate URL --as entra|entra-compliant|okta``: replay a provider against a server.

Exit status: 0 every step passed, 1 a step failed, 2 the server could not be reached.
Progress goes to stderr as each step finishes; the report goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..connection import TOKEN_ENV
from .profile import NAMES
from .run import validate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="the SCIM base URL, e.g. http://127.0.0.1:8000/scim/v2")
    parser.add_argument(
        "--token", help=f"the bearer token (default: the {TOKEN_ENV} environment variable)"
    )
    parser.add_argument(
        "--as",
        dest="profile",
        choices=NAMES,
        default="entra",
        help="which provider to replay (default entra)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show every request, also of passed steps"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get(TOKEN_ENV, "")
    report = validate(args.url, token, args.profile, progress=not args.quiet)
    print(report.text(verbose=args.verbose), flush=True)
    if report.unreachable:
        print(
            "Is the server running, and is the URL its SCIM base (ending in /scim/v2 or /v2)?",
            file=sys.stderr,
        )
    return report.exit_code
