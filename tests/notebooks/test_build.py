"""tools/build_notebooks.py: Markdown sources become notebooks, and ``--check`` sees drift."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from .course import NOTEBOOKS

BUILD = NOTEBOOKS.parent / "tools" / "build_notebooks.py"


@pytest.fixture
def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The build script, pointed at a copy of two chapter sources and their notebooks."""
    spec = importlib.util.spec_from_file_location("build_notebooks", BUILD)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sources, notebooks = tmp_path / "chapters", tmp_path / "notebooks"
    sources.mkdir()
    notebooks.mkdir()
    for slug in ("00-index", "01-welcome"):
        shutil.copy(BUILD.parent / "chapters" / f"{slug}.md", sources)
        shutil.copy(NOTEBOOKS / f"{slug}.ipynb", notebooks)
    monkeypatch.setattr(module, "SOURCES", sources)
    monkeypatch.setattr(module, "NOTEBOOKS", notebooks)
    return module


def test_parse_makes_markdown_code_and_tagged_cells(build: ModuleType) -> None:
    """Text is Markdown, ```python fences are code cells, tags= sets their tags, +++ splits."""
    text = "# Title\n\nSome text.\n\n+++\n\nMore.\n\n```python tags=parameters\nx = None\n```\n"
    notebook = build.parse(text, "09-demo")
    kinds = [(c.cell_type, c.source, c.metadata.get("tags")) for c in notebook.cells]
    assert kinds == [
        ("markdown", "# Title\n\nSome text.", None),
        ("markdown", "More.", None),
        ("code", "x = None", ["parameters"]),
    ]
    assert [c.id for c in notebook.cells] == ["09-000", "09-001", "09-002"]


def test_check_passes_on_every_chapter_without_a_prefix(build: ModuleType) -> None:
    """With no chapter named, --check compares every chapter (and they match)."""
    assert build.main(["--check"]) == 0


def test_check_sees_a_changed_source(build: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Editing a source without rebuilding makes --check fail and name the notebook."""
    source = build.SOURCES / "01-welcome.md"
    source.write_text(source.read_text() + "\nOne more paragraph.\n")
    assert build.main(["--check"]) == 1
    assert "01-welcome.ipynb differs" in capsys.readouterr().out
    assert build.main(["--check", "00"]) == 0


def test_rebuild_keeps_the_outputs_of_unchanged_cells(build: ModuleType) -> None:
    """A rebuild without --execute carries stored outputs over to cells whose code is the same."""
    source = build.SOURCES / "01-welcome.md"
    source.write_text(source.read_text() + "\nOne more paragraph.\n")
    before = nbformat.read(build.NOTEBOOKS / "01-welcome.ipynb", 4)
    assert build.main([]) == 0
    after = nbformat.read(build.NOTEBOOKS / "01-welcome.ipynb", 4)
    assert build.main(["--check"]) == 0
    stored = [c.outputs for c in before.cells if c.cell_type == "code"]
    assert [c.outputs for c in after.cells if c.cell_type == "code"] == stored
    assert after.cells[-1].source.endswith("One more paragraph.")
