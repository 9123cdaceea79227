#!/usr/bin/env python3
"""List chapter sentences that share a run of six words with a transcript: copied phrasing.

The course's narrative is written in its own words. Give this the text of the tutorial the course
grew from (or any other text it must not copy); it compares every sentence of the chapter
sources' prose, and every comment in their code, as lower-case word 6-grams, and prints each
overlap. Fenced JSON and text blocks are skipped: protocol messages are meant to match the RFC.

    python tools/story_overlap.py path/to/transcript.txt        # exit 1 when anything overlaps
    python tools/story_overlap.py transcript.txt --words 8      # only longer runs
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

SOURCES = Path(__file__).resolve().parent / "chapters"
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n\s*[-*|>]\s*|\n\s*\n")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def grams(text: str, n: int) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + n]) for i in range(len(found) - n + 1)}


def sentences(source: str) -> Iterator[tuple[int, str]]:
    """(line number, sentence) of a chapter source: prose, and comments in ```python fences."""
    prose: list[tuple[int, str]] = []
    fence = ""
    for number, line in enumerate(source.splitlines(), 1):
        if line.startswith("```"):
            fence = "" if fence else (line[3:].split() or ["text"])[0]
            continue
        if not fence:
            prose.append((number, line))
        elif fence == "python" and "#" in line:
            yield number, line.split("#", 1)[1]
    paragraph: list[tuple[int, str]] = []
    for number, line in [*prose, (0, "")]:
        if line.strip():
            paragraph.append((number, line))
            continue
        if paragraph:
            text = "\n".join(text for _, text in paragraph)
            for sentence in _SENTENCE.split(text):
                yield paragraph[0][0], sentence
        paragraph = []


def overlaps(transcript: str, n: int = 6) -> Iterator[tuple[str, int, str, list[str]]]:
    """(chapter, line, sentence, shared runs) for every sentence sharing ``n`` words in a row."""
    seen = grams(transcript, n)
    for path in sorted(SOURCES.glob("[0-9][0-9]-*.md")):
        for number, sentence in sentences(path.read_text(encoding="utf-8")):
            shared = grams(sentence, n) & seen
            if shared:
                yield path.name, number, sentence.strip(), sorted(" ".join(g) for g in shared)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("transcript", type=Path)
    parser.add_argument("--words", type=int, default=6, help="run length that counts (default 6)")
    args = parser.parse_args(argv)
    found = list(overlaps(args.transcript.read_text(encoding="utf-8"), args.words))
    for name, number, sentence, shared in found:
        print(f"{name}:{number}: {sentence[:120]!r}\n    shares: {'; '.join(shared[:3])}")
    print(f"{len(found)} sentences share {args.words} words in a row with {args.transcript.name}.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
