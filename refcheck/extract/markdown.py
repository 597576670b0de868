"""Markdown articles, read with markdown-it-py (CommonMark) and its footnote and
front-matter plugins.

The prose becomes plain text (link text kept, code spans and blocks dropped:
a URL in code is an example, not a citation); link targets (inline,
reference-style and autolinks) become markup links; ``[^label]`` references
become markers and ``[^label]:`` definitions become notes. ``[^label]`` with no
definition stays text for markdown-it, so it is picked up here as a marker of
a missing note.

Notes are read from the definitions markdown-it parsed (a core rule keeps each
one with its line before the footnote plugin drops the unreferenced ones and
keeps only the last of a duplicated label), so a definition shown inside a code
block is not a note, one inside a block quote is. A ``[^a]`` inside the note
``[^b]:`` (or in the front matter) references ``a`` without being a body marker.
Pandoc / markdown-it inline notes ``text^[the note]`` are notes too, numbered
after the regular ones: the first gets the highest numeric label + 1.
Headings give the in-page anchors (their slugs as GitHub, markdown-it-anchor,
Pandoc and Python-Markdown make them), as do ``{#id}`` attributes and the ``id``
or ``name`` of raw HTML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it import helpers as _md_helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.autolink import AUTOLINK_RE as _AUTOLINK_RE
from markdown_it.rules_inline.autolink import EMAIL_RE as _EMAIL_RE
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from refcheck.extract.dates import first_date
from refcheck.extract.language import language_tag
from refcheck.extract.notes import TitledLink, link_title
from refcheck.extract.source import MarkupLink, MarkupMarker, MarkupNote, Metadata, ParsedSource
from refcheck.models import FootnoteLabel

_REFERENCE_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_INLINE_NOTE = "\u2063inline-note-"
"""Label of an inline note's reference until the note is numbered (then an int)."""

_PARSER = MarkdownIt("commonmark", {"linkify": False}).use(footnote_plugin).use(front_matter_plugin)

# Speed on link-dense text, the same tokens (checked against the unmodified parser on
# the test and benchmark corpora and 4,000 random documents of Markdown's syntax):
#
# * markdown-it's text rule stops at every character some rule *might* react to
#   ("-", ":", "=", "%", "#", "+"…: every slug and query of a URL), and at each one
#   all twelve inline rules are tried and fail. The rules enabled here start only at
#   these characters (newline, escape, backticks, emphasis, entity, autolink and
#   HTML, link, image, the two footnote rules); "]" ends a link label
#   (parseLinkLabel skips tokens up to it). The pending text, so every token, is
#   the same; the rules are tried 5-10 times less often.
# * A link destination without "<", "(" or "\\" is read with one match instead of
#   the character loop of parseLinkDestination (its result is the same).
# * normalizeLink (mdurl parse, punycode, encode: the larger part of a link's cost)
#   returns a plain http(s) URL as it is (checked by a match); for others, it is a
#   pure function of the destination: its results are kept, a bounded number.
_INLINE_STARTS = "\n\\`*_&<[]!^"
_ENABLED_INLINE = {"text", "newline", "escape", "backticks", "emphasis", "link", "image", "footnote_inline",
                   "footnote_ref", "autolink", "html_inline", "entity"}  # fmt: skip
assert {rule.name for rule in _PARSER.inline.ruler.__rules__ if rule.enabled} == _ENABLED_INLINE, (
    "an inline rule was enabled or disabled: check _INLINE_STARTS"
)
_PARSER.inline.terminator_re = re.compile("[" + re.escape(_INLINE_STARTS) + "]")
_PLAIN_DESTINATION_RE = re.compile(r"[^\x00-\x20\x7f()\\<]+")


def _parse_link_destination(string: str, pos: int, maximum: int) -> Any:
    """markdown-it's ``parseLinkDestination``, by one match when the destination
    holds no ``<`` (first), ``(`` or ``\\``; the original reads the rest."""
    match = _PLAIN_DESTINATION_RE.match(string, pos, maximum)
    if match is not None:
        end = match.end()
        if end >= maximum or string[end] in _DESTINATION_ENDS:
            result = _Result()
            result.str = unescapeAll(match.group())
            result.pos = end
            result.ok = True
            return result
    return _md_helpers.parseLinkDestination(string, pos, maximum)


_DESTINATION_ENDS = frozenset(" )" + "".join(map(chr, range(0x20))) + "\x7f")


class _Helpers:
    """``md.helpers`` with the faster ``parseLinkDestination``."""

    parseLinkLabel = staticmethod(_md_helpers.parseLinkLabel)
    parseLinkTitle = staticmethod(_md_helpers.parseLinkTitle)
    parseLinkDestination = staticmethod(_parse_link_destination)


_PARSER.helpers = _Helpers  # type: ignore[assignment]

# What normalizeLink returns unchanged: http(s), a lower-case ASCII host, and only
# characters mdurl.encode keeps (no "%": it re-encodes a "%" not followed by hex).
_NORMAL_LINK_RE = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9\-._~!$&'()*+,;=:@/?#]*)?")
_normalize_link = lru_cache(maxsize=16384)(_PARSER.normalizeLink)


def _normalize_link_fast(url: str) -> str:
    if len(url) < 2048 and _NORMAL_LINK_RE.fullmatch(url):
        return url
    return _normalize_link(url) if len(url) < 2048 else _PARSER_NORMALIZE_LINK(url)


_PARSER_NORMALIZE_LINK = _PARSER.normalizeLink
_PARSER.normalizeLink = _normalize_link_fast  # type: ignore[method-assign]
_PARSER_NORMALIZE_LINK_TEXT = _PARSER.normalizeLinkText


def _normalize_link_text_fast(url: str) -> str:
    """normalizeLinkText (an autolink's text) returns such a URL unchanged too, unless
    its host is punycode (shown decoded)."""
    if len(url) < 2048 and "xn--" not in url and _NORMAL_LINK_RE.fullmatch(url):
        return url
    return _PARSER_NORMALIZE_LINK_TEXT(url)


_PARSER.normalizeLinkText = _normalize_link_text_fast  # type: ignore[method-assign,assignment]


def _normalize_rule(state: StateCore) -> None:
    """markdown-it's core "normalize" rule (CR LF and CR to LF, NUL to U+FFFD),
    without its substitution of every LF by itself when there is nothing to change."""
    source = state.src
    if "\r" in source:
        source = _NEWLINES_RE.sub("\n", source)
    if "\0" in source:
        source = source.replace("\0", "\ufffd")
    state.src = source


_NEWLINES_RE = re.compile(r"\r\n?|\n")
_PARSER.core.ruler.at("normalize", _normalize_rule)


def _autolink_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it's ``autolink`` rule, the closing ``>`` found by ``str.find``
    instead of a loop over each character (the same tokens)."""
    src = state.src
    start = state.pos
    if src[start] != "<":
        return False
    maximum = state.posMax
    close = src.find(">", start + 1, maximum)
    if close < 0:
        return False
    if src.find("<", start + 1, close) >= 0:
        return False
    url = src[start + 1 : close]
    if _AUTOLINK_RE.search(url) is not None:
        full_url = state.md.normalizeLink(url)
    elif _EMAIL_RE.search(url) is not None:
        full_url = state.md.normalizeLink("mailto:" + url)
    else:
        return False
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "autolink"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "autolink"
        token.info = "auto"
    state.pos += len(url) + 2
    return True


_PARSER.inline.ruler.at("autolink", _autolink_rule)

# markdown-it keeps a token for every piece of inline markup of the whole
# document until parsing ends: 200-400 bytes per input byte for short lines or
# "*a*a*a…" (a 4 MB file took 1.5 GB). The inline rule below keeps only what is
# read from each paragraph (text, link targets, footnote references) and drops
# its tokens at once, and parses a paragraph longer than _INLINE_CHUNK in pieces
# (cut at a line break, else at a space), so memory follows the text, not the markup.
_INLINE = "refcheck-inline"
_INLINE_CHUNK = 100_000


_LINK_TEXT = 400
"""Characters of a link's text kept at most: a longer one is no title (notes.link_title)."""


class _Inline:
    """What a paragraph says, kept instead of its inline tokens."""

    __slots__ = ("breaks", "link_text_from", "links", "parts", "refs")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[tuple[str, int, str | None]] = []
        """Link target, the number of line breaks before it in the paragraph, and
        its text (set at the link's end; short: not kept when it is long)."""
        self.link_text_from: int | None = None
        """Where the open link's text starts in ``parts``."""
        self.refs: list[tuple[str, int, bool]] = []
        """Footnote reference label, line breaks before it, and whether it was
        left as text (``[^x]`` with no definition)."""
        self.breaks = 0

    def add(self, children: list[Token]) -> None:
        pending: list[str] = []  # adjacent text pieces are one text, as markdown-it's text_join makes them
        for child in children:
            kind = child.type
            if kind in ("text", "text_special"):
                pending.append(child.content)
                continue
            if pending:
                self._text("".join(pending))
                pending.clear()
            if kind in ("softbreak", "hardbreak"):
                self.newline()
            elif kind == "link_open":
                href = child.attrs.get("href")
                if isinstance(href, str):
                    self.links.append((href, self.breaks, None))
                    self.link_text_from = len(self.parts)
            elif kind == "link_close":
                if self.link_text_from is not None and self.links:
                    href, breaks, _ = self.links[-1]
                    text = "".join(self.parts[self.link_text_from :])
                    self.links[-1] = (href, breaks, text if len(text) <= _LINK_TEXT else None)
                self.link_text_from = None
            elif kind == "footnote_ref":
                label = child.meta.get("label")
                if label is None:  # an inline note, ^[…]: numbered when all notes are known
                    label = f"{_INLINE_NOTE}{child.meta.get('id', 0)}"
                self.refs.append((str(label), self.breaks, False))
            elif kind == "code_inline":
                self.parts.append(" ")
            elif kind == "image" and child.children:
                # Notes in an image's description (![moon^[the moon]](m.jpg)) are notes of the text.
                self.refs.extend(
                    (str(ref.meta.get("label", f"{_INLINE_NOTE}{ref.meta.get('id', 0)}")), self.breaks, False)
                    for ref in child.children
                    if ref.type == "footnote_ref"
                )
        if pending:
            self._text("".join(pending))

    def newline(self) -> None:
        self.parts.append("\n")
        self.breaks += 1

    def _text(self, text: str) -> None:
        self.parts.append(text)
        if "[^" in text:
            self.refs.extend((m.group(1), self.breaks, True) for m in _REFERENCE_RE.finditer(text) if not _quoted(m))


_QUOTES = "'\"‘’“”«»"


def _quoted(match: re.Match[str]) -> bool:
    """``'[^1]'``: the syntax named in quotes, not a reference."""
    text, start, end = match.string, match.start(), match.end()
    return start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES


def _inline_rule(state: StateCore) -> None:
    """markdown-it's core "inline" rule, keeping an :class:`_Inline` in each inline
    token's meta instead of its children."""
    md = state.md
    for token in state.tokens:
        if token.type != "inline":
            continue
        inline = _Inline()
        for piece, line_break in _pieces(token.content):
            children: list[Token] = []
            md.inline.parse(piece, md, state.env, children)
            inline.add(children)
            if line_break:
                inline.newline()
        token.children = []
        token.meta[_INLINE] = inline


def _pieces(content: str) -> Iterator[tuple[str, bool]]:
    """``content`` in pieces of at most about _INLINE_CHUNK characters, and whether
    a line break stood after each one."""
    start = 0
    while len(content) - start > _INLINE_CHUNK:
        end = start + _INLINE_CHUNK
        cut = content.rfind("\n", start, end)
        if cut > start:
            yield content[start:cut].rstrip(" \t"), True
            start = cut + 1
            continue
        cut = content.rfind(" ", start, end)
        end = cut + 1 if cut > start else end
        yield content[start:end], False
        start = end
    yield content[start:], False


_PARSER.core.ruler.at("inline", _inline_rule)

_DEFINITIONS = "refcheck-definitions"


def _definitions_rule(state: StateCore) -> None:
    """Keep every ``[^label]:`` definition -- label, line and its own tokens (a
    definition nested in it apart) -- before the footnote plugin's tail rule drops
    the unreferenced ones and keeps only the last of a duplicated label."""
    found: list[tuple[str, int, list[Token]]] = []
    stack: list[list[Token]] = []
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            tokens: list[Token] = []
            found.append((str(token.meta.get("label", "")), token.map[0] + 1 if token.map else 1, tokens))
            stack.append(tokens)
        elif token.type == "footnote_reference_close":
            if stack:
                stack.pop()
        elif stack:
            stack[-1].append(token)
    state.env[_DEFINITIONS] = found


_PARSER.core.ruler.after("inline", _DEFINITIONS, _definitions_rule)


def parse_markdown(source: str) -> ParsedSource:
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(source, env)
    builder = _Builder()
    meta = Metadata()
    inner: list[MarkupMarker] = []
    anchors = _Anchors()
    inline_notes: list[tuple[int, list[Token]]] = []
    footnote: list[Token] | None = None  # the tokens of the footnote block being passed
    item_prefix = ""
    heading = False
    for token in tokens:
        kind = token.type
        if kind == "footnote_open":
            footnote = []
            if token.meta.get("label") is None:  # an inline note (regular notes come from their definitions)
                inline_notes.append((int(token.meta.get("id", 0)), footnote))
        elif kind == "footnote_close":
            footnote = None
        elif footnote is not None:
            footnote.append(token)
        elif kind == "list_item_open" and token.info and token.markup in (".", ")"):
            item_prefix = f"{token.info}{token.markup} "  # keep "1." so notes written as a list are found
        elif kind == "heading_open":
            heading = True
        elif kind == "front_matter":
            meta = _front_matter(token.content)
            first = token.map[0] + 2 if token.map else 2  # the line after the opening "---"
            inner.extend(
                MarkupMarker(_label(m.group(1)), first + token.content.count("\n", 0, m.start()))
                for m in _REFERENCE_RE.finditer(token.content)
            )
        elif kind == "inline" and token.map is not None:
            line = token.map[0] + 1
            text, links, markers = _render_inline(token, line, None)
            if heading:
                anchors.heading(text)
                heading = False
            builder.add_block(item_prefix + text, line)
            item_prefix = ""
            builder.links.extend(links)
            builder.markers.extend(markers)
    notes = [_note_of(_label(label), line, body, inner) for label, line, body in env.get(_DEFINITIONS, [])]
    if inline_notes:
        _add_inline_notes(notes, inline_notes, builder.markers, inner)
    notes.sort(key=lambda item: item.line)
    if _has_in_page_link(builder.links, notes):  # (the ids are only looked up for such links)
        anchors.notes(notes)
        anchors.explicit(source)
    return ParsedSource(
        format="markdown",
        text="".join(builder.parts),
        source_lines=builder.source_lines,
        links=builder.links,
        notes=notes if notes else None,
        markers=builder.markers,
        meta=meta,
        inner_markers=inner,
        anchors=anchors.ids,
        anchors_fold_case=True,
    )


def _note_of(label: FootnoteLabel, line: int, tokens: list[Token], inner: list[MarkupMarker]) -> MarkupNote:
    """A note from its block tokens: the text of its paragraphs (joined at the end:
    adding paragraph by paragraph was quadratic), its links, the references it
    makes to other notes (to ``inner``), and the text of its code blocks."""
    note = MarkupNote(label, line, "")
    texts: list[str] = []
    code: list[str] = []
    for token in tokens:
        if token.type == "inline":
            text, links, markers = _render_inline(token, token.map[0] + 1 if token.map else line, label)
            if text or texts:  # (no leading empty paragraph)
                texts.append(text)
            note.links.extend(links)
            inner.extend(markers)
        elif token.type in ("code_block", "fence", "html_block") and token.content.strip():
            code.append(token.content.strip())
    note.text = "\n".join(texts)
    note.code = "\n".join(code)
    return note


def _add_inline_notes(
    notes: list[MarkupNote],
    inline_notes: list[tuple[int, list[Token]]],
    markers: list[MarkupMarker],
    inner: list[MarkupMarker],
) -> None:
    """Number the inline notes ``^[…]`` after the regular ones, in the order
    markdown-it met them (the order of their markers), read each one at the line
    of its marker, and give their markers the numbers."""
    first = 1 + max((note.label for note in notes if isinstance(note.label, int)), default=0)
    numbers = {f"{_INLINE_NOTE}{note_id}": first + rank for rank, (note_id, _) in enumerate(sorted(inline_notes))}
    lines: dict[str, int] = {}

    def number(items: list[MarkupMarker], start: int = 0) -> None:
        for marker in items[start:]:
            if isinstance(marker.label, str) and marker.label in numbers:
                lines.setdefault(marker.label, marker.line)
                marker.label = numbers[marker.label]

    number(markers)
    number(inner)
    for note_id, tokens in sorted(inline_notes):
        key = f"{_INLINE_NOTE}{note_id}"
        seen = len(inner)
        notes.append(_note_of(numbers[key], lines.get(key, 1), tokens, inner))
        number(inner, seen)  # inline notes inside this one


def _has_in_page_link(links: list[MarkupLink], notes: list[MarkupNote]) -> bool:
    return any(link.href.startswith("#") for link in links) or any(
        link.href.startswith("#") for note in notes for link in note.links
    )


class _Anchors:
    """The ids in-page links of a Markdown article may lead to, lower-cased."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self._seen: dict[str, int] = {}

    def heading(self, text: str) -> None:
        for slug in _slugs(text):
            count = self._seen.get(slug, 0)
            self._seen[slug] = count + 1
            self.ids.add(slug if not count else f"{slug}-{count}")
            if count:
                self.ids.add(f"{slug}_{count}")  # Python-Markdown's duplicates

    def notes(self, notes: list[MarkupNote]) -> None:
        """The ids the renderers give notes and their markers (``fn1``, ``fnref1``,
        ``fn:label``, ``fn-label``…)."""
        for number, note in enumerate(notes, 1):
            label = str(note.label).lower()
            for prefix in ("fn", "fnref", "footnote-", "footnote-ref-", "user-content-fn-", "user-content-fnref-"):
                self.ids.add(f"{prefix}{number}")
                self.ids.add(f"{prefix}{label}")
            for prefix in ("fn:", "fnref:", "fn-", "fnref-", "fn_", "fnref_"):
                self.ids.add(f"{prefix}{label}")

    def explicit(self, source: str) -> None:
        """``{#id}`` attributes (Pandoc, markdown-it-attrs) and ``id``/``name`` of raw HTML."""
        if "{" in source:
            self.ids.update(m.group(1).lower() for m in _ATTRIBUTE_ID_RE.finditer(source))
        if "<" in source:
            self.ids.update(next(g for g in m.groups() if g is not None).lower() for m in _HTML_ID_RE.finditer(source))


_ATTRIBUTE_ID_RE = re.compile(r"\{[^{}\n]*?#([^\s{}#]+)")
_HTML_ID_RE = re.compile(r"""<[A-Za-z][^<>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_SLUG_DROP_RE = re.compile(r"[^\w\- ]")
_PANDOC_DROP_RE = re.compile(r"[^\w\-. ]")
_SPACES_RE = re.compile(r"\s+")
_DASHES_RE = re.compile(r"[-\s]+")


def _slugs(text: str) -> set[str]:
    """A heading's id as GitHub (github-slugger), markdown-it-anchor, Pandoc and
    Python-Markdown make it."""
    lowered = text.strip().lower()
    github = _SLUG_DROP_RE.sub("", lowered).replace(" ", "-")
    anchor = _SPACES_RE.sub("-", lowered)
    pandoc = _PANDOC_DROP_RE.sub("", _SPACES_RE.sub(" ", lowered)).replace(" ", "-")
    pandoc = pandoc[next((i for i, ch in enumerate(pandoc) if ch.isalpha()), len(pandoc)) :] or "section"
    python = _DASHES_RE.sub("-", _SLUG_DROP_RE.sub("", unicodedata.normalize("NFKD", lowered)).strip())
    return {slug for slug in (github, anchor, pandoc, python) if slug}


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.source_lines: list[int] = []
        self.links: list[MarkupLink] = []
        self.markers: list[MarkupMarker] = []

    def add_block(self, text: str, line: int) -> None:
        if self.parts:
            self.parts.append("\n\n")
            self.source_lines.append(self.source_lines[-1] if self.source_lines else line)
        self.parts.append(text)
        self.source_lines.extend(range(line, line + text.count("\n") + 1))


def _render_inline(
    token: Token, line: int, note: FootnoteLabel | None
) -> tuple[str, list[MarkupLink], list[MarkupMarker]]:
    inline = token.meta.get(_INLINE) if token.meta else None
    if not isinstance(inline, _Inline):  # an inline token made after the inline rule ran (^[inline notes])
        inline = _Inline()
        inline.add(token.children or [])
    links: list[MarkupLink] = [
        TitledLink(href, line + breaks, note, title=link_title(text, in_prose=note is None))
        for href, breaks, text in inline.links
    ]
    markers = [
        MarkupMarker(_label(label), line + breaks)
        for label, breaks, as_text in inline.refs
        if note is None or not as_text
    ]
    return "".join(inline.parts), links, markers


def _label(text: str) -> FootnoteLabel:
    return int(text) if text.isascii() and text.isdigit() else text


# Front matter is a few lines of metadata; a longer block is not read as YAML
# (the pure-Python parser takes seconds a megabyte).
_MAX_FRONT_MATTER = 100_000
# Deeply nested flow collections ("[[[[…") cost PyYAML seconds before it gives up.
_MAX_FLOW_BRACKETS = 1_000


def _front_matter(content: str) -> Metadata:
    if len(content) > _MAX_FRONT_MATTER or content.count("[") + content.count("{") > _MAX_FLOW_BRACKETS:
        return Metadata()
    try:
        data: Any = _load_yaml(content)
    except Exception:  # malformed YAML, "date: 2018-13-45" (ValueError), deep nesting (RecursionError)…
        return Metadata()
    if not isinstance(data, dict):
        return Metadata()
    meta = Metadata()
    title = data.get("title")
    # A scalar only: str() of a list built from YAML aliases ("billion laughs") never ends.
    meta.title = str(title) if title and isinstance(title, str | int | float | date) else None
    for key in ("publisher", "site", "site_name", "source", "outlet", "publication"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            meta.publisher = value.strip()
            break
    for key in ("canonical", "canonical_url", "url", "link", "permalink"):
        value = data.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            meta.site_url = value
            break
    for key in ("date", "published", "pubdate", "publish_date", "published_at"):
        meta.date = _front_matter_date(data.get(key))
        if meta.date:
            break
    for key in ("lang", "language", "locale"):
        meta.language = language_tag(data.get(key))
        if meta.language:
            break
    return meta


# Front matter of plain "key: value" lines (printable ASCII; no flow collections,
# anchors, tags, block scalars, comments or escapes) is read by libyaml's parser when
# PyYAML has it: the same events (the constructor and type resolution are PyYAML's
# own in both), 10x faster than the pure-Python parser, which was 7% of reading a
# Markdown article. Anything else, or any error, goes to the pure-Python loader.
_PLAIN_YAML_RE = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_ -]*:(?: [^\\#&*!|>%@`{}\[\]\x00-\x1f\x7f]*)?\n)*")
_C_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _load_yaml(content: str) -> Any:
    plain = content.isascii() and _PLAIN_YAML_RE.fullmatch(content if content.endswith("\n") else content + "\n")
    if _C_LOADER is not None and plain:
        try:
            return yaml.load(content, Loader=_C_LOADER)  # CSafeLoader: a safe loader
        except Exception:
            pass
    return yaml.safe_load(content)


def _front_matter_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return first_date(value)
    return None
