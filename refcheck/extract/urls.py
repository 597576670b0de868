"""Finding URLs in running text, normalising them, and naming their registrable domain.

Finding follows what a reader of the text would click.

* A URL starts with a scheme (``https://``, also glued to the word before it:
  ``see:https://…``, ``1.http://…``, ``|url=https://…``; not where it is part
  of another URL, ``…/2019/https://…``, ``?u=https://…``), with ``www.``
  (also ``URL:www.…``), with ``//`` (protocol-relative, after a space,
  a quote or a bracket, when the host has a real public suffix), or is a bare
  ``domain.tld/path`` whose suffix is a real public suffix (matched whatever the
  case, international names included: ``EXAMPLE.COM``, ``президент.рф``).
* It runs to the first white space, ``<>`` or backtick, curly quote, bidi
  control or zero-width space, full-width or CJK bracket or punctuation
  (``（）「」【】。、，｜``) or box-drawing line. Then it ends early at a
  bracket it did not open (``(http://a.com/x)(http://b.com/y)`` is two URLs,
  ``asd(example.net/x)asd`` gives ``example.net/x``), at the quote that
  closes one written right before it (``{"u":"http://x.org/a","v":1}``), at
  a quote in the host (``yahoo.com's``), and loses trailing sentence punctuation,
  backslashes, and closing quotes it does not balance itself. So
  ``/wiki/Foo_(bar)``, ``/articles/0,7340,L-5336680,00.html``,
  ``/it's`` and ``/"a"`` stay whole.
* A bare name that reads as code is not a domain (see ``_reads_as_code``).

Normalisation (for checking and de-duplication; the text as written is kept
beside it): lower-case scheme and host, IDNA (punycode) host, default port
dropped, fragment dropped, empty path made ``/``, characters outside ASCII in
path and query percent-encoded, scheme-less text (``www.``, bare names,
``//host``) assumed ``https`` (and marked so by the caller).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

import tldextract

from refcheck.errors import InvalidURL

# A URL never contains these; they end it. White space and control characters;
# <> and the backtick; curly and low quotes and guillemets; bidi controls, the
# Arabic letter mark and zero-width spaces (not ZWJ/ZWNJ, which join emoji and
# Persian words); box drawing; CJK and full-width brackets and punctuation.
_DELIMITERS = (
    r"\s<>`\x00-\x1f\x7f-\x9f"
    r"\u00ab\u00bb\u2018\u2019\u201a\u201c\u201d\u201e\u2039\u203a"
    r"\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    r"\u2500-\u257f"
    r"\u3000-\u3002\u3008-\u3011\u3014-\u301b\u301d-\u301f"
    r"\uff01\uff02\uff07-\uff09\uff0c\uff1a-\uff1c\uff1e\uff1f\uff3b\uff3d\uff5b-\uff5d\uff5f-\uff64"
)
_DELIMITER_RE = re.compile(f"[{_DELIMITERS}]")
_ASCII_BODY_RE = re.compile(r"[!-;=?-_a-~]*")  # ASCII but white space, controls, DEL and <>`

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"

# Two scans: ``scheme://``, ``//`` and ``www.`` are found with literal searches
# (``str.find``, see _Leads), and bare domains from their ``.tld``, then widened
# back to the host's start (a lookbehind tried at every position costs half the
# throughput). Both run over a lower-cased copy of the text: a case-insensitive
# pattern would lose sre's fast prefix search (40 -> 250 MB/s measured). Where a
# URL's body ends is one more search, for the first delimiter, remembered while
# scanning inside it (a URL cut short by a bracket is followed by another start
# in the same run of characters).
# ".tld" (ASCII or punycode) not followed by more of a word, or a dot before a
# character outside ASCII (an international top-level domain, checked after).
_TLD_RE = re.compile(r"\.(?:[a-z]{2,24}(?![a-z0-9_-])|xn--[a-z0-9-]{1,59}|(?=[^\x00-\x7f]))")
_BARE_HOST_RE = re.compile(rf"(?:{_LABEL}\.)+(?:[a-z]{{2,24}}|xn--[a-z0-9-]{{1,59}})(?![a-z0-9_@+-]|\.[a-z0-9])")
_HOST_END_RE = re.compile(r"[/?#:@]")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
# A bare name or www. does not start right after these: it would be inside a
# word, an e-mail address, a path, another URL, a hashtag or a cashtag.
_NOT_BEFORE = frozenset("@/.:%+~-_#$")
_NOT_BEFORE_WWW = _NOT_BEFORE - {":"}  # "URL:www.example.org"
# A scheme glued to a word is a URL's start ("see:https://…", "1.http://…",
# "|url=https://…"), but not after these, nor after "=" or "&" in a word holding
# "/" or "?": "…/web/2019/https://x.org", "x.org/r?url=https://…" are one URL.
_NOT_BEFORE_SCHEME = frozenset("/?#%@")
# What may come right before "//host.tld" for it to be a protocol-relative URL.
_BEFORE_PROTOCOL_RELATIVE = frozenset("\"'([{<\u201c\u2018\u00ab\u3008\u300a\u300c\u300e\u3010\uff08")

_TRAILING = ".,;:!?*\\\u2019\u201d\u00bb\u2026\uff0e"
_QUOTES = "'\""
_TRIMMED = frozenset(_TRAILING + _QUOTES + ")]}")
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
# The long-standing generic endings: a bare name under one is a domain whatever
# the text around it looks like.
_CLASSIC_TLDS = frozenset({"com", "net", "org", "edu", "gov", "mil", "int"})
# Names code uses for objects ("this.name", "self.data", "json.photos.photo",
# "obj.id"); never the first label of a bare domain under a generic ending.
_CODE_NAMES = frozenset(
    {
        "this", "self", "cls", "super", "window", "document", "console", "navigator", "json", "math",
        "obj", "object", "e", "evt", "event", "err", "foo", "bar", "baz", "args", "kwargs", "props",
        "ctx", "req", "res", "request", "response", "module", "exports", "process", "np", "pd", "plt",
        "el", "elem", "opts", "options", "params", "config", "result", "results", "value", "val",
        "arr", "str", "item", "items", "target", "prototype",
    }
)  # fmt: skip
# Code around a name: an assignment or comparison, braces, an empty call, a call's
# statement end. (Not a ";" alone: a line of sources ends "… ap.news; reuters.com;".)
_CODE_SIGN_RE = re.compile(r"\s(?:[=!]==?|[-+*/|&]?=|=>)\s|[{}]|\(\)|\);")

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
    """Drop trailing punctuation, backslashes, and closing brackets or quotes the URL does not open.

    A trailing ``'`` or ``"`` goes when the URL holds an odd number of them: it
    closes a quote opened before the URL (``/it's`` and ``/"a"`` stay)."""
    # Linear in the length: brackets are counted once, not again after each
    # character dropped ("https://x.org/a" and 100,000 ")" took minutes).
    end = len(candidate)
    counts: dict[str, int] | None = None
    while end:
        last = candidate[end - 1]
        if last in _TRAILING:
            end -= 1
            continue
        if last in _QUOTES:
            if counts is None:
                counts = {char: candidate.count(char, 0, end) for char in "()[]{}'\""}
            if counts[last] % 2 == 0:
                break
            counts[last] -= 1
            end -= 1
            continue
        opener = _CLOSERS.get(last)
        if opener is None:
            break
        if counts is None:
            counts = {char: candidate.count(char, 0, end) for char in "()[]{}'\""}
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
    if lowered is None:
        lowered = lower_same_length(text)
    led = list(_find_led(text, lowered))
    if "." not in text:
        yield from led
        return
    bare = list(_find_bare(text, lowered, led))
    if not bare:
        yield from led
        return
    yield from sorted(led + bare, key=lambda found: found.start)


class _BodyEnd:
    """Where the URL body starting at a position ends: the next delimiter. The
    last answer is kept, so starts inside one run cost one search in all."""

    __slots__ = ("high", "low", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = 0
        self.high = -1

    def __call__(self, position: int) -> int:
        if self.low <= position <= self.high:
            return self.high
        text = self.text
        # The run of printable ASCII that delimits nothing first (5x faster than a search
        # for the large class of delimiters); past ASCII, the search goes on from there.
        end = _ASCII_BODY_RE.match(text, position).end()  # type: ignore[union-attr]  # "*" always matches
        if end < len(text) and text[end] > "\x7f":
            match = _DELIMITER_RE.search(text, end)
            end = match.start() if match is not None else len(text)
        self.low, self.high = position, end
        return end


def _url_end(text: str, start: int, host_start: int, end: int) -> int:
    """Where the URL from ``start`` ends, its body running to ``end``.

    One scan over the characters that can end it early, stopping at the first
    that does: so its cost is the URL's own length, however long the run of
    characters without a delimiter it sits in (a cut URL is followed by the
    next one in the same run).

    Most URLs hold none of the characters that may end them early (brackets,
    quotes, ":" of a "://"): one search tells, and the walk below is skipped."""
    if _PATH_EVENTS_RE.search(text, host_start, end) is not None:
        end = _early_end(text, start, host_start, end)
    if end > start and text[end - 1] not in _TRIMMED:
        return end
    return start + len(trim_url(text[start:end]))


def _early_end(text: str, start: int, host_start: int, end: int) -> int:
    """Where a bracket the URL did not open, a quote or a scheme glued to CJK text ends it (else ``end``)."""
    before = text[start - 1] if start else ""
    depth = {"(": 0, "[": 0, "{": 0}
    events = _HOST_EVENTS_RE
    position = host_start
    while True:
        match = events.search(text, position, end)
        if match is None:
            break
        at = match.start()
        char = match.group()
        position = at + 1
        if char == ":":
            if not text.startswith("//", position, end):
                continue  # a port, a colon in the path
            char = "://"
            position = at + 3
        if char in depth:
            depth[char] += 1
        elif char in _CLOSERS:
            if not depth[_CLOSERS[char]]:
                end = at  # a bracket it did not open: "(http://a.com/x)(http://b.com/y)"
                break
            depth[_CLOSERS[char]] -= 1
        elif char in _QUOTES:
            # No host holds a quote ("yahoo.com's"). A quote written right before the URL
            # closes at the first of its kind not inside a word: '{"u":"http://x.org/a","b":1}',
            # 'http://x.org/it's', '"http://x.org/?q=a-"-b"' (the trailing quote is trimmed).
            if events is _HOST_EVENTS_RE or (before == char and not _IN_WORD_RE.match(text, at + 1)):
                end = at
                break
        elif char == "://":
            # "http://t.co/abcde한국http://x.org/": a scheme right after CJK text starts the next URL.
            scheme = text[max(host_start, at - 5) : at].lower()
            found = max(scheme.rfind("http"), scheme.rfind("ftp"))
            scheme_start = at - len(scheme) + found
            if found >= 0 and scheme_start > host_start and _spaceless(text[scheme_start - 1]):
                end = scheme_start
                break
        else:
            events = _PATH_EVENTS_RE  # "/", "?" or "#": the host is over
    return end


# One character class each (":" stands for "://", checked after): a class is searched
# by sre's fast scan, an alternation with "://" tried at every position (2.5x slower).
_HOST_EVENTS_RE = re.compile(r"[()\[\]{}\"'/?#:]")
_PATH_EVENTS_RE = re.compile(r"[()\[\]{}\"':]")
_IN_WORD_RE = re.compile(r"[\w-]")


def _is_label_char(char: str) -> bool:
    """A letter, digit or combining mark of any script (a host label's character)."""
    return char.isalnum() or unicodedata.category(char) in ("Mn", "Mc")


def _spaceless(char: str) -> bool:
    """Scripts written without spaces between words (CJK, kana, hangul, Thai)."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFF9F
        or 0x0E00 <= code <= 0x0E7F
        or code >= 0x20000
    )


class _Leads:
    """The next ``scheme://``, ``//`` or ``www.`` at or after a position: (start, end).

    Two literal searches (``//`` and ``www``) instead of one pattern whose first
    character is one of four letters: they run at memory speed. Each one's
    next hit is kept until the scan passes it."""

    __slots__ = ("lowered", "slashes", "www", "www_end")

    def __init__(self, lowered: str) -> None:
        self.lowered = lowered
        self.slashes = -2
        self.www = -2
        self.www_end = -1

    def after(self, position: int) -> tuple[int, int] | None:
        lowered = self.lowered
        if -1 != self.slashes < position:
            self.slashes = lowered.find("//", position)
        if -1 != self.www < position:
            www = lowered.find("www", position)
            while www >= 0:
                match = _WWW_RE.match(lowered, www)
                if match is not None:
                    self.www_end = match.end()
                    break
                www = lowered.find("www", www + 1)
            self.www = www
        slashes, www = self.slashes, self.www
        if slashes >= 0:
            start = slashes
            for scheme in ("https:", "http:", "ftp:"):
                if slashes >= len(scheme) and lowered.startswith(scheme, slashes - len(scheme)):
                    start = slashes - len(scheme)
                    break
            if start >= position and (www < 0 or start <= www):
                return start, slashes + 2
            if start < position and (www < 0 or slashes < www):
                # a scheme before the position ("…/https://x"): only the "//" is new
                return slashes, slashes + 2
        if www < 0:
            return None
        return www, self.www_end


_WWW_RE = re.compile(r"www\d{0,3}\.")


def _find_led(text: str, lowered: str) -> Iterator[FoundURL]:
    body_end = _BodyEnd(text)
    leads = _Leads(lowered)
    position = 0
    while True:
        lead = leads.after(position)
        if lead is None:
            return
        start, lead_end = lead
        before = text[start - 1] if start else " "
        end = body_end(lead_end)
        kind = lowered[start]
        if kind == "/":
            if not (before.isspace() or before in _BEFORE_PROTOCOL_RELATIVE):
                position = lead_end  # "file:///x", "a//b"
                continue
        elif kind == "w":
            if before.isalnum() or before in _NOT_BEFORE_WWW:
                position = end
                continue
        elif before in _NOT_BEFORE_SCHEME or (before in "=&" and _inside_url_token(text, start)):
            position = lead_end  # inside another URL: "…/https://x.org", "?u=https://x.org"
            continue
        host_start = start if kind == "w" else lead_end
        url_end = _url_end(text, start, host_start, end)
        raw = text[start:url_end]
        if kind == "w":
            host = _HOST_END_RE.split(raw, 1)[0]
            if not registrable_domain(host.lower()):
                position = end
                continue
        elif kind == "/":
            if not _protocol_relative_host(raw):
                position = end
                continue
        else:
            after = raw[lead_end - start : lead_end - start + 1]
            if not (after.isalnum() or after == "[" or (after > "\x7f" and unicodedata.category(after)[0] in "LNS")):
                position = end
                continue  # "https://" with no host
            if before.isalnum() and "." not in _HOST_END_RE.split(raw[lead_end - start :], 1)[0]:
                position = end
                continue  # glued to a word, the host must at least look like a name: not "foohttp://bar"
        yield FoundURL(raw, start, url_end, scheme_assumed=kind in "w/")
        position = url_end


def _inside_url_token(text: str, start: int) -> bool:
    """Whether the word that ``text[start]`` continues holds a ``/`` or ``?``
    (the scheme is a query's value, not a URL of its own)."""
    low = max(0, start - 2 * _MAX_HOST)
    match = _TOKEN_START_RE.search(text, low, start)
    token_start = match.end() if match is not None else low
    return "/" in text[token_start:start] or "?" in text[token_start:start]


_TOKEN_START_RE = re.compile(r"[\s<>\"'(\[{|][^\s<>\"'(\[{|]*\Z")


def _protocol_relative_host(raw: str) -> bool:
    """``//host.tld/…`` names a host under a real public suffix (not ``//TODO.md``)."""
    host = _HOST_END_RE.split(raw[2:], 1)[0]
    if not host or not all(char in "._-" or _is_label_char(char) for char in host):
        return False
    lowered = host.lower().rstrip(".")
    if not registrable_domain(lowered):
        return False
    has_path = len(raw) > 2 + len(host)
    return has_path or lowered.rsplit(".", 1)[-1] not in _FILE_LIKE_TLDS


def _find_bare(text: str, lowered: str, led: list[FoundURL]) -> Iterator[FoundURL]:
    body_end = _BodyEnd(text)
    taken = iter(led)
    current = next(taken, None)
    last_end = -1
    # Every ".tld" inside one run of host characters leads back to the same start,
    # and the host found depends on the start only: a run is tried once, not once
    # per dot ("a.qq.qq.qq…" went cubic).
    run_end = -1
    # A search resumed past a URL already found, not finditer: the dots inside URLs
    # (two or three each, most of them on URL-dense text) are never visited. A
    # ".tld" match never reaches past the end of a URL (that ends before a
    # character no match holds), so the matches after it are the same.
    resume = 0
    search = _TLD_RE.search
    while (match := search(lowered, resume)) is not None:
        resume = match.end()
        position = match.start() - 1
        if position < 0:
            continue
        char = lowered[position]
        if char in _HOST_CHARS:
            if char in ".-":
                continue
        elif not (char > "\x7f" and _is_label_char(char)):
            continue
        while current is not None and current.end <= position:
            last_end = max(last_end, current.end)
            current = next(taken, None)
        if current is not None and current.start <= position:
            resume = max(resume, current.end)
            continue  # inside a URL already found
        if position < last_end:
            resume = max(resume, last_end)
            continue
        if position < run_end:
            continue  # this run of host characters was tried already
        run_end = _run_end(lowered, position)
        # A host is never longer than _MAX_HOST: a longer run is not walked back
        # over (nor handed to the regex, whose backtracking stack grows with it).
        limit = max(0, position - 2 * _MAX_HOST)
        start = position
        while start > limit:
            char = lowered[start - 1]
            if char in _HOST_CHARS:
                if lowered[start] < "\x80" or not _spaceless(lowered[start]):
                    start -= 1
                    continue
            elif char > "\x7f" and _is_label_char(char) and not (lowered[start] < "\x80" and _spaceless(char)):
                start -= 1
                continue
            break  # (at a change between CJK and ASCII too: "中国語example.com" starts at "e")
        if start == limit and start > 0 and lowered[start - 1] in _HOST_CHARS:
            continue
        while start < position and not lowered[start].isalnum():
            start += 1
        if start < last_end or run_end - start > 2 * _MAX_HOST or not _bare_starts_clean(text, start):
            continue
        host_end = _bare_host_end(lowered, start, run_end)
        if host_end is None:
            continue
        end = host_end
        after = lowered[host_end : host_end + 1]
        if after in ("/", "?", "#") or (after == ":" and lowered[host_end + 1 : host_end + 2].isdigit()):
            end = _url_end(text, start, host_end, body_end(host_end))
        elif after == "@":
            continue  # "john.doe.gov@mail.com": an e-mail address
        if current is not None and end > current.start:
            # "example.org,https://x.org/a": the bare name ends where the next URL begins.
            end = start + len(text[start : current.start].rstrip("([{"))
            end = start + len(trim_url(text[start:end]))
        if end < host_end:
            continue
        raw = text[start:end]
        if "@" in raw[host_end - start :].split("/", 1)[0]:
            continue  # user-info without a scheme: an e-mail address
        if not _is_bare_domain(text, start, host_end, end):
            continue
        last_end = end
        yield FoundURL(raw, start, end, scheme_assumed=True)


_ASCII_RUN_RE = re.compile(r"[a-z0-9.-]*")


def _run_end(lowered: str, position: int) -> int:
    """The end of the run of host characters through ``position``: every dot in
    it leads the walk back to the same start. It ends where the walk back would
    stop, at a change between CJK and ASCII too."""
    end = _ASCII_RUN_RE.match(lowered, position).end()  # type: ignore[union-attr]  # "*" always matches
    if end == len(lowered) or lowered[end] < "\x80":
        return end
    end = position + 1
    previous = lowered[position]
    while end < len(lowered):
        char = lowered[end]
        if char in _HOST_CHARS:
            if previous > "\x7f" and _spaceless(previous):
                break
        elif not (char > "\x7f" and _is_label_char(char)) or (previous < "\x80" and _spaceless(char)):
            break
        previous = char
        end += 1
    return end


# The longest name DNS allows (253 characters, 255 with a final dot and length bytes).
_MAX_HOST = 255


def _bare_starts_clean(text: str, start: int) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    if before.isalnum():
        return _spaceless(before) and text[start] < "\x80"  # "中国語example.com"
    return before not in _NOT_BEFORE


def _bare_host_end(lowered: str, start: int, run_end: int) -> int | None:
    """The end of the host name written from ``start``, or None if there is none."""
    if lowered[start:run_end].isascii():
        match = _BARE_HOST_RE.match(lowered, start)
        return match.end() if match is not None else None
    # An international name: labels of letters, digits and marks of any script.
    end = start
    limit = min(len(lowered), start + _MAX_HOST + 1)
    while end < limit:
        char = lowered[end]
        if char in _HOST_CHARS:
            end += 1
            continue
        if not (char > "\x7f" and _is_label_char(char)):
            break
        previous = lowered[end - 1]
        if "0" <= previous <= "z" and _spaceless(char):
            break  # "example.comてすと": the name ends where CJK text begins
        end += 1
    while end > start and lowered[end - 1] in ".-":
        end -= 1
    labels = lowered[start:end].split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 or label[0] == "-" or label[-1] == "-" for label in labels):
        return None
    if lowered[end : end + 1] in ("@", "_", "+"):
        return None
    return end


def _is_bare_domain(text: str, start: int, host_end: int, end: int) -> bool:
    written = text[start:host_end]
    host = written.lower()
    has_path = end > host_end
    if len(host) > _MAX_HOST:
        return False
    domain, suffix = _domain_and_suffix(host)
    if not suffix or not domain:
        return False
    if not suffix.isascii() and domain.isdigit():
        return False  # "1.中国": a numbered list, not a name
    generic = "." not in suffix and suffix not in _CLASSIC_TLDS
    if not has_path:
        if generic and suffix in _FILE_LIKE_TLDS:
            return False
        # Not all in lower case ("EXAMPLE.COM", "example.Net", "end.Today"): a sentence run
        # into the next one reads like a name under a word-like ending, so only the
        # old generic endings and country codes count without a path.
        if written != host and generic and len(suffix) > 2 and suffix not in ("info", "biz"):
            return False
    return not (generic and _reads_as_code(text, start, host_end, host, suffix, has_path))


@lru_cache(maxsize=65536)
def _domain_and_suffix(host: str) -> tuple[str, str]:
    parts = _EXTRACTOR(host)
    return parts.domain, parts.suffix


def _reads_as_code(text: str, start: int, host_end: int, host: str, suffix: str, has_path: bool) -> bool:
    """A bare name under a single-label ending other than com/net/org/edu/gov/mil/int
    that reads as code, not as a domain:

    * a call: the name directly followed by ``(`` (``time.now()``);
    * an object's property: the first label is a name code uses for objects
      (``this.name``, ``self.data``, ``obj.id``, ``json.photos.photo``), and the
      name has two labels or ends in a word-like generic ending (so
      ``math.ethz.ch`` stays a domain);
    * code around it: no path, and an assignment, a comparison, braces, ``()``
      or ``);`` on its line nearby (``x = user.id;``, ``if (a.name == b) {``).

    Names under the classic endings and under two-label suffixes (``bbc.co.uk``,
    ``news.google.com``) are always domains, and so are names with a path that
    reads as none of the above (``example.photo/abc``)."""
    if not has_path and text[host_end : host_end + 1] == "(":
        return True
    labels = host.split(".")
    if labels[0] in _CODE_NAMES and (len(labels) == 2 or len(suffix) > 2):
        return True
    if has_path:
        return False
    low = max(0, start - 60)
    high = min(len(text), host_end + 60)
    newline = text.rfind("\n", low, start)
    low = newline + 1 if newline >= 0 else low
    newline = text.find("\n", host_end, high)
    high = newline if newline >= 0 else high
    return _CODE_SIGN_RE.search(text, low, high) is not None


# --- for the readers: code and preformatted text ------------------------------------


def code_text(text: str) -> str:
    """Code as the prose sees it: only its URLs with a scheme, everything else
    blanked (new lines kept, so line numbers hold). A bare ``example.com`` or
    ``this.name`` in code is no citation; ``https://…`` in code still is. A URL
    wrapped onto the next line with a ``\\`` keeps its continuation."""
    kept: list[str] = []
    done = 0
    breaks = wrapped_url_breaks(text)
    for found in find_urls(text):
        if found.scheme_assumed or found.start < done:
            continue
        end = found.end
        newline = text.find("\n", end)
        while newline in breaks and not _DELIMITER_RE.search(text, end, newline):
            end = _BODY_END_RE.match(text, newline + 1).end()  # type: ignore[union-attr]  # "*" always matches
            newline = text.find("\n", end)
        kept.append(_NOT_NEWLINE_RE.sub(" ", text[done : found.start]))
        kept.append(text[found.start : end])
        done = end
    kept.append(_NOT_NEWLINE_RE.sub(" ", text[done:]))
    return "".join(kept)


def wrapped_url_breaks(text: str) -> frozenset[int]:
    """Offsets of the new lines in ``text`` that break a URL hard-wrapped with a
    backslash (preformatted text): ``https://example.com/very/long/\\`` then
    ``path/rest`` on the next line is one URL. Only when the ``\\`` ends the
    line right after the URL's characters and the next line goes on with URL
    characters, no space."""
    if "\\\n" not in text:
        return frozenset()
    breaks: set[int] = set()
    for match in _WRAPPED_START_RE.finditer(text):
        end = match.end()
        while (
            end + 1 < len(text)
            and text[end] == "\n"
            and text[end - 1] == "\\"
            and end - 2 > match.start()
            and text[end - 2] != "\\"
            and not _DELIMITER_RE.match(text, end + 1)
        ):
            breaks.add(end)
            end = _BODY_END_RE.match(text, end + 1).end()  # type: ignore[union-attr]  # "*" always matches
    return frozenset(breaks)


_BODY_END_RE = re.compile(f"[^{_DELIMITERS}]*")
_WRAPPED_START_RE = re.compile(rf"(?:https?://|ftp://|www\d{{0,3}}\.)[^{_DELIMITERS}]*", re.IGNORECASE)
_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


# The common case -- http(s), plain ASCII host, no user-info, no port or a
# plain one -- is normalised from one match; everything else goes through
# urlsplit (twice as slow, and most of the per-URL cost of extraction).
_SIMPLE_URL_RE = re.compile(
    r"(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?::(?P<port>\d{1,5}))?(?P<path>/[^?#]*)?(?:\?(?P<query>[^#]*))?(?:#.*)?"
)


def normalize_url(text: str) -> tuple[str, bool]:
    """Return ``(normalised_url, scheme_assumed)`` or raise :class:`~refcheck.errors.InvalidURL`."""
    url, scheme_assumed, _ = _normalize_url(text)
    return url, scheme_assumed


def normalize_url_and_domain(text: str) -> tuple[str, bool, str | None]:
    """``normalize_url(text)`` and the registrable domain of its result
    (``domain_of_normalized``), the host not read twice when the URL has the
    common form. Raises :class:`InvalidURL`."""
    url, scheme_assumed, host = _normalize_url(text)
    return url, scheme_assumed, registrable_domain(host) if host is not None else domain_of_normalized(url)


def _normalize_url(text: str) -> tuple[str, bool, str | None]:
    """(normalised URL, scheme assumed, its host when the common form gave it, else None)."""
    scheme_assumed = False
    candidate = text.strip()
    if candidate.startswith("//"):
        candidate = "https:" + candidate  # protocol-relative
        scheme_assumed = True
    elif "://" not in candidate[:10]:
        candidate = "https://" + candidate
        scheme_assumed = True
    simple = _SIMPLE_URL_RE.fullmatch(candidate)
    if simple is not None:
        scheme = simple.group("scheme").lower()
        netloc = host = simple.group("host").lower().rstrip(".")
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
        return f"{scheme}://{netloc}{path}{query_part}", scheme_assumed, host
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
    return urlunsplit((scheme, netloc, path, query, "")), scheme_assumed, None


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
