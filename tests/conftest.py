from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.collect import SourceFile
from refcheck.extract import ExtractContext, OutletIndex, extract_file, extract_text
from refcheck.models import Document

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def invalid_names_fail_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Names under ``.invalid`` (RFC 6761: never resolve) fail at once, in this
    process, without a query to the machine's resolver: the tests that need a
    dead domain send nothing off the machine."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name.lower().rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
def context() -> ExtractContext:
    return ExtractContext(OutletIndex.load())


def extract(text: str, fmt: str = "text", context: ExtractContext | None = None) -> Document:
    return extract_text(
        text,
        fmt,
        "article." + {"text": "txt", "markdown": "md", "html": "html"}[fmt],
        context or ExtractContext(OutletIndex.load()),
    )


def extract_path(path: Path, context: ExtractContext) -> Document:
    from refcheck.collect import FORMATS

    return extract_file(SourceFile(path, path.name, FORMATS[path.suffix.lower()]), context, 20_000_000)


def answer_shape(document: Document) -> dict[str, Any]:
    """A Document in the shape of the answer keys (expected.json)."""
    markers: list[Any] = []
    for label in document.markers:
        if label not in markers:
            markers.append(label)
    footnotes: dict[str, list[str]] = {}
    for note in document.footnotes:
        footnotes.setdefault(str(note.number), [])
    for citation in document.citations:
        if citation.kind == "footnote":
            footnotes[str(citation.footnote)].append(citation.text)
    inline: list[str] = []
    links: list[str] = []
    for citation in document.citations:
        target = inline if citation.kind == "inline" else links if citation.kind == "link" else None
        if target is not None and citation.text not in target:
            target.append(citation.text)
    return {
        "publisher": document.publisher,
        "date": document.date,
        "footnote_markers_in_body": markers,
        "footnotes": footnotes,
        "footnotes_with_an_unlinked_work": sorted(
            {p.footnote for p in document.problems if p.kind == "unlinked-work"}, key=str
        ),
        "inline_urls": inline,
        "links": links,
        "cited_domains": sorted({c.domain for c in document.citations if c.domain}),
        "mentions": [m.name for m in document.mentions],
        "problems": sorted(
            (
                {"kind": p.kind, "footnote": p.footnote, "line": p.line}
                for p in document.problems
                # The keys list footnote problems (their "about"): not unlinked-work, nor
                # the link-target problems added later (broken-anchor, missing-file), whose
                # answers for the sample corpus are in tests/test_real_footnotes.py.
                if p.kind not in ("unlinked-work", "broken-anchor", "missing-file")
            ),
            key=lambda p: (p["line"], p["kind"]),
        ),
        "republished_from": document.republished_from,
        # Compared only for the entries that give them (keys absent from an entry are not compared).
        "language": document.language,
        "footnote_dates": {str(note.number): note.date for note in reversed(document.footnotes)},  # the first wins
    }


def load_key(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))["documents"]
