"""Extraction: one article file in, one :class:`~refcheck.models.Document` out.

Each format has its own reader (``text``, ``markdown``, ``html`` from decoded
text; ``docx``, ``odt``, ``pdf`` from the file's bytes) producing a
:class:`~refcheck.extract.source.ParsedSource`; :func:`analyze` does the rest
for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from refcheck.collect import BINARY_FORMATS, SkipFile, SourceFile, os_error, read_bytes, read_text
from refcheck.extract.analyze import ExtractContext, analyze
from refcheck.extract.html import parse_html
from refcheck.extract.markdown import parse_markdown
from refcheck.extract.outlets import OutletIndex
from refcheck.extract.source import ParsedSource
from refcheck.extract.text import parse_text
from refcheck.models import Document

__all__ = [
    "ExtractContext", "OutletIndex", "extract_bytes", "extract_file", "extract_source", "extract_text", "os_error",
]  # fmt: skip

READERS: dict[str, Callable[[str], ParsedSource]] = {
    "text": parse_text,
    "markdown": parse_markdown,
    "html": parse_html,
}

BINARY_READERS: dict[str, str] = {
    "docx": "refcheck.extract.docx:parse_docx",
    "odt": "refcheck.extract.odt:parse_odt",
    "pdf": "refcheck.extract.pdf:parse_pdf",
}
"""Readers of the formats read from bytes, imported when first needed: a corpus
without a PDF never pays for loading the PDF library."""


def binary_reader(article_format: str) -> Callable[[bytes], ParsedSource]:
    module, name = BINARY_READERS[article_format].split(":")
    reader: Callable[[bytes], ParsedSource] = getattr(import_module(module), name)
    return reader


def extract_bytes(data: bytes, source: SourceFile, context: ExtractContext) -> Document:
    """Extract one article of a binary format (Word, OpenDocument, PDF) from its
    bytes. Never raises for a bad file: the Document says what went wrong. The
    readers turn the damage they know into :class:`SkipFile`; whatever else a
    third-party parser raises on a hostile file ends this one file, not the run."""
    try:
        parsed = binary_reader(source.format)(data)
        # A document's relative links lead nowhere on this disk: no folder.
        return analyze(parsed, source.name, context, None)
    except SkipFile as reason:
        return Document(path=source.name, format=source.format, skipped=str(reason))
    except Exception as exc:  # (RecursionError and MemoryError included)
        return Document(path=source.name, format=source.format, error=extraction_error(exc))


def extract_text(
    text: str, article_format: str, path: str, context: ExtractContext, folder: Path | None = None
) -> Document:
    """Extract an article already in memory (``article_format``: text, markdown, html).
    ``folder``: where its relative links lead (the folder of its file); without one,
    relative links are neither listed nor checked (no ``missing-file``)."""
    return analyze(READERS[article_format](text), path, context, folder)


def extract_source(text: str, source: SourceFile, context: ExtractContext) -> Document:
    """Extract one article file's decoded text (``collect`` reads and decodes it).
    Never raises for a bad file: the Document says what went wrong (``error``)."""
    try:
        return extract_text(text, source.format, source.name, context, source.path.parent)
    except Exception as exc:  # (RecursionError and MemoryError included)
        return Document(path=source.name, format=source.format, error=extraction_error(exc))


def extraction_error(exc: Exception) -> str:
    """One line saying why a file's extraction failed."""
    if isinstance(exc, RecursionError):
        return "structure too deeply nested to read"
    if isinstance(exc, MemoryError):
        return "could not extract: out of memory"
    detail = " ".join(str(exc).split())
    detail = detail if len(detail) <= 200 else detail[:199] + "…"
    return (
        f"could not extract: {type(exc).__name__}: {detail}" if detail else f"could not extract: {type(exc).__name__}"
    )


def extract_file(source: SourceFile, context: ExtractContext, max_bytes: int) -> Document:
    """Read (through ``collect``) and extract one file; a file that cannot be read
    gives a Document that says why (``skipped`` or ``error``)."""
    try:
        if source.format in BINARY_FORMATS:
            return extract_bytes(read_bytes(source.path, max_bytes), source, context)
        text, encoding = read_text(source.path, max_bytes)
    except SkipFile as reason:
        return Document(path=source.name, format=source.format, skipped=str(reason))
    except OSError as exc:
        return Document(path=source.name, format=source.format, error=os_error(exc))
    document = extract_source(text, source, context)
    document.encoding = encoding
    return document
