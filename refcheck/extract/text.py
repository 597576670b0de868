"""Plain-text articles: the file is the prose; notes are found in it by
:mod:`refcheck.extract.notes`."""

from __future__ import annotations

from refcheck.extract.source import ParsedSource


def parse_text(source: str) -> ParsedSource:
    if source.startswith("\ufeff"):
        source = source[1:]
    return ParsedSource(format="text", text=source)
