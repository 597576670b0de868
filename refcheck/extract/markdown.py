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
from datetime import date, datetime
from typing import Any

import yaml
from markdown_it import MarkdownIt
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


def parse_markdown(source: str) -> ParsedSource:
    source, duplicates = _rename_duplicate_definitions(source)
    tokens = _PARSER.parse(source)
    builder = _Builder()
    meta = Metadata()
    notes: list[MarkupNote] = []
    note: MarkupNote | None = None
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
        elif token.type == "footnote_close":
            note = None
        elif token.type == "inline" and token.map is not None:
            line = token.map[0] + 1
            if note is not None:
                if not note.line:
                    note.line = line
                text, links, _ = _render_inline(token, line, note.label)
                note.text = f"{note.text}\n{text}" if note.text else text
                note.links.extend(links)
            else:
                text, links, markers = _render_inline(token, line, None)
                builder.add_block(item_prefix + text, line)
                item_prefix = ""
                builder.links.extend(links)
                builder.markers.extend(markers)
    for note in notes:
        if note.line == 0:
            note.line = _definition_line(source, note.label)
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
    parts: list[str] = []
    links: list[MarkupLink] = []
    markers: list[MarkupMarker] = []
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            parts.append(child.content)
            if note is None and "[^" in child.content:
                markers.extend(MarkupMarker(_label(m.group(1)), line) for m in _REFERENCE_RE.finditer(child.content))
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
            line += 1
        elif kind == "link_open":
            href = child.attrs.get("href")
            if isinstance(href, str):
                links.append(MarkupLink(href, line, note))
        elif kind == "footnote_ref":
            markers.append(MarkupMarker(_label(str(child.meta.get("label", ""))), line))
        elif kind == "code_inline":
            parts.append(" ")
    return "".join(parts), links, markers


def _label(text: str) -> FootnoteLabel:
    return int(text) if text.isdigit() else text


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
    lines = source.split("\n")
    for match in _DEFINITION_RE.finditer(source):
        label = _label(match.group(2))
        if label in known:
            continue
        first = source.count("\n", 0, match.start())
        content = [
            source[match.end() : source.find("\n", match.end()) if "\n" in source[match.end() :] else len(source)]
        ]
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


def _definition_line(source: str, label: FootnoteLabel) -> int:
    for match in _DEFINITION_RE.finditer(source):
        if _label(match.group(2)) == label:
            return source.count("\n", 0, match.start()) + 1
    return 1


def _front_matter(content: str) -> Metadata:
    try:
        data: Any = yaml.safe_load(content)
    except yaml.YAMLError:
        return Metadata()
    if not isinstance(data, dict):
        return Metadata()
    meta = Metadata()
    title = data.get("title")
    meta.title = str(title) if title else None
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
