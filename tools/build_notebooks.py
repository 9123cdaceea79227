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

A result the prose states is written next to it as an expectation about the output of the code
cell just above, one per line, anywhere in the Markdown before the next code cell:

    <!-- expect: 16 people -->          the cell's output text contains "16 people"
    <!-- expect-re: ^0 matches$ -->     a regex (re.MULTILINE) search in that output succeeds
    <!-- expect-not: mscott -->         the output does not contain "mscott"

The build moves these lines out of the Markdown into that code cell's ``metadata["expect"]``
(``[{"contains": …} | {"regex": …} | {"absent": …}]``), where the notebook tests evaluate them
(``scim_helper.claims``). A malformed line, or one with no code cell above it, stops the build;
``--execute`` lists the expectations the fresh outputs miss.
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
_OTHER_FENCE = re.compile(r"^\s*```")
# Anything that starts like an expectation must be one, so that a typo cannot hide a claim.
_EXPECT_START = re.compile(r"<!--\s*expect", re.IGNORECASE)
_EXPECT = re.compile(r"^\s*<!--\s*expect(?P<kind>|-re|-not)\s*:\s*(?P<text>.*?)\s*-->\s*$")
_EXPECT_KEYS = {"": "contains", "-re": "regex", "-not": "absent"}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class ChapterSourceError(ValueError):
    """A chapter source that cannot become a notebook; the message names the file and line."""


def expectation(line: str) -> dict[str, str] | None:
    """The expectation an ``<!-- expect…: … -->`` line states; None for any other line.

    Raises ``ValueError`` for a line that starts like an expectation but is not a valid one.
    """
    if not _EXPECT_START.search(line):
        return None
    match = _EXPECT.match(line)
    if not match or not match["text"]:
        raise ValueError(
            "an expectation reads `<!-- expect: TEXT -->`, `<!-- expect-re: REGEX -->`"
            f" or `<!-- expect-not: TEXT -->`, one per line; got {line.strip()!r}"
        )
    if match["kind"] == "-re":
        try:
            re.compile(match["text"], re.MULTILINE)
        except re.error as exc:
            raise ValueError(f"{match['text']!r} is not a valid regular expression: {exc}") from exc
    return {_EXPECT_KEYS[match["kind"]]: match["text"]}


def parse(text: str, slug: str) -> nbformat.NotebookNode:
    """Build a notebook (no outputs) from one chapter source."""
    cells: list[nbformat.NotebookNode] = []
    markdown: list[str] = []
    in_other_fence = False  # inside a ```json (or other non-python) fence of the Markdown

    def flush_markdown() -> None:
        body = "\n".join(markdown).strip("\n")
        if body.strip():
            cells.append(nbformat.v4.new_markdown_cell(body))
        markdown.clear()

    lines = iter(enumerate(text.splitlines(), start=1))
    for number, line in lines:
        fence = None if in_other_fence else _FENCE.match(line)
        expected = None
        if not in_other_fence and not fence:
            try:
                expected = expectation(line)
            except ValueError as exc:
                raise ChapterSourceError(f"{slug}.md line {number}: {exc}") from None
        if expected is not None:
            code_cells = [c for c in cells if c.cell_type == "code"]
            if not code_cells:
                raise ChapterSourceError(
                    f"{slug}.md line {number}: an expectation describes the output of the code"
                    " cell above it, and there is none"
                )
            code_cells[-1].metadata.setdefault("expect", []).append(expected)
        elif fence:
            flush_markdown()
            attrs = dict(a.split("=", 1) for a in fence["attrs"].split())
            code: list[str] = []
            for _number, code_line in lines:
                if code_line.rstrip() == "```":
                    break
                code.append(code_line)
            cell = nbformat.v4.new_code_cell("\n".join(code).strip("\n"))
            if attrs.get("tags"):
                cell.metadata["tags"] = attrs["tags"].split(",")
            cells.append(cell)
        elif line.strip() == "+++" and not in_other_fence:
            flush_markdown()
        else:
            if _OTHER_FENCE.match(line):
                in_other_fence = not in_other_fence
            markdown.append(line)
    flush_markdown()
    for index, cell in enumerate(cells):
        cell.id = f"{slug[:2]}-{index:03d}"  # stable ids keep diffs small
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    return notebook


def same_sources(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    """True when both notebooks have the same cells (type, source, tags, expectations), outputs
    aside."""

    def shape(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str], list[dict]]]:
        return [
            (c.cell_type, c.source, c.metadata.get("tags", []), c.metadata.get("expect", []))
            for c in nb.cells
        ]

    return shape(a) == shape(b)


def merged(
    fresh: nbformat.NotebookNode, old: nbformat.NotebookNode | None
) -> nbformat.NotebookNode:
    """Carry the stored outputs of unchanged code cells over into a freshly parsed notebook,
    with what the last run recorded about the kernel and the widgets' saved state."""
    if old is None:
        return fresh
    stored = {c.source: c for c in old.cells if c.cell_type == "code"}
    for cell in fresh.cells:
        if cell.cell_type == "code" and cell.source in stored:
            cell.outputs = stored[cell.source].outputs
            cell.execution_count = stored[cell.source].execution_count
    for key in _RECORDED_BY_A_RUN:
        if key in old.metadata:
            fresh.metadata[key] = old.metadata[key]
    return fresh


#: Notebook metadata that only an execution writes; a rebuild without one keeps it.
_RECORDED_BY_A_RUN = ("language_info", "widgets")


def sources() -> dict[str, Path]:
    return {path.stem: path for path in sorted(SOURCES.glob("[0-9][0-9]-*.md"))}


def course_version() -> str:
    """The version in ``scim_helper/__init__.py``, read as text: the one source pyproject reads."""
    text = (ROOT / "scim_helper" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, flags=re.MULTILINE)
    if not match:
        raise ChapterSourceError("scim_helper/__init__.py: no __version__ line")
    return match[1]


def build(slug: str) -> nbformat.NotebookNode:
    """The notebook of one chapter; ``{{version}}`` in its source becomes the course's version."""
    text = sources()[slug].read_text(encoding="utf-8").replace("{{version}}", course_version())
    return parse(text, slug)


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
    try:
        built = {slug: build(slug) for slug in slugs}
    except ChapterSourceError as exc:
        print(f"tools/chapters/{exc}", file=sys.stderr)
        return 2

    if args.check:
        stale = [
            slug
            for slug in slugs
            if not (NOTEBOOKS / f"{slug}.ipynb").exists()
            or not same_sources(built[slug], nbformat.read(NOTEBOOKS / f"{slug}.ipynb", 4))
        ]
        for slug in stale:
            print(
                f"{slug}.ipynb differs from tools/chapters/{slug}.md; run tools/build_notebooks.py"
            )
        return 1 if stale else 0

    for slug in slugs:
        path = NOTEBOOKS / f"{slug}.ipynb"
        old = nbformat.read(path, 4) if path.exists() else None
        write(merged(built[slug], old), slug)
    if args.execute:
        from scim_helper import chapters
        from scim_helper.claims import unmet_claims

        results = chapters.run_course(slugs, notebooks=NOTEBOOKS, record=True)
        # Say at once where the recorded outputs contradict the prose (the tests say it too).
        unmet = [
            f"{result.name}: {failure}"
            for result in results
            if result.ok
            for failure in unmet_claims(nbformat.read(NOTEBOOKS / f"{result.name}.ipynb", 4))
        ]
        for line in unmet:
            print(line)
        return 0 if all(r.ok for r in results) and not unmet else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
