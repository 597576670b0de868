"""An article's bytes: decoded as the pipeline decodes them, changed, shown as a unified
diff or written back -- byte for byte the same outside the insertions.

The file is decoded with the pipeline's detection (:func:`refcheck.collect.decode`:
BOM, UTF-8, cp1252…) and encoded back with the same codec and the same BOM; line
endings are never touched (each line keeps its own: CRLF stays CRLF, a mixed file
stays mixed). A file whose bytes would not come back identical from that round trip
(UTF-8 with a few stray bytes, a guess that decoded with replacements) is not changed.

Written in place: the original is first copied to ``name.ext.bak`` (``.bak.1``, ``.bak.2``…
when that exists: a backup is never overwritten), then the new bytes are written to a
temporary name in the same folder and renamed over the article (never written through
a symbolic link; the file's permission bits kept).
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from refcheck.collect import decode
from refcheck.errors import SkipFile
from refcheck.safe_files import open_file, read_bytes, replacing

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BYTE_LINE_RE = re.compile(rb"[^\n]*\n|[^\n]+\Z")


class NotChanged(Exception):
    """Why an article is left as it is (one line)."""


@dataclass(frozen=True, slots=True)
class ArticleBytes:
    data: bytes
    bom: bytes
    codec: str
    text: str
    """The decoded text, line endings as in the file."""
    mode: int

    @property
    def line_based(self) -> bool:
        """One byte is one ASCII character for line breaks: a text diff of the bytes makes sense."""
        return not self.codec.startswith(("utf-16", "utf-32"))

    def encode(self, text: str) -> bytes:
        try:
            return self.bom + text.encode(self.codec)
        except UnicodeEncodeError as exc:
            raise NotChanged(f"what would be added cannot be written in {self.codec}: {exc.reason}") from None


def read_article(path: Path) -> ArticleBytes:
    """The article at ``path`` (never through a symbolic link). Raises :class:`NotChanged`."""
    if os.path.islink(path):
        raise NotChanged("is a symbolic link: not written through (fix the file it leads to by its own name)")
    try:
        data = read_bytes(path)
        mode = stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode)
    except OSError as exc:
        raise NotChanged(f"cannot be read: {exc.strerror or exc}") from None
    try:
        _, detected = decode(data)
    except SkipFile as exc:
        raise NotChanged(str(exc)) from None
    bom, codec = _bom_and_codec(data, detected)
    body = data[len(bom) :]
    try:
        text = body.decode(codec)
    except LookupError:  # "utf-8 (2 bytes not UTF-8, read as cp1252)": no one codec writes it back
        raise NotChanged(f"its encoding cannot be written back byte for byte ({detected}): fix it by hand") from None
    except UnicodeDecodeError:
        raise NotChanged(f"cannot be decoded back as {detected}") from None
    if text.encode(codec, errors="replace") != body:
        raise NotChanged(f"its bytes do not survive a round trip through {detected}: fix it by hand")
    return ArticleBytes(data, bom, codec, text, mode)


def _bom_and_codec(data: bytes, detected: str) -> tuple[bytes, str]:
    """The BOM the file starts with and the codec of the rest (``utf-16`` -> ``utf-16-le``…:
    written back in the file's own byte order)."""
    if detected in ("utf-8-sig", "utf-16", "utf-32"):
        for bom, codec in _BOMS:
            if data.startswith(bom) and codec.startswith(detected.removesuffix("-sig")):
                return bom, codec
    return b"", detected


def unified_diff(display: str, old: bytes, new: bytes) -> bytes:
    """A unified diff of two versions of a file, ``a/``/``b/`` paths (``git apply`` and
    ``patch -p1`` take it): the lines as bytes, each with its own line ending."""
    old_lines = _BYTE_LINE_RE.findall(old)
    new_lines = _BYTE_LINE_RE.findall(new)
    name = display.encode("utf-8", "surrogateescape")
    out = []
    diff = difflib.diff_bytes(difflib.unified_diff, old_lines, new_lines, b"a/" + name, b"b/" + name, lineterm=b"")
    for number, line in enumerate(diff):
        if number < 2 or line.startswith(b"@@"):  # the ---/+++ headers and hunk headers
            out.append(line + b"\n")
        elif line.endswith(b"\n"):
            out.append(line)
        else:
            out.append(line + b"\n\\ No newline at end of file\n")
    return b"".join(out)


def backup_name(path: Path) -> Path:
    """``name.ext.bak``, else the first free ``name.ext.bak.N``."""
    candidate = path.with_name(path.name + ".bak")
    number = 0
    while os.path.lexists(candidate):
        number += 1
        candidate = path.with_name(f"{path.name}.bak.{number}")
    return candidate


def write_article(path: Path, article: ArticleBytes, new: bytes) -> Path:
    """Back the article up, then replace it with ``new`` atomically. Returns the backup's
    path. Raises :class:`NotChanged` when the file changed since it was read, or on an
    error (the article is then as it was)."""
    try:
        if read_bytes(path) != article.data:
            raise NotChanged("changed while fix was running: run fix again")
        backup = _write_backup(path, article)
        with replacing(path, article.mode) as handle:
            os.fchmod(handle.fileno(), article.mode)  # the article's own bits, whatever the umask
            handle.write(new)
    except OSError as exc:
        raise NotChanged(f"cannot be written: {exc.strerror or exc}") from None
    return backup


def _write_backup(path: Path, article: ArticleBytes) -> Path:
    for _ in range(100):
        backup = backup_name(path)
        try:
            # O_EXCL: a backup appearing meanwhile (or a planted link) is never written over.
            descriptor = open_file(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, article.mode)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(article.data)
            handle.flush()
            os.fsync(handle.fileno())
        return backup
    raise NotChanged("no free backup name")  # pragma: no cover - 100 names taken meanwhile
