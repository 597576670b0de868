"""Credentials in URLs (``https://user:password@host/``) never leave the run.

A corpus may carry a URL with a user name and password in it (pasted from a
browser, an intranet link). refcheck checks such a link with them -- sent only
to that host, never to a host a redirect leads to -- but every report, log line
and cache entry shows ``https://***@host/`` instead.
"""

from __future__ import annotations

import re

MASK = "***"
# The authority's user-info: after "scheme://" (or a scheme-relative "//"), up to
# the LAST "@" before any "/", "?", "#" or space -- parsers split there, so a
# password containing "@" is masked whole; a later "@" is part of the path.
_USERINFO = re.compile(r"(?i)((?:\b[a-z][a-z0-9+.\-]*:)?//)[^/?#\s]*@")
# The same without a scheme, as people paste them ("user:secret@host.example/path",
# "alice:pw@www.example.org:8080/x"): a name, a colon, a password (which may hold
# "@": up to the last one), "@", then a host and a "/" or a port. An e-mail address
# ("someone@example.org") has no colon before its "@" and is left alone, and so is
# "mailto:someone@example.org". Lengths are bounded: no quadratic scan of a long line.
_BARE_USERINFO = re.compile(
    r"(?<![\w.~%!$&*+=\-/:@])(?!mailto:)[\w.~%!$&*+=\-]{1,64}:[^\s/?#]{0,128}@"
    r"(?=(?:\[[0-9a-f:.]+\]|[\w\-]+(?:\.[\w\-]+)*)(?::\d+)?/)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with the user-info of every URL in it replaced by ``***``."""
    if "@" not in text:
        return text
    text = _USERINFO.sub(lambda match: f"{match.group(1)}{MASK}@", text)
    return _BARE_USERINFO.sub(f"{MASK}@", text)


def without_userinfo(url: str) -> str:
    """``url`` with no user-info at all (for asking third parties, e.g. the archive, about it)."""
    if "@" not in url:
        return url
    return _USERINFO.sub(lambda match: match.group(1), url, count=1)
