"""Finding URLs in running text, normalising them, and naming their registrable domain.

Finding: a URL starts with a scheme (``https://``), with ``www.``, or is a bare
``domain.tld/path`` whose suffix is a real public suffix. It runs to the first
white space or ``<>"`` and then loses trailing sentence punctuation and closing
brackets or quotes that it does not itself open, so ``(see https://x.org/a).``
gives ``https://x.org/a`` while ``/wiki/Foo_(bar)`` and
``/articles/0,7340,L-5336680,00.html`` stay whole.

Normalisation (for checking and de-duplication; the text as written is kept
beside it): lower-case scheme and host, IDNA (punycode) host, default port
dropped, fragment dropped, empty path made ``/``, characters outside ASCII in
path and query percent-encoded, scheme-less text assumed ``https`` (and marked
so by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

import tldextract

# A URL never contains these; they end it (control characters included).
_URL_BODY = r"[^\s<>\"\u201c\u201d\u00ab\u00bb\u2018\u2019\u3000\x00-\x1f\x7f-\x9f]*"

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"

# Two scans instead of one alternation: a literal-led scan for ``scheme://`` and
# ``www.`` runs at C speed, and bare domains are found from their ``.tld`` and then
# widened back to the host's start (a lookbehind tried at every position costs
# half the throughput).
# The led scan runs over a lower-cased copy of the text: a case-insensitive
# pattern would lose sre's fast prefix search (40 -> 250 MB/s measured).
_LED_RE = re.compile(r"(?:https?://|ftp://|www\d{0,3}\.)" + _URL_BODY)
_TLD_RE = re.compile(r"\.[a-z]{2,24}(?![\w-])")  # literal-led: fast; the host before it is checked after
_BARE_RE = re.compile(rf"(?P<host>(?:{_LABEL}\.)+[a-z]{{2,24}})(?=[/?#:]|[^\w.@-]|\.(?!\w)|$)" + _URL_BODY)
_HOST_END_RE = re.compile(r"[/?#:@]")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
# A URL does not start right after these: it would be inside a word, an e-mail
# address, a path or another URL.
_NOT_BEFORE = frozenset("@/.:%+~-_")

_TRAILING = ".,;:!?'\u2019\u201d\u00bb*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}

# Endings that are real top-level domains but far more often file names in prose
# ("see README.md", "run setup.py"); a bare name ending in one needs a path to count.
_FILE_LIKE_TLDS = frozenset(
    {
        "md",
        "py",
        "rs",
        "sh",
        "pl",
        "so",
        "zip",
        "mov",
        "ps",
        "ml",
        "mk",
        "st",
        "sc",
        "cs",
        "gz",
        "tk",
        "cc",
        "in",
        "is",
        "at",
        "to",
        "do",
        "no",
        "am",
        "it",
        "me",
        "us",
    }
)

_EXTRACTOR = tldextract.TLDExtract(
    # Never fetch the public suffix list: use the snapshot that ships with tldextract.
    suffix_list_urls=(),
    cache_dir=None,
    include_psl_private_domains=True,
)


@dataclass(slots=True)
class FoundURL:
    text: str
    """Exactly as written."""
    start: int
    end: int
    scheme_assumed: bool


def trim_url(candidate: str) -> str:
    """Drop trailing punctuation and closing brackets/quotes the URL does not open."""
    # Linear in the length: brackets are counted once, not again after each
    # character dropped ("https://x.org/a" and 100,000 ")" took minutes).
    end = len(candidate)
    counts: dict[str, int] | None = None
    while end:
        last = candidate[end - 1]
        if last in _TRAILING:
            end -= 1
            continue
        opener = _CLOSERS.get(last)
        if opener is None:
            break
        if counts is None:
            counts = {char: candidate.count(char, 0, end) for char in "()[]{}"}
        if counts[last] <= counts[opener]:
            break
        counts[last] -= 1
        end -= 1
    return candidate[:end]


def lower_same_length(text: str) -> str:
    """``text.lower()``, or an ASCII-only lowering where full Unicode lowering
    would change the length (``İ``), so that offsets stay valid in both."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def find_urls(text: str, lowered: str | None = None) -> Iterator[FoundURL]:
    """Yield every URL written in ``text``, in order of position.

    ``lowered`` is ``lower_same_length(text)`` when the caller already has it.
    """
    led = list(_find_led(text, lowered if lowered is not None else lower_same_length(text)))
    if "." not in text:
        yield from led
        return
    bare = list(_find_bare(text, led))
    if not bare:
        yield from led
        return
    yield from sorted(led + bare, key=lambda found: found.start)


def _starts_clean(text: str, start: int) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before in _NOT_BEFORE)


def _find_led(text: str, lowered: str) -> Iterator[FoundURL]:
    for match in _LED_RE.finditer(lowered):
        start = match.start()
        if not _starts_clean(text, start):
            continue
        raw = trim_url(text[start : match.end()])
        if raw[:1] in "wW":
            host = _HOST_END_RE.split(raw, 1)[0]
            if not registrable_domain(host.lower()):
                continue
            yield FoundURL(raw, start, start + len(raw), scheme_assumed=True)
        else:
            after = raw[raw.index("//") + 2 : raw.index("//") + 3]
            if not (after.isalnum() or after == "["):
                continue  # "https://" with no host
            yield FoundURL(raw, start, start + len(raw), scheme_assumed=False)


def _find_bare(text: str, led: list[FoundURL]) -> Iterator[FoundURL]:
    taken = iter(led)
    current = next(taken, None)
    last_end = -1
    # Every ".tld" inside one run of host characters leads back to the same start,
    # and _BARE_RE.match depends on the start only: a run is tried once, not once
    # per dot ("a.qq.qq.qq…" went cubic).
    run_end = -1
    for match in _TLD_RE.finditer(text):
        position = match.start() - 1
        if position < 0 or text[position] not in _HOST_CHARS or text[position] in ".-":
            continue
        while current is not None and current.end <= position:
            last_end = max(last_end, current.end)
            current = next(taken, None)
        if (current is not None and current.start <= position) or position < last_end:
            continue  # inside a URL already found
        if position < run_end:
            continue  # this run of host characters was tried already
        run_end = _HOST_RUN_RE.match(text, position).end()  # type: ignore[union-attr]  # "*" always matches
        # A host is never longer than _MAX_HOST: a longer run is not walked back
        # over (nor handed to the regex, whose backtracking stack grows with it).
        limit = max(0, position - 2 * _MAX_HOST)
        start = position
        while start > limit and text[start - 1] in _HOST_CHARS:
            start -= 1
        if start == limit and start > 0 and text[start - 1] in _HOST_CHARS:
            continue
        while start < position and not text[start].isalnum():
            start += 1
        if start < last_end or run_end - start > 2 * _MAX_HOST or not _starts_clean(text, start):
            continue
        bare = _BARE_RE.match(text, start)
        if bare is None:
            continue
        host = bare.group("host")
        raw = bare.group(0)
        if current is not None and start + len(raw) > current.start:
            # "example.org,https://x.org/a": the bare name ends where the next URL begins.
            raw = raw[: current.start - start].rstrip("([{")
        raw = trim_url(raw)
        if not _is_bare_domain(host, has_path=len(raw) > len(host)):
            continue
        last_end = start + len(raw)
        yield FoundURL(raw, start, last_end, scheme_assumed=True)


_HOST_RUN_RE = re.compile(r"[a-z0-9.-]*")
# The longest name DNS allows (253 characters, 255 with a final dot and length bytes).
_MAX_HOST = 255


def _is_bare_domain(host: str, *, has_path: bool) -> bool:
    if len(host) > _MAX_HOST:
        return False
    parts = _EXTRACTOR(host)
    if not parts.suffix or not parts.domain:
        return False
    return has_path or "." in parts.suffix or parts.suffix not in _FILE_LIKE_TLDS


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


class InvalidURL(ValueError):
    """The text looks like a URL but cannot be one (bad port, bad host…)."""


# The common case -- http(s), plain ASCII host, no user-info, no port or a
# plain one -- is normalised from one match; everything else goes through
# urlsplit (twice as slow, and most of the per-URL cost of extraction).
_SIMPLE_URL_RE = re.compile(
    r"(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?::(?P<port>\d{1,5}))?(?P<path>/[^?#]*)?(?:\?(?P<query>[^#]*))?(?:#.*)?"
)


def normalize_url(text: str) -> tuple[str, bool]:
    """Return ``(normalised_url, scheme_assumed)`` or raise :class:`InvalidURL`."""
    scheme_assumed = False
    candidate = text.strip()
    if "://" not in candidate[:10]:
        candidate = "https://" + candidate
        scheme_assumed = True
    simple = _SIMPLE_URL_RE.fullmatch(candidate)
    if simple is not None:
        scheme = simple.group("scheme").lower()
        netloc = simple.group("host").lower().rstrip(".")
        port = simple.group("port")
        if port is not None:
            number = int(port)
            if not 0 <= number <= 65535:
                raise InvalidURL(f"{text!r}: port out of range 0-65535")
            if not ((scheme == "http" and number == 80) or (scheme == "https" and number == 443)):
                netloc = f"{netloc}:{number}"
        path = _quoted(simple.group("path") or "", "/%:@!$&'()*+,;=-._~") or "/"
        query = simple.group("query")
        query_part = "?" + _quoted(query, "/%:@!$&'()*+,;=?-._~") if query else ""
        return f"{scheme}://{netloc}{path}{query_part}", scheme_assumed
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{text!r}: {exc}") from None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if not host:
        raise InvalidURL(f"{text!r}: no host")
    host = _idna_host(host)
    netloc = host if ":" not in host else f"[{host}]"
    if parts.username is not None or parts.password is not None:
        userinfo = _quoted(parts.netloc.rpartition("@")[0], ":%!$&'()*+,;=-._~")
        netloc = f"{userinfo}@{netloc}"
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{netloc}:{port}"
    path = _quoted(parts.path, "/%:@!$&'()*+,;=-._~") or "/"
    query = _quoted(parts.query, "/%:@!$&'()*+,;=?-._~")
    return urlunsplit((scheme, netloc, path, query, "")), scheme_assumed


_NEEDS_QUOTING_RE = re.compile(r"[^A-Za-z0-9/%:@!$&'()*+,;=?._~-]")


def _quoted(part: str, safe: str) -> str:
    # quote() walks every character in Python; most parts need nothing done.
    if not _NEEDS_QUOTING_RE.search(part):
        return part
    return quote(part, safe=safe)


# What a host may hold once encoded: RFC 3986 reg-name characters, and ":" of an IPv6 literal.
_VALID_HOST_RE = re.compile(r"[a-z0-9._~!$&'()*+,;=%:-]+")


def _idna_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidURL(f"host {host!r} is not a valid international name") from None
    # A space, a quote or a control character (written in an href, or made by
    # IDNA's NFKC mapping: "0\u00a8" became "xn--0 -vub") is no host at all.
    if not _VALID_HOST_RE.fullmatch(host):
        raise InvalidURL(f"host {host!r} holds characters a host name cannot")
    return host


def registrable_domain(host: str | None) -> str | None:
    """``armedservices.house.gov`` -> ``house.gov``; private suffixes count
    (``foo.github.io`` stays ``foo.github.io``); IP addresses, bare names and
    names longer than DNS allows -> None."""
    if not host or len(host) > _MAX_HOST:
        return None  # and a 100 KB host never becomes a key of the cache below
    return _registrable_domain(host)


@lru_cache(maxsize=65536)
def _registrable_domain(host: str) -> str | None:
    domain = _EXTRACTOR(host.lower().rstrip(".")).top_domain_under_public_suffix
    return domain or None


registrable_domain.cache_clear = _registrable_domain.cache_clear  # type: ignore[attr-defined]


def domain_of_url(url: str) -> str | None:
    return registrable_domain(_host_of(url))


_NORMAL_HOST_RE = re.compile(r"[a-z]+://(?:[^@/?#]*@)?(?P<host>\[[^\]]*\]|[^:/?#]*)")


def domain_of_normalized(url: str) -> str | None:
    """``domain_of_url`` for the output of :func:`normalize_url` (already lower-case, IDNA)."""
    match = _NORMAL_HOST_RE.match(url)
    if match is None or match.group("host").startswith("["):
        return None
    return registrable_domain(match.group("host"))
