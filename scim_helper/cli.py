"""``scim-course``: the course's command line.

Each subcommand lives in the module that owns the concept; this file only wires them up.
A subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: What ``scim-course --help`` says above the commands: plain text, as a terminal shows it.
DESCRIPTION = "The Office SCIM course's command line: the local SCIM server, setup, chapters."
EPILOG = (
    "Each command has its own --help. To open the course: scim-course lab "
    "(or python3 bootstrap.py course in the course's folder)."
)

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("scim_helper.server.cli", "run the local SCIM server in the foreground"),
    "token": ("scim_helper.server.tokens_cli", "mint a new bearer token (a new tenant)"),
    "setup": ("scim_helper.setup_cli", "seed the Dunder Mifflin staff and group"),
    "reset": ("scim_helper.setup_cli", "restore the starting state of your tenant"),
    "check": ("scim_helper.check", "check the installation and say how to fix what is wrong"),
    "lab": ("scim_helper.lab", "start the local server and open the course in JupyterLab"),
    "run": ("scim_helper.chapters", "run every chapter headless and print each result and time"),
    "validate": (
        "scim_helper.providers.cli",
        "replay what Entra ID or Okta sends against a SCIM server, step by step",
    ),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that subcommand's module is imported.

    Importing every subcommand pulls in nbformat and papermill, which would make
    ``scim-course serve`` take seconds to start instead of a fraction of one.
    """
    parser = argparse.ArgumentParser(prog="scim-course", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        if hasattr(module, "add_arguments"):
            if name in ("setup", "reset") and hasattr(module, "add_arguments_for"):
                module.add_arguments_for(name, command)
            else:
                module.add_arguments(command)
        command.set_defaults(_module=module, _name=name)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(given[0] if given and given[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    module = getattr(args, "_module", None)
    if module is None:
        parser.print_help()
        return 2
    if args._name in ("setup", "reset") and hasattr(module, "run_for"):
        return int(module.run_for(args._name, args) or 0)
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
