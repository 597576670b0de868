"""Files in a folder that other people can write to: a shared report folder, a
shared cache folder.

Anyone who can write in such a folder can put a symbolic link (or a named pipe,
or a hard link) where refcheck expects one of its files. Opening that name the
ordinary way would read or write the link's target -- any file of the person
running refcheck. Here:

* every file is opened with ``O_NOFOLLOW`` (a symbolic link is refused with
  ``ELOOP``, never followed) and ``O_NONBLOCK`` (a named pipe cannot block the
  run), then checked to be a regular file (and, where asked, one with no other
  hard link);
* a file is (re)written by writing a new file under a random name in the same
  folder (``O_CREAT | O_EXCL | O_NOFOLLOW``) and renaming it over the old name:
  a rename replaces whatever entry had that name -- a planted link included --
  and never writes through it;
* a damaged or planted entry is set aside by renaming it within its folder:
  nothing is copied, so no content reaches a place where others could read it.

What is refused raises :class:`Refused` (an ``OSError``) whose message names the
path. The folder itself -- ``--report-dir``, ``--cache-dir`` and their parents --
is the operator's choice and is used as given, symbolic link or not.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Refused(OSError):
    """A path in a shared folder that refcheck will not open: not what it made."""

    def __init__(self, path: Path | str, why: str) -> None:
        super().__init__(f"{path} {why} (not made by refcheck): refused")
        self.path = Path(path)
        self.why = why


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def planted(path: Path, single_link: bool = False) -> str | None:
    """Why the entry at ``path`` (not followed) is not a file refcheck would have
    made -- "is a symbolic link", "is a named pipe"… -- or None (a regular file, or nothing)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"is {_kind(info.st_mode)}"
    if single_link and info.st_nlink > 1:
        return f"has {info.st_nlink - 1} other hard link(s)"
    return None


def open_file(path: Path, flags: int, mode: int = 0o644, single_link: bool = False) -> int:
    """``os.open`` that never follows a symbolic link and opens only a regular file
    (with no other hard link, if ``single_link``). Raises :class:`Refused`."""
    try:
        descriptor = os.open(path, flags | _NOFOLLOW | _CLOEXEC | _NONBLOCK, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused(path, "is a symbolic link") from None
        if exc.errno in (errno.ENXIO, errno.EISDIR, errno.EOPNOTSUPP):  # a socket, a folder…
            raise Refused(path, planted(path) or "is not a regular file") from None
        raise
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(path, f"is {_kind(info.st_mode)}")
        if single_link and info.st_nlink > 1:
            raise Refused(path, f"has {info.st_nlink - 1} other hard link(s)")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_bytes(path: Path, single_link: bool = False) -> bytes:
    """The contents of the regular file at ``path`` (never through a symbolic link)."""
    descriptor = open_file(path, os.O_RDONLY, single_link=single_link)
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


@contextlib.contextmanager
def replacing(path: Path, mode: int = 0o644) -> Iterator[IO[bytes]]:
    """A new file that takes the name ``path`` when the block ends without an
    error (written under a random name in the same folder, then renamed over
    ``path``: whatever had that name -- a planted symbolic link too -- is replaced,
    never written through). On an error the new file is removed."""
    folder, name = path.parent, path.name
    for _ in range(100):
        temporary = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 random names taken
        raise Refused(path, "cannot be written: every temporary name is taken")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_file(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` by write-then-rename (see :func:`replacing`)."""
    with replacing(path, mode) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def set_aside(path: Path, label: str) -> Path:
    """Rename the entry at ``path`` (whatever it is; not followed) to
    ``<name>.<label>-<time>-<pid>`` in its folder and return the new path. Nothing is copied."""
    aside = path.with_name(f"{path.name}.{label}-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}")
    os.rename(path, aside)
    return aside
