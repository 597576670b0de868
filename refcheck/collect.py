"""Finding the articles of a corpus and reading each one as text.

Folders are walked recursively in a stable (sorted) order; hidden folders and
files are not entered, symbolic links to folders are not followed (no loops).
A file reached through a symbolic link that leads out of the corpus folder (the
folder given, or for a file given by name its own folder) is not read but listed
as skipped, unless ``--follow-symlinks``: a link committed to a corpus
(``notes.txt -> ~/.ssh/config``) would otherwise put a private file of the person
running refcheck -- and the addresses in it -- into the reports and onto the network.
Encodings: BOMs first (UTF-8, UTF-16, UTF-32), then strict UTF-8, then
charset-normalizer's best guess (cp1252, latin-1, …). A file with NUL bytes or
no plausible text encoding is binary and skipped; so is one over the size limit,
which is never loaded.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from charset_normalizer import from_bytes

from refcheck.errors import InputError, SkipFile

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".odt": "odt",
    ".pdf": "pdf",
}

BINARY_FORMATS = frozenset({"docx", "odt", "pdf"})
"""Formats read from their bytes by a reader of their own (never decoded as text)."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Defined with every other exception; named here, where they are raised.
__all__ = [
    "BINARY_FORMATS", "FORMATS", "UNSUPPORTED", "InputError", "SkipFile", "Skipped", "SourceFile", "collect", "decode", "read_text",
]  # fmt: skip


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


OUTSIDE = "excluded: symbolic link leading out of the corpus folder (--follow-symlinks reads it)"
UNSUPPORTED = "not a supported article format (.txt, .md, .html, .docx, .odt, .pdf)"
"""Why a file named on the command line is not read (a file found in a folder is only "not an article")."""
SETTINGS_NAMES = frozenset({"refcheck.toml"})
"""refcheck's own settings file: never an article, never listed as a skipped one."""


def collect(
    paths: Iterable[Path],
    exclude: Iterable[str] = (),
    follow_symlinks: bool = False,
    settings_file: Path | None = None,
) -> Iterator[SourceFile | Skipped]:
    """Every article under ``paths``, and every other file as :class:`Skipped`
    (but for the settings file of the run and any ``refcheck.toml``: not articles,
    and not worth a line). ``follow_symlinks``: read files reached through a
    symbolic link that leaves the corpus folder (else they are skipped, see SECURITY.md)."""
    patterns = list(exclude)
    follow = follow_symlinks
    quiet = _settings_matcher(settings_file)
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise InputError(f"{root}: no such file or folder")
        if root.is_dir():
            yield from (item for item in _walk(root, patterns, follow) if not quiet(item))
        else:
            item = _classify(root, _display(root), patterns)
            if isinstance(item, Skipped) and root.suffix.lower() not in FORMATS and item.reason.startswith("not an"):
                item = Skipped(item.name, UNSUPPORTED)  # named by the user: say what is supported
            if isinstance(item, SourceFile) and not follow and _leaves(root, root.parent):
                item = Skipped(item.name, OUTSIDE)
            yield item


def _settings_matcher(settings_file: Path | None) -> Callable[[SourceFile | Skipped], bool]:
    """Whether a file found in a folder is a settings file (by name, or the very file in use)."""
    used = os.path.realpath(settings_file) if settings_file is not None else None

    def is_settings(item: SourceFile | Skipped) -> bool:
        if not isinstance(item, Skipped):
            return False
        name = item.name.rsplit("/", 1)[-1]
        if name in SETTINGS_NAMES:
            return True
        return used is not None and name == os.path.basename(used) and os.path.realpath(item.name) == used

    return is_settings


def _leaves(path: Path, folder: Path) -> bool:
    """``path`` is a symbolic link whose target (links resolved all the way, as
    far as they go) is not inside ``folder`` (also resolved)."""
    if not path.is_symlink():
        return False
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def _walk(root: Path, patterns: list[str], follow: bool = False) -> Iterator[SourceFile | Skipped]:
    """Depth first, files before subfolders, both sorted (the order of a sorted
    ``os.walk``). An explicit stack: ``os.walk`` recurses in Python 3.11 and a
    few thousand nested folders raised RecursionError. A folder that cannot be
    listed is reported, not silently left out."""
    stack = [root]
    while stack:
        folder = stack.pop()
        files: list[str] = []
        links: set[str] = set()
        subfolders: list[str] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if _is_folder(entry):
                        if not entry.is_symlink():  # symbolic links to folders are not followed
                            subfolders.append(entry.name)
                    else:
                        files.append(entry.name)
                        if entry.is_symlink():
                            links.add(entry.name)
        except OSError as exc:
            yield Skipped(_display(folder), f"cannot read folder: {_reason(exc)}")
            continue
        for name in sorted(files):
            path = folder / name
            item = _classify(path, _display(path), patterns)
            if isinstance(item, SourceFile) and name in links and not follow and _leaves(path, root):
                item = Skipped(item.name, OUTSIDE)
            yield item
        stack.extend(folder / name for name in sorted(subfolders, reverse=True))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symbolic link loop, a vanished entry: a file that will not read
        return False


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _classify(path: Path, name: str, patterns: list[str]) -> SourceFile | Skipped:
    if any(fnmatch(name, p) or fnmatch(path.name, p) for p in patterns):
        return Skipped(name, "excluded by settings")
    article_format = FORMATS.get(path.suffix.lower())
    if article_format is None:
        return Skipped(name, f"not an article ({path.suffix or 'no extension'})")
    return SourceFile(path, name, article_format)


# Control characters in a file name would break the one-line-per-file output.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _display(path: Path) -> str:
    name = path.as_posix()
    if name.isprintable():
        return name
    # Bytes that are not valid in the file system's encoding arrive as lone
    # surrogates, which cannot be printed or written as UTF-8: show them escaped.
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = os.fsencode(name).decode("utf-8", "backslashreplace")
    return _CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


def read_text(path: Path, max_bytes: int) -> tuple[str, str]:
    """Return ``(text, encoding)`` with newlines made ``\\n``; raise :class:`SkipFile` or ``OSError``."""
    return text_of(read_bytes(path, max_bytes))


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; raise :class:`SkipFile` (not a regular file, too large, empty) or ``OSError``."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        # A named pipe would block the run forever; a device (/dev/zero) never ends.
        raise SkipFile(f"not a regular file ({_file_kind(info.st_mode)})")
    size = info.st_size
    if size > max_bytes:
        raise SkipFile(f"larger than the size limit ({_megabytes(size)} > {_megabytes(max_bytes)})")
    if size == 0 and stat.S_ISREG(info.st_mode):
        raise SkipFile("empty file")
    with path.open("rb") as handle:
        # read(n) allocates n bytes first: ask for the size stat() gave, and more
        # only if the file grew meanwhile.
        data = handle.read(size + 1)
        if len(data) > size:
            data += handle.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:  # it grew after stat()
        raise SkipFile(f"larger than the size limit ({_megabytes(max_bytes)})")
    if not data:  # it shrank after stat()
        raise SkipFile("empty file")
    return data


def text_of(data: bytes) -> tuple[str, str]:
    """A file's bytes as ``(text, encoding)``, newlines made ``\\n``; raise :class:`SkipFile`."""
    text, encoding = decode(data)
    if text.isspace():
        raise SkipFile("empty file (only white space)")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def os_error(exc: OSError) -> str:
    """Why a file could not be read, in one line (``cannot read: permission denied``)."""
    reason = exc.strerror or type(exc).__name__
    return f"cannot read: {reason.lower()}"


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``. ``encoding`` is a codec name, except for a
    file that is UTF-8 but for a few bytes: ``"utf-8 (N bytes not UTF-8, read as cp1252)"``."""
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
    mixed = _mostly_utf8(data)
    if mixed is not None:
        return mixed
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


# A UTF-8 sequence of two to four bytes (the lead byte's range is enough for a count).
_UTF8_SEQUENCE_RE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ASCII = bytes(range(0x80))


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: a byte that is not UTF-8 is read as cp1252 (U+FFFD
    for the five bytes cp1252 leaves undefined)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="replace"), error.end


codecs.register_error("refcheck-cp1252", _cp1252_fallback)


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """A UTF-8 file with a few stray bytes (a pasted cp1252 quote, a damaged
    byte): decoded as UTF-8 with those bytes read as cp1252, so that one bad byte
    neither turns the whole file into mojibake nor gets it skipped as binary.
    None when the file is not mostly UTF-8 (real cp1252 text has almost no valid
    UTF-8 sequences)."""
    rest, valid = _UTF8_SEQUENCE_RE.subn(b"", data)
    if valid == 0:
        return None
    stray = len(rest.translate(None, _ASCII))  # bytes >= 0x80 outside valid sequences
    if stray > valid:
        return None
    text = data.decode("utf-8", errors="refcheck-cp1252")
    plural = "byte" if stray == 1 else "bytes"
    return text, f"utf-8 ({stray} {plural} not UTF-8, read as cp1252)"


# C1 control characters never occur in real cp1252 text.
_C1_RE = re.compile("[\x80-\x9f]")
_BEYOND_LATIN_RE = re.compile("[^\x00-\u024f]")


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _C1_RE.search(text):
        return None
    return text


def _latin_script(data: bytes, encoding: str) -> bool:
    """True when the guessed decoding's letters beyond ASCII are Latin letters."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return True
    # Regex scans: a loop over every character cost a second per 10 MB.
    return not any(match.group().isalpha() for match in _BEYOND_LATIN_RE.finditer(text))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
