"""The learner's workspace: the chapters copied out of the installed package, never overwritten.

An installed course (``pip install office-scim-course``) carries its chapters as package data in
``scim_helper/course/`` (the build copies ``notebooks/`` there). ``scim-course lab`` copies them
into a folder of the learner's, by default ``~/office-scim-course`` (``--dir`` chooses another),
and opens JupyterLab there.

The workspace keeps a small manifest, ``.scim-course.json``: the course version and, for every
file copied, the hash of what was copied. On later runs, and with ``scim-course update``:

- a file the workspace lacks is copied;
- a file still as it was copied (its hash is the manifest's) is replaced by the package's newer
  one, as nothing of the learner's is in it;
- a file the learner has changed (or saved after running it) is never touched: when the package
  brings a different one, it is offered next to it, e.g. ``02-charles-joins (v0.2.0).ipynb``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scim_helper import __version__

__all__ = [
    "MANIFEST",
    "Update",
    "add_arguments",
    "course_source",
    "default_workspace",
    "packaged_chapters",
    "prepare",
    "run",
]

MANIFEST = ".scim-course.json"
#: What an installed package carries: ``notebooks/`` copied by the build (pyproject.toml).
PACKAGED = Path(__file__).resolve().parent / "course"
#: The chapters of a checkout (an editable install runs from one).
CHECKOUT = Path(__file__).resolve().parents[1] / "notebooks"
_SKIPPED = {".ipynb_checkpoints", "__pycache__"}


def packaged_chapters() -> Path | None:
    """The chapters this installation carries as package data, if it does."""
    return PACKAGED if any(PACKAGED.glob("[0-9][0-9]-*.ipynb")) else None


def course_source() -> Path:
    """Where this installation's chapters are: its package data, else the checkout's folder."""
    return packaged_chapters() or CHECKOUT


def default_workspace() -> Path:
    """``~/office-scim-course``: a folder a learner finds again, outside any package folder."""
    return Path.home() / "office-scim-course"


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(source: Path) -> list[str]:
    """The files to copy, as POSIX paths relative to ``source``."""
    return sorted(
        path.relative_to(source).as_posix()
        for path in source.rglob("*")
        if path.is_file()
        and not _SKIPPED.intersection(path.relative_to(source).parts)
        and path.name != MANIFEST
    )


def side_by_side(path: Path, version: str) -> Path:
    """``02-charles-joins.ipynb`` → ``02-charles-joins (v0.2.0).ipynb``."""
    return path.with_name(f"{path.stem} (v{version}){path.suffix}")


@dataclass
class Update:
    """What :func:`prepare` did to a workspace."""

    folder: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)  # the side-by-side copies written

    def lines(self) -> list[str]:
        said = []
        if self.copied:
            said.append(f"Copied {len(self.copied)} course files into {self.folder}.")
        if self.updated:
            said.append(f"Updated {len(self.updated)} files you had not changed.")
        for name in self.offered:
            said.append(
                f"New version of a chapter you changed, placed next to yours: {name}"
                " (yours is untouched)."
            )
        return said


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def prepare(folder: Path, source: Path | None = None, version: str = __version__) -> Update:
    """Bring the workspace ``folder`` up to date with ``source``, keeping every learner's edit."""
    source = source or course_source()
    folder.mkdir(parents=True, exist_ok=True)
    recorded = _read_manifest(folder)
    manifest: dict[str, str] = {}
    update = Update(folder)
    for name in _files(source):
        theirs, ours = folder / name, source / name
        new_hash = _hash(ours)
        if not theirs.exists():
            theirs.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ours, theirs)
            manifest[name] = new_hash
            update.copied.append(name)
            continue
        current = _hash(theirs)
        if current == new_hash:
            manifest[name] = new_hash
        elif recorded.get(name) == current:  # pristine: nothing of the learner's in it
            shutil.copyfile(ours, theirs)
            manifest[name] = new_hash
            update.updated.append(name)
        elif recorded.get(name) == new_hash:  # the learner's, and the package's is unchanged
            manifest[name] = new_hash
        else:  # the learner's: never replaced; the package's new one goes next to it
            if name in recorded:
                manifest[name] = recorded[name]
            offer = side_by_side(theirs, version)
            if not offer.exists():
                shutil.copyfile(ours, offer)
                update.offered.append(offer.relative_to(folder).as_posix())
    content = {"version": version, "files": manifest}
    (folder / MANIFEST).write_text(json.dumps(content, indent=1, sort_keys=True) + "\n")
    return update


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help=f"the workspace folder (default: {default_workspace()})",
    )


def run(args: argparse.Namespace) -> int:
    """``scim-course update``: bring the workspace's chapters up to this version's."""
    folder = (args.dir or default_workspace()).expanduser().resolve()
    said = prepare(folder).lines()
    for line in said or [f"{folder} already has the chapters of version {__version__}."]:
        print(line)
    sys.stdout.flush()
    return 0
