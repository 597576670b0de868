"""Finding the articles of a corpus and reading each one as text.

Folders are walked recursively in a stable (sorted) order; hidden folders and
files are not entered, symbolic links to folders are not followed (no loops).
Encodings: BOMs first (UTF-8, UTF-16, UTF-32), then strict UTF-8, then
charset-normalizer's best guess (cp1252, latin-1, …). A file with NUL bytes or
no plausible text encoding is binary and skipped; so is one over the size limit,
which is never loaded.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from charset_normalizer import from_bytes

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class InputError(Exception):
    """A problem with what the user asked for (missing path…): one line, exit 2."""


class SkipFile(Exception):
    """The file is not read (binary, too large); the message says why."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    name: str
    """The path as shown in results: as the user wrote it, joined with the part below it."""
    format: str


@dataclass(frozen=True, slots=True)
class Skipped:
    name: str
    reason: str


def collect(paths: Iterable[Path], exclude: Iterable[str] = ()) -> Iterator[SourceFile | Skipped]:
    """Every article under ``paths``, and every other file as :class:`Skipped`."""
    patterns = list(exclude)
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise InputError(f"{root}: no such file or folder")
        if root.is_dir():
            yield from _walk(root, patterns)
        else:
            yield _classify(root, _display(root), patterns)


def _walk(root: Path, patterns: list[str]) -> Iterator[SourceFile | Skipped]:
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            yield _classify(path, _display(path), patterns)


def _classify(path: Path, name: str, patterns: list[str]) -> SourceFile | Skipped:
    if any(fnmatch(name, p) or fnmatch(path.name, p) for p in patterns):
        return Skipped(name, "excluded by settings")
    article_format = FORMATS.get(path.suffix.lower())
    if article_format is None:
        return Skipped(name, f"not an article ({path.suffix or 'no extension'})")
    return SourceFile(path, name, article_format)


def _display(path: Path) -> str:
    return path.as_posix()


def read_text(path: Path, max_bytes: int) -> tuple[str, str]:
    """Return ``(text, encoding)`` with newlines made ``\\n``; raise :class:`SkipFile` or ``OSError``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise SkipFile(f"larger than the size limit ({_megabytes(size)} > {_megabytes(max_bytes)})")
    with path.open("rb") as handle:
        # read(n) allocates n bytes first: ask for the size stat() gave, and more
        # only if the file grew meanwhile.
        data = handle.read(size + 1)
        if len(data) > size:
            data += handle.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:  # it grew after stat()
        raise SkipFile(f"larger than the size limit ({_megabytes(max_bytes)})")
    text, encoding = decode(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise SkipFile(f"not valid {encoding} despite its byte-order mark") from None
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000]).best()
    guess = best.encoding if best is not None else None
    if guess is not None and guess.startswith(("utf_16", "utf_32")):
        guess = None  # without a BOM and without NUL bytes this cannot be UTF-16/32
    western = _decodes(data, "cp1252")
    if western is not None and (guess is None or _latin_script(data, guess)):
        # Latin-script text in a legacy single-byte encoding is by far most often
        # cp1252 (a superset of latin-1's printable range); detectors often answer
        # cp1250/cp1257 for short Western samples, turning "à" into "ą".
        return western, "cp1252"
    if guess is None:
        raise SkipFile("binary file (no text encoding fits)")
    try:
        return data.decode(guess), guess
    except (UnicodeDecodeError, LookupError):
        # The guess fitted the sample only: keep what decodes, mark the rest.
        return data.decode(guess, errors="replace"), guess


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    # C1 control characters never occur in real cp1252 text.
    if any("\x80" <= ch <= "\x9f" for ch in text):
        return None
    return text


def _latin_script(data: bytes, encoding: str) -> bool:
    """True when the guessed decoding's letters beyond ASCII are Latin letters."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return True
    return all(ord(ch) <= 0x24F for ch in text if ord(ch) > 0x7F and ch.isalpha())


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
