"""Every exception refcheck raises, in one tree.

``RefcheckError`` is the root. Two branches reach the user:

* :class:`UserError` -- something the user can fix (a missing path, a bad
  setting): the command line prints its message on one line and exits 2.
* :class:`CheckFailure` -- why one link check ended without an HTTP answer to
  judge (a refused address, a name that does not resolve, a connection reset…).
  These never leave the resolver: ``resolve.check`` turns each into a verdict
  through one table (``FAILURE_STATUS`` there), so every class here says what
  it means for the link once.

The others are internal signals with a name of their own (a file that is not
read, a cache entry refused, the archive out of reach); none of them ends a run.
"""

from __future__ import annotations


class RefcheckError(Exception):
    """The root of every exception refcheck raises on purpose."""


# ----------------------------------------------------------------- the user's


class UserError(RefcheckError):
    """A problem the user can fix: one line, exit status 2."""


class InputError(UserError):
    """What the user asked for cannot be read (missing path, no article, unusable cache folder)."""


class SettingsError(UserError):
    """Invalid settings (file or option)."""


# ----------------------------------------------------------------- reading


class SkipFile(RefcheckError):
    """The file is not read (binary, too large); the message says why."""


class InvalidURL(RefcheckError, ValueError):
    """The text looks like a URL but cannot be one (bad port, bad host…)."""


class UnsafeCacheEntry(RefcheckError):
    """A cache entry that is not plain JSON text (a pickle): refused."""


# ----------------------------------------------------------------- checking


class CheckFailure(RefcheckError):
    """A link check that ended without an HTTP answer to judge.

    ``reached``: a server was connected to (it then reset, stalled, or sent
    garbage) -- evidence that the network itself works. ``retry``: another
    attempt could end otherwise."""

    reached: bool = False
    retry: bool = False

    def __init__(self, reason: str, *, reached: bool | None = None, retry: bool | None = None) -> None:
        super().__init__(reason)
        if reached is not None:
            self.reached = reached
        if retry is not None:
            self.retry = retry


class Refused(CheckFailure):
    """The address may not be contacted (a private address, a local name): ``skipped``."""


class NameNotResolved(CheckFailure):
    """DNS says the name has no address: ``dead``."""


class BadAddress(CheckFailure):
    """The address cannot be requested at all (bad IDNA label, bad port): ``invalid``."""


class ConnectFailed(CheckFailure):
    """No connection (refused, unreachable, DNS temporarily failing): ``error``, retried."""

    retry = True


class ConnectTimeout(CheckFailure):
    """No connection in time: ``timeout``, retried."""

    retry = True


class TLSFailure(CheckFailure):
    """The TLS handshake failed: ``error``. A certificate that does not verify is
    not retried (the same certificate would come back)."""

    retry = True


class ReadTimeout(CheckFailure):
    """Connected, then the server stopped answering: ``timeout``, retried."""

    reached = True
    retry = True


class BrokenResponse(CheckFailure):
    """Connected, then the connection broke or the answer was garbled: ``error``, retried."""

    reached = True
    retry = True


class LinkTimeLimit(CheckFailure):
    """The link as a whole (retries, redirects, a dripping body) took longer than its cap: ``timeout``."""

    reached = True


# ----------------------------------------------------------------- the archive


class ArchiveError(RefcheckError):
    """The Internet Archive could not give an answer this time (``available: null``)."""


class ArchiveUnreachable(ArchiveError):
    """No HTTP answer from the archive before it ever answered: lookups stop for this run."""


class ArchiveUndetermined(ArchiveError):
    """The archive answered, but not usefully (persistent 429, broken reply)."""
