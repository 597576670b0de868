"""Markdown articles, read with markdown-it-py (CommonMark) and its footnote and
front-matter plugins.

The prose becomes plain text (link text kept, code spans and blocks dropped:
a URL in code is an example, not a citation); link targets (inline,
reference-style and autolinks) become markup links; ``[^label]`` references
become markers and ``[^label]:`` definitions become notes. ``[^label]`` with no
definition stays text for markdown-it, so it is picked up here as a marker of
a missing note. The footnote plugin keeps only the last of two definitions
with one label, so later duplicates are renamed before parsing and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from refcheck.extract.dates import first_date
from refcheck.extract.source import MarkupLink, MarkupMarker, MarkupNote, Metadata, ParsedSource
from refcheck.models import FootnoteLabel

_DEFINITION_RE = re.compile(r"^( {0,3})\[\^([^\]\s]+)\]:", re.MULTILINE)
_REFERENCE_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_DUPLICATE_SUFFIX = "\u2063dup"

_PARSER = MarkdownIt("commonmark", {"linkify": False}).use(footnote_plugin).use(front_matter_plugin)

# markdown-it keeps a token for every piece of inline markup of the whole
# document until parsing ends: 200-400 bytes per input byte for short lines or
# "*a*a*a…" (a 4 MB file took 1.5 GB). The inline rule below keeps only what is
# read from each paragraph (text, link targets, footnote references) and drops
# its tokens at once, and parses a paragraph longer than _INLINE_CHUNK in pieces
# (cut at a line break, else at a space), so memory follows the text, not the markup.
_INLINE = "refcheck-inline"
_INLINE_CHUNK = 100_000


class _Inline:
    """What a paragraph says, kept instead of its inline tokens."""

    __slots__ = ("breaks", "links", "parts", "refs")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []
        """Link target and the number of line breaks before it in the paragraph."""
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
                    self.links.append((href, self.breaks))
            elif kind == "footnote_ref":
                self.refs.append((str(child.meta.get("label", "")), self.breaks, False))
            elif kind == "code_inline":
                self.parts.append(" ")
        if pending:
            self._text("".join(pending))

    def newline(self) -> None:
        self.parts.append("\n")
        self.breaks += 1

    def _text(self, text: str) -> None:
        self.parts.append(text)
        if "[^" in text:
            self.refs.extend((m.group(1), self.breaks, True) for m in _REFERENCE_RE.finditer(text))


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


def parse_markdown(source: str) -> ParsedSource:
    source, duplicates = _rename_duplicate_definitions(source)
    tokens = _PARSER.parse(source)
    builder = _Builder()
    meta = Metadata()
    notes: list[MarkupNote] = []
    note: MarkupNote | None = None
    note_texts: list[list[str]] = []  # joined at the end: adding paragraph by paragraph was quadratic
    item_prefix = ""
    for token in tokens:
        if token.type == "list_item_open" and token.info and token.markup in (".", ")"):
            item_prefix = f"{token.info}{token.markup} "  # keep "1." so notes written as a list are found
        elif token.type == "front_matter":
            meta = _front_matter(token.content)
        elif token.type == "footnote_open":
            label = _label(str(token.meta.get("label", "")))
            note = MarkupNote(label, 0, "")
            notes.append(note)
            note_texts.append([])
        elif token.type == "footnote_close":
            note = None
        elif token.type == "inline" and token.map is not None:
            line = token.map[0] + 1
            if note is not None:
                if not note.line:
                    note.line = line
                text, links, _ = _render_inline(token, line, note.label)
                if text or note_texts[-1]:  # (no leading empty paragraph, as before)
                    note_texts[-1].append(text)
                note.links.extend(links)
            else:
                text, links, markers = _render_inline(token, line, None)
                builder.add_block(item_prefix + text, line)
                item_prefix = ""
                builder.links.extend(links)
                builder.markers.extend(markers)
    definition_lines: dict[FootnoteLabel, int] | None = None
    for note, texts in zip(notes, note_texts, strict=True):
        note.text = "\n".join(texts)
        if note.line == 0:
            if definition_lines is None:  # one pass for all of them, not one per note
                definition_lines = _definition_lines(source)
            note.line = definition_lines.get(note.label, 1)
    notes.extend(_unreferenced_definitions(source, {note.label for note in notes}))
    notes.sort(key=lambda item: item.line)
    parsed = ParsedSource(
        format="markdown",
        text="".join(builder.parts),
        source_lines=builder.source_lines,
        links=builder.links,
        notes=notes if notes else None,
        markers=builder.markers,
        meta=meta,
    )
    if duplicates and parsed.notes is not None:
        for item in parsed.notes:
            if isinstance(item.label, str) and _DUPLICATE_SUFFIX in item.label:
                item.label = _label(item.label.split(_DUPLICATE_SUFFIX)[0])
    return parsed


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
    links = [MarkupLink(href, line + breaks, note) for href, breaks in inline.links]
    markers = [
        MarkupMarker(_label(label), line + breaks)
        for label, breaks, as_text in inline.refs
        if note is None or not as_text
    ]
    return "".join(inline.parts), links, markers


def _label(text: str) -> FootnoteLabel:
    return int(text) if text.isascii() and text.isdigit() else text


def _rename_duplicate_definitions(source: str) -> tuple[str, bool]:
    seen: dict[str, int] = {}
    renamed = False

    def rename(match: re.Match[str]) -> str:
        nonlocal renamed
        label = match.group(2)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] == 1:
            return match.group(0)
        renamed = True
        return f"{match.group(1)}[^{label}{_DUPLICATE_SUFFIX}{seen[label]}]:"

    return _DEFINITION_RE.sub(rename, source), renamed


def _unreferenced_definitions(source: str, known: set[FootnoteLabel]) -> list[MarkupNote]:
    """Definitions that markdown-it drops because nothing refers to them: read
    from the source (label line plus indented continuation lines)."""
    found: list[MarkupNote] = []
    lines: list[str] | None = None
    line_index = 0  # lines counted up to counted_to, so that counting stays linear
    counted_to = 0
    for match in _DEFINITION_RE.finditer(source):
        label = _label(match.group(2))
        if label in known:
            continue
        if lines is None:
            lines = source.split("\n")
        first = line_index = line_index + source.count("\n", counted_to, match.start())
        counted_to = match.start()
        line_end = source.find("\n", match.end())
        content = [source[match.end() : line_end if line_end != -1 else len(source)]]
        index = first + 1
        while index < len(lines) and (
            lines[index].startswith(("    ", "\t"))
            or (not lines[index].strip() and index + 1 < len(lines) and lines[index + 1].startswith(("    ", "\t")))
        ):
            content.append(lines[index].strip())
            index += 1
        note = MarkupNote(label, first + 1, "")
        texts: list[str] = []
        for token in _PARSER.parse("\n".join(content).strip()):
            if token.type == "inline" and token.map is not None:
                text, links, _ = _render_inline(token, first + 1 + token.map[0], label)
                texts.append(text)
                note.links.extend(links)
        note.text = "\n".join(texts)
        found.append(note)
    return found


def _definition_lines(source: str) -> dict[FootnoteLabel, int]:
    """The line of the first definition of each label."""
    lines: dict[FootnoteLabel, int] = {}
    line = 1
    counted_to = 0
    for match in _DEFINITION_RE.finditer(source):
        line += source.count("\n", counted_to, match.start())
        counted_to = match.start()
        lines.setdefault(_label(match.group(2)), line)
    return lines


# Front matter is a few lines of metadata; a longer block is not read as YAML
# (the pure-Python parser takes seconds a megabyte).
_MAX_FRONT_MATTER = 100_000
# Deeply nested flow collections ("[[[[…") cost PyYAML seconds before it gives up.
_MAX_FLOW_BRACKETS = 1_000


def _front_matter(content: str) -> Metadata:
    if len(content) > _MAX_FRONT_MATTER or content.count("[") + content.count("{") > _MAX_FLOW_BRACKETS:
        return Metadata()
    try:
        data: Any = yaml.safe_load(content)
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
    return meta


def _front_matter_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return first_date(value)
    return None
