"""CONTRIBUTING.md tells the truth: its layout matches the tree, and it names the fast lane."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
PACKAGES = ("sync_app", "scim_helper")


def _layout() -> dict[str, bool]:
    """Each path the layout names → whether it is a folder named without children."""
    section = CONTRIBUTING.split("## Layout", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, flags=re.S)
    assert block, "the Layout section has a ``` block"
    named: dict[str, bool] = {}
    parents: list[tuple[int, str]] = []  # (indent, path) of the folders above this line
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        name = line.split()[0]
        while parents and parents[-1][0] >= indent:
            parents.pop()
        if parents:
            named[parents[-1][1]] = False  # it has a child: it covers only what it names
        path = (parents[-1][1] if parents else "") + name
        named[path] = name.endswith("/")
        if name.endswith("/"):
            parents.append((indent, path))
    return named


def test_every_path_in_the_layout_exists() -> None:
    """No file or folder in CONTRIBUTING's layout is missing from the tree."""
    missing = [path for path in _layout() if not (ROOT / path).exists()]
    assert missing == []


def test_every_module_is_named_or_in_a_named_folder() -> None:
    """Each module of the packages is in the layout, or in a folder it names without children."""
    layout = _layout()
    covering = [path for path, leaf in layout.items() if leaf]
    unnamed = [
        module
        for package in PACKAGES
        for module in sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / package).rglob("*.py"))
        if not module.endswith("/__init__.py")
        and module not in layout
        and not any(module.startswith(folder) for folder in covering)
    ]
    assert unnamed == []


def test_the_fast_lane_is_documented_and_leaves_out_the_slow_markers() -> None:
    """CONTRIBUTING names `bootstrap.py test --fast`; it deselects the markers it says it does."""
    assert "`python3 bootstrap.py test --fast`" in CONTRIBUTING
    spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "bootstrap.py")
    assert spec and spec.loader
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    options = dict(zip(bootstrap.FAST_LANE[::2], bootstrap.FAST_LANE[1::2], strict=True))
    assert options["-n"] == "2"  # two pytest-xdist workers, as CONTRIBUTING says
    left_out = re.findall(r"\w+", options["-m"].removeprefix("not"))
    assert [m for m in left_out if m != "or"] == ["notebooks", "browser", "postgres", "slow"]
    for marker in ("notebooks", "browser", "postgres", "slow"):
        assert f"`{marker}`" in CONTRIBUTING
