"""``scim-course token``: mint a bearer token, and with it a new empty tenant.

The token is written to a file only its owner can read, and the file's path is printed; the
token itself is printed only with ``--print`` (for ``TOKEN=$(scim-course token --print)``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli import open_store
from .runner import data_dir, default_db, write_token_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=f"SQLite file or SQLAlchemy URL (default {default_db()})")
    parser.add_argument(
        "--tenant", help="bind the token to this existing tenant instead of a new one"
    )
    parser.add_argument("--file", type=Path, help="where to write the token")
    parser.add_argument(
        "--print", action="store_true", help="print the token to stdout instead of a file"
    )


def run(args: argparse.Namespace) -> int:
    store = open_store(str(args.db or default_db()))
    try:
        token, tenant = store.mint_token(args.tenant)
    finally:
        store.close()
    if args.print:
        print(token)
        return 0
    path = args.file or data_dir() / f"token-{tenant}"
    write_token_file(path, token)
    print(f"New token for tenant {tenant} written to {path} (readable only by you).")
    print(f"Use it with: scim-course serve --token \"$(cat '{path}')\"")
    return 0
