"""Captures in other web archives through a Memento (RFC 7089) aggregator's JSON API --
the wire format and the choice of a capture; the requests are made by
:class:`~refcheck.resolve.archive.Archive` under its politeness and retry rules.

Wire format (docs/archive-wire-formats.md, section 6, with sources):

* ``GET <base>/api/json/<YYYYMMDDhhmmss>/<URI-R>``: the address looked up is appended
  as it is (not percent-encoded as one value: the aggregator takes the rest of the
  request line, query string and all, as the URI-R); its fragment is never sent.
* 200: ``{"original_uri": …, "mementos": {"closest": {"datetime": "2013-01-15T10:09:53Z",
  "uri": ["http://web.archive.org/web/20130115100953/http://www.cnn.com/", …]}, "prev": …,
  "next": …, "first": …, "last": …}, "timegate_uri": …, "timemap_uri": {…}}``. Time
  Travel gives ``uri`` as a *list* (one datetime, several archives); MemGator as a
  string. ``datetime`` is RFC 3339 in UTC (RFC 1123 is read too).
* 404: no memento anywhere.

What the aggregator sends is data from a server: a memento URI is kept only when it is
an http(s) URL without user-info and without spaces or control characters, of a
bounded length; characters that are not URL characters are percent-encoded.
"""

from __future__ import annotations

import email.utils
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from refcheck import defaults

SOURCE = "memento"
"""``ArchiveCopy.source`` of a copy the aggregator found."""
RELATIONS = ("closest", "prev", "next", "first", "last")
"""The navigation relations of a memento description, each one capture time."""
_UNSAFE = frozenset(chr(code) for code in range(0x21)) | {"\x7f"}


class Garbage(ValueError):
    """The aggregator's answer is not a memento description."""


@dataclass(frozen=True, slots=True)
class Memento:
    uri: str
    """The capture in its own archive (``https://arquivo.pt/wayback/2018…/http://…``)."""
    timestamp: str
    """When it was captured: ``YYYYMMDDhhmmss``, UTC."""


def query_url(base: str, timestamp: str, url: str) -> str:
    """The aggregator's address for the memento of ``url`` closest to ``timestamp``."""
    address = url.split("#", 1)[0]
    return f"{base.rstrip('/')}/api/json/{timestamp}/{url_characters(address)}"


def url_characters(address: str) -> str:
    """``address`` with every character that is not a URL character percent-encoded
    (``|``, spaces, quotes, angle brackets, controls; non-ASCII as UTF-8); ``%`` kept."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%~-._")


def parse(body: bytes) -> list[Memento]:
    """The usable captures of a 200 answer (none when every one was refused);
    :class:`Garbage` when the body is not a memento description."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Garbage("the aggregator's answer is not JSON") from None
    mementos = data.get("mementos") if isinstance(data, dict) else None
    if not isinstance(mementos, dict):
        raise Garbage("the aggregator's answer has no mementos")
    found = []
    for relation in RELATIONS:
        entry = mementos.get(relation)
        if not isinstance(entry, dict):
            continue
        timestamp = capture_timestamp(entry.get("datetime"))
        uri = next(iter(usable_uris(entry.get("uri"))), None)
        if timestamp is not None and uri is not None:
            found.append(Memento(uri, timestamp))
    return found


def capture_timestamp(value: object) -> str | None:
    """``2013-01-15T10:09:53Z`` (RFC 3339) or ``Tue, 15 Jan 2013 10:09:53 GMT`` (RFC 1123)
    -> ``20130115100953`` (UTC); None for anything else."""
    if not isinstance(value, str) or not value.isascii() or len(value) > 64:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def usable_uris(value: object) -> list[str]:
    """The memento URIs of one relation that may be shown and followed: http(s), a
    host, no user-info, no spaces or controls, not too long; in the aggregator's order."""
    candidates = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [url_characters(uri) for uri in candidates if isinstance(uri, str) and _usable(uri)]


def _usable(uri: str) -> bool:
    if len(uri) > defaults.MAX_URL_LENGTH or any(character in _UNSAFE for character in uri):
        return False
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 -- raises on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc


def nearest(mementos: list[Memento], target: str) -> Memento | None:
    """The capture nearest ``target`` (``YYYYMMDDhhmmss``) either side; at equal distance
    the one made before it (the page as it stood when it was cited), then the earlier."""
    if not mementos:
        return None
    aim = _moment(target)
    return min(mementos, key=lambda memento: _distance(memento.timestamp, aim))


def distance_days(timestamp: str, target: str) -> float:
    """Days between two ``YYYYMMDDhhmmss`` times (either order)."""
    return abs((_moment(timestamp) - _moment(target)).total_seconds()) / 86_400


def _distance(timestamp: str, aim: datetime) -> tuple[float, bool, str]:
    moment = _moment(timestamp)
    return abs((moment - aim).total_seconds()), moment > aim, timestamp


def _moment(timestamp: str) -> datetime:
    """A 4-14 digit Wayback-style time as a UTC datetime (month/day ``00`` read as ``01``,
    as CDX timestamps sometimes carry them); anything else reads as the year 1."""
    if not (timestamp.isascii() and timestamp.isdigit() and 4 <= len(timestamp) <= 14):
        return datetime(1, 1, 1, tzinfo=UTC)
    digits = timestamp.ljust(14, "0")
    year, month, day = max(1, int(digits[:4])), min(12, max(1, int(digits[4:6]))), max(1, int(digits[6:8]))
    hour, minute, second = min(23, int(digits[8:10])), min(59, int(digits[10:12])), min(59, int(digits[12:14]))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # 31 February and the like
        return datetime(year, month, 1, hour, minute, second, tzinfo=UTC)


def raw_capture_url(uri: str, timestamp: str) -> str:
    """A memento's page as archived, where its archive allows: the Wayback-style
    ``…/<timestamp>/<original>`` becomes ``…/<timestamp>id_/<original>`` (no banner, links
    not rewritten -- pywb and OpenWayback, which most archives run); else the URI itself."""
    marker = f"/{timestamp}/"
    if timestamp.isdigit() and marker in uri:
        base, original = uri.split(marker, 1)
        return f"{base}/{timestamp}id_/{original}"
    return uri
