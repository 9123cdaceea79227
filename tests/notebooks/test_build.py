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


def test_expect_comments_move_into_the_code_cell_above(build: ModuleType) -> None:
    """<!-- expect…: … --> lines leave the Markdown and become the previous code cell's metadata."""
    text = (
        "Intro.\n\n```python\nprint('16 people')\n```\n\n"
        "Sixteen people, says the cell.\n"
        "<!-- expect: 16 people -->\n"
        "<!--   expect-re:   ^\\d+ people$   -->\n"
        "<!-- expect-not: mscott -->\n\n"
        "+++\n\n<!-- expect: alone in its cell -->\n\n"
        "```python\nx = 1\n```\n"
    )
    notebook = build.parse(text, "09-demo")
    kinds = [(c.cell_type, c.source, c.metadata.get("expect")) for c in notebook.cells]
    assert kinds == [
        ("markdown", "Intro.", None),
        (
            "code",
            "print('16 people')",
            [
                {"contains": "16 people"},
                {"regex": "^\\d+ people$"},
                {"absent": "mscott"},
                {"contains": "alone in its cell"},
            ],
        ),
        ("markdown", "Sixteen people, says the cell.", None),
        ("code", "x = 1", None),
    ]


def test_expect_lines_inside_other_fences_stay_markdown(build: ModuleType) -> None:
    """A fenced example in the Markdown (```text) may show the syntax without stating a claim."""
    text = "```python\nx = 1\n```\n\n```text\n<!-- expect: 1 -->\n<!-- expect oops -->\n```\n"
    notebook = build.parse(text, "09-demo")
    assert notebook.cells[0].metadata.get("expect") is None
    assert "<!-- expect oops -->" in notebook.cells[1].source


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("<!-- expect 16 people -->", "one per line"),
        ("<!-- expect-maybe: 16 -->", "one per line"),
        ("<!-- expect: -->", "one per line"),
        ("<!-- expect: 16 people", "one per line"),
        ("Sixteen. <!-- expect: 16 people -->", "one per line"),
        ("<!-- expect-re: ([0-9] -->", "not a valid regular expression"),
    ],
)
def test_malformed_expect_stops_the_build(build: ModuleType, line: str, message: str) -> None:
    """A line that looks like an expectation but is not one is an error naming file and line."""
    with pytest.raises(build.ChapterSourceError, match=message) as caught:
        build.parse(f"```python\nx = 1\n```\n\nText.\n{line}\n", "09-demo")
    assert str(caught.value).startswith("09-demo.md line 6: ")


def test_expect_without_a_code_cell_above_stops_the_build(build: ModuleType) -> None:
    """An expectation before the chapter's first code cell has no output to describe."""
    with pytest.raises(build.ChapterSourceError, match=r"line 3: .* there is none"):
        build.parse("# Title\n\n<!-- expect: 16 people -->\n\n```python\nx = 1\n```\n", "09-demo")


def test_main_reports_a_malformed_expect(
    build: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line names the chapter and line, changes nothing and exits non-zero."""
    source = build.SOURCES / "01-welcome.md"
    source.write_text(source.read_text() + "\n<!-- expect 3 people -->\n")
    before = (build.NOTEBOOKS / "01-welcome.ipynb").read_bytes()
    assert build.main([]) == 2
    assert "01-welcome.md line" in capsys.readouterr().err
    assert (build.NOTEBOOKS / "01-welcome.ipynb").read_bytes() == before


def test_check_sees_a_changed_expectation(
    build: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """Adding or changing an expectation makes --check fail until the notebook is rebuilt."""
    source = build.SOURCES / "01-welcome.md"
    source.write_text(source.read_text() + "\n<!-- expect: something -->\n")
    assert build.main(["--check", "01"]) == 1
    assert "01-welcome.ipynb differs" in capsys.readouterr().out
    assert build.main(["01"]) == 0
    assert build.main(["--check", "01"]) == 0
    rebuilt = nbformat.read(build.NOTEBOOKS / "01-welcome.ipynb", 4)
    last_code = [c for c in rebuilt.cells if c.cell_type == "code"][-1]
    assert last_code.metadata["expect"][-1] == {"contains": "something"}
    assert last_code.outputs == [
        c for c in nbformat.read(NOTEBOOKS / "01-welcome.ipynb", 4).cells if c.cell_type == "code"
    ][-1].outputs
    source.write_text(source.read_text().replace("expect: something", "expect: other"))
    assert build.main(["--check", "01"]) == 1


@pytest.mark.notebooks
def test_execute_names_the_claims_its_fresh_outputs_miss(
    build: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """Recording a chapter whose prose states a result its output lacks says so, and exits 1."""
    source = build.SOURCES / "01-welcome.md"
    source.write_text(source.read_text() + "\nAll 999 people agree.\n<!-- expect: 999 people -->\n")
    assert build.main(["--execute", "01"]) == 1
    out = capsys.readouterr().out
    assert "✓ 01-welcome" in out  # the chapter itself ran
    assert "01-welcome: cell " in out and "to contain '999 people'" in out


def test_rebuild_without_a_run_keeps_what_the_last_run_recorded(build: ModuleType) -> None:
    """Without --execute, a rebuild keeps the outputs, the kernel's language_info and the
    widgets' saved state of the committed notebook."""
    path = build.NOTEBOOKS / "01-welcome.ipynb"
    old = nbformat.read(path, 4)
    old.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    old.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(old, path)
    assert build.main(["01"]) == 0
    rebuilt = nbformat.read(path, 4)
    assert rebuilt.metadata["language_info"] == {"name": "python", "version": "3.11.7"}
    assert rebuilt.metadata["widgets"] == old.metadata["widgets"]
    assert [c.get("outputs") for c in rebuilt.cells] == [c.get("outputs") for c in old.cells]
