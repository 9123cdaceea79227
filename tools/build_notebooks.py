#!/usr/bin/env python3
"""Turn the chapter sources in ``tools/chapters/*.md`` into the notebooks learners open.

A source is Markdown. Text becomes Markdown cells (a line holding only ``+++`` starts a new
one); a fence opened with ```` ```python ```` becomes a code cell, and words after it set the
cell's tags, e.g. ```` ```python tags=parameters ````. Other fences (```` ```json ````) stay in
the Markdown. The committed ``.ipynb`` is what learners open; this script keeps it in step with
its source and, with ``--execute``, stores fresh outputs from a run against a new local server.

    python tools/build_notebooks.py            # rebuild sources, keep the stored outputs
    python tools/build_notebooks.py --execute  # rebuild and record outputs (all chapters)
    python tools/build_notebooks.py --execute 03 05  # only chapters 03 and 05
    python tools/build_notebooks.py --check    # exit 1 if a notebook differs from its source
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "chapters"
NOTEBOOKS = ROOT / "notebooks"

_FENCE = re.compile(r"^```python(?P<attrs>(\s+\w+=\S+)*)\s*$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def parse(text: str, slug: str) -> nbformat.NotebookNode:
    """Build a notebook (no outputs) from one chapter source."""
    cells: list[nbformat.NotebookNode] = []
    markdown: list[str] = []

    def flush_markdown() -> None:
        body = "\n".join(markdown).strip("\n")
        if body.strip():
            cells.append(nbformat.v4.new_markdown_cell(body))
        markdown.clear()

    lines = iter(text.splitlines())
    for line in lines:
        fence = _FENCE.match(line)
        if fence:
            flush_markdown()
            attrs = dict(a.split("=", 1) for a in fence["attrs"].split())
            code: list[str] = []
            for code_line in lines:
                if code_line.rstrip() == "```":
                    break
                code.append(code_line)
            cell = nbformat.v4.new_code_cell("\n".join(code).strip("\n"))
            if attrs.get("tags"):
                cell.metadata["tags"] = attrs["tags"].split(",")
            cells.append(cell)
        elif line.strip() == "+++":
            flush_markdown()
        else:
            markdown.append(line)
    flush_markdown()
    for number, cell in enumerate(cells):
        cell.id = f"{slug[:2]}-{number:03d}"  # stable ids keep diffs small
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    return notebook


def same_sources(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    """True when both notebooks have the same cells (type, source, tags), outputs aside."""

    def shape(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]

    return shape(a) == shape(b)


def merged(
    fresh: nbformat.NotebookNode, old: nbformat.NotebookNode | None
) -> nbformat.NotebookNode:
    """Carry the stored outputs of unchanged code cells over into a freshly parsed notebook."""
    if old is None:
        return fresh
    stored = {c.source: c for c in old.cells if c.cell_type == "code"}
    for cell in fresh.cells:
        if cell.cell_type == "code" and cell.source in stored:
            cell.outputs = stored[cell.source].outputs
            cell.execution_count = stored[cell.source].execution_count
    return fresh


def sources() -> dict[str, Path]:
    return {path.stem: path for path in sorted(SOURCES.glob("[0-9][0-9]-*.md"))}


def build(slug: str) -> nbformat.NotebookNode:
    return parse(sources()[slug].read_text(encoding="utf-8"), slug)


def write(notebook: nbformat.NotebookNode, slug: str) -> None:
    nbformat.validate(notebook)
    nbformat.write(notebook, NOTEBOOKS / f"{slug}.ipynb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter name prefixes (default: all)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--execute", action="store_true", help="record fresh outputs")
    mode.add_argument("--check", action="store_true", help="only compare, change nothing")
    args = parser.parse_args(argv)
    # No prefix means every chapter (str.startswith(()) would match none).
    slugs = [s for s in sources() if not args.chapters or s.startswith(tuple(args.chapters))]

    if args.check:
        stale = [
            slug
            for slug in slugs
            if not (NOTEBOOKS / f"{slug}.ipynb").exists()
            or not same_sources(build(slug), nbformat.read(NOTEBOOKS / f"{slug}.ipynb", 4))
        ]
        for slug in stale:
            print(
                f"{slug}.ipynb differs from tools/chapters/{slug}.md; run tools/build_notebooks.py"
            )
        return 1 if stale else 0

    for slug in slugs:
        path = NOTEBOOKS / f"{slug}.ipynb"
        old = nbformat.read(path, 4) if path.exists() else None
        write(merged(build(slug), old), slug)
    if args.execute:
        from scim_helper import chapters

        results = chapters.run_course(slugs, notebooks=NOTEBOOKS, record=True)
        return 0 if all(r.ok for r in results) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
