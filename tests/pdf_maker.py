"""Test PDFs made on the spot with reportlab (BSD; a test/dev dependency only):
lines of text on pages, spans that carry a link annotation or stand raised as a
superscript, metadata, encryption, and the hostile shapes (thousands of pages,
thousands of annotations on one page). Bytes are the same on every run
(reportlab's invariant mode and a fixed creation date)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

TOP = 800.0
LEFT = 72.0
LEADING = 14.0
FONT = "Helvetica"
SIZE = 10.0
UNICODE_FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
"""A font with Arabic and Hebrew glyphs (Debian's fonts-dejavu-core), for the right-to-left tests."""


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of one line: with a link annotation over it (``url``), or raised
    and smaller (``rise``: a superscript note marker)."""

    text: str
    url: str | None = None
    rise: float = 0.0
    size: float | None = None


Line = str | Sequence[str | Span]
"""One line of text: a string, or spans drawn one after the other."""


def make_pdf(
    pages: Sequence[Sequence[Line]],
    *,
    title: str | None = None,
    author: str | None = None,
    created: str = "D:20180828100000Z",
    user_password: str | None = None,
    owner_password: str | None = None,
    unicode_font: bool = False,
    extra_links: Sequence[tuple[int, str]] = (),
) -> bytes:
    """A PDF of ``pages``, each a list of lines drawn from the top down.
    ``created``: the Info dictionary's CreationDate (PDF date syntax).
    ``extra_links``: (page index, URL) link annotations laid over the page's corner
    (the hostile page with thousands of annotations)."""
    buffer = io.BytesIO()
    encrypt = None
    if user_password is not None or owner_password is not None:
        encrypt = StandardEncryption(user_password or "", owner_password or user_password or "", strength=128)
    canvas = Canvas(buffer, pagesize=A4, invariant=1, encrypt=encrypt, pageCompression=0)
    canvas.setDateFormatter(lambda *_: created)
    if title is not None:
        canvas.setTitle(title)
    if author is not None:
        canvas.setAuthor(author)
    font = _unicode_font() if unicode_font else FONT
    by_page: dict[int, list[str]] = {}
    for index, url in extra_links:
        by_page.setdefault(index, []).append(url)
    for index, page in enumerate(pages):
        y = TOP
        for line in page:
            _draw_line(canvas, [line] if isinstance(line, str) else list(line), y, font)
            y -= LEADING
        for url in by_page.get(index, []):
            canvas.linkURL(url, (10, 10, 20, 20), relative=0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_line(canvas: Canvas, spans: list[str | Span], y: float, font: str) -> None:
    x = LEFT
    for piece in spans:
        span = Span(piece) if isinstance(piece, str) else piece
        size = span.size or (SIZE * 0.6 if span.rise else SIZE)
        text = canvas.beginText(x, y)
        text.setFont(font, size)
        text.setRise(span.rise)
        text.textOut(span.text)
        canvas.drawText(text)
        width = pdfmetrics.stringWidth(span.text, font, size)
        if span.url is not None:
            canvas.linkURL(span.url, (x, y - 2, x + width, y + size), relative=0)
        x += width


def _unicode_font() -> str:
    name = "DejaVuSans"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(UNICODE_FONT_PATH)))
    return name


def many_pages(count: int, lines: Sequence[str] = ("Page text.",)) -> bytes:
    """A PDF of ``count`` identical pages (the 10,000-page case)."""
    return make_pdf([list(lines)] * count)


def image_only_pdf() -> bytes:
    """A "scanned" PDF: drawings, no text layer."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for _ in range(2):
        for row in range(40):
            canvas.rect(LEFT, TOP - row * LEADING, 400 - row * 5, 8, fill=1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
