"""What the JupyterHub guide's tests share: the files under test and a real tokens CSV.

The tokens CSV is written by the real ``scim-course workshop prepare``; tests that need a
hand-made one use :func:`write_tokens_csv`, in the same format (header ``name,role,token``,
created with mode 0600).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from scim_helper.cli import main

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "jupyterhub.md"
CONFIGS = ROOT / "docs" / "jupyterhub"
HUB_SNIPPET = CONFIGS / "jupyterhub_config.d" / "scim_course.py"
TLJH_UNIT = CONFIGS / "tljh" / "scim-course.service"
Z2JH_VALUES = CONFIGS / "z2jh" / "config.yaml"
Z2JH_SERVER = CONFIGS / "z2jh" / "scim-course-server.yaml"
DOCKERFILE = CONFIGS / "z2jh" / "Dockerfile"

#: Hub usernames of the room (prepare adds the instructor's row).
LEARNERS = ("pam", "jim")


def write_tokens_csv(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """A tokens CSV as prepare writes it: created 0600, header ``name,role,token``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "role", "token"])
        writer.writerows(rows)


def prepare_room(folder: Path) -> Path:
    """The tokens CSV for :data:`LEARNERS`, written by the real prepare (in this process)."""
    tokens = folder / "tokens.csv"
    names = folder / "names.txt"
    names.write_text("\n".join(LEARNERS) + "\n", encoding="utf-8")
    options = ["--db", str(folder / "workshop.db"), "--names", str(names)]
    assert main(["workshop", "prepare", *options, "--tokens", str(tokens)]) == 0
    return tokens


def read_rows(tokens: Path) -> list[dict[str, str]]:
    with tokens.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def token_of(tokens: Path, name: str) -> str:
    (token,) = [row["token"] for row in read_rows(tokens) if row["name"] == name]
    return token


def instructor_row(tokens: Path) -> dict[str, str]:
    (row,) = [row for row in read_rows(tokens) if row["role"] == "instructor"]
    return row
