"""One place that makes a string from the corpus or from a server safe for each
output format: Markdown (text and code spans, in and out of tables), HTML, XML
(GraphML), DOT and Mermaid. Every writer of report.md, report.html and the graph
files goes through here.

Every function first makes the string :func:`plain`: URL credentials masked
(``https://***@host/``), line breaks made spaces, and every other control
character, lone surrogate, XML-forbidden noncharacter and bidirectional override
shown as a visible escape (``\\x01``, ``\\u202e``) -- so no output carries a raw
control character (GraphML stays valid XML, a terminal showing report.md gets no
escape sequences, a label cannot be made to read backwards). Then the format's
own metacharacters are escaped.
"""

from __future__ import annotations

import math
import re
from html import escape as _html_escape

from refcheck.redact import redact

# C0 and C1 controls (tab, line feed and carriage return are handled as line
# breaks), DEL, lone surrogates, U+FFFE/U+FFFF (not XML characters), the byte
# order mark, and the characters that change the direction of text.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)
_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]")
_ANY = re.compile(_HIDDEN.pattern[:-1] + "\t\n\r\x85\u2028\u2029]")


def _shown(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """One line of text with credentials masked and no hidden characters (see the module)."""
    text = value if isinstance(value, str) else str(value)
    if "@" in text:
        text = redact(text)
    if _ANY.search(text) is None:
        return text
    return _HIDDEN.sub(_shown, _BREAKS.sub(" ", text))


def ident(value: object) -> str:
    """:func:`plain` for a node id: backslashes doubled first, so two different
    ids never come out the same (``a\\x01`` the text and ``a`` + U+0001)."""
    return plain(str(value).replace("\\", "\\\\"))


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def markdown(value: object) -> str:
    """Markdown text (a table cell or a line): no HTML, no emphasis, no links, no
    table breaks (``|`` escaped), one line."""
    text = plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def markdown_code(value: object, table: bool = False) -> str:
    """A URL or path shown as a code span (never a live link). Backticks cannot
    close it. In a table cell ``|`` is escaped as ``\\|``: GitHub, GitLab and
    markdown-it split cells at ``|`` even inside a code span, and render ``\\|``
    there as ``|``."""
    text = " ".join(plain(value).split()).replace("`", "'")
    if table:
        text = text.replace("|", "\\|")
    return f"`{text}`"


# --------------------------------------------------------------------------- HTML and XML


def html(value: object) -> str:
    """HTML text or a quoted attribute value."""
    return _html_escape(plain(value), quote=True)


def xml(value: object) -> str:
    """XML text or a quoted attribute value (GraphML): only characters XML 1.0 allows."""
    return plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def xml_id(value: object) -> str:
    """An XML attribute value that names a node (see :func:`ident`)."""
    return xml(ident(value))


# --------------------------------------------------------------------------- DOT and Mermaid


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(value: object) -> str:
    """A DOT quoted string (a label): backslash and quote escaped, so neither
    Graphviz's ``\\N``/``\\l`` escapes nor a closing quote can be smuggled in."""
    return _dot_quote(plain(value))


def dot_id(value: object) -> str:
    """A DOT quoted string that names a node (see :func:`ident`)."""
    return _dot_quote(ident(value))


_MERMAID_UNSAFE = re.compile(r"[^\w .,:/()'-]")


def mermaid(value: object, limit: int = 60) -> str:
    """A Mermaid label: letters, digits and a little punctuation only (no quotes,
    brackets, pipes, ``%%`` or HTML), at most ``limit`` characters."""
    return _MERMAID_UNSAFE.sub(" ", plain(value))[:limit].strip() or "?"


# --------------------------------------------------------------------------- additions for the templated reports

_MD_INLINE_SPECIAL = re.compile(r"([\\*_{}\[\]|~])")
_MD_HEADING_CLOSE = re.compile(r"(^|\s)(#+)(\s*)$")


def markdown_text(value: object) -> str:
    """Markdown text in the middle of a line (after ``- ``, ``| `` or a heading's
    ``# ``): no HTML, no emphasis, no links, no table breaks, one line. Unlike
    :func:`markdown`, characters that matter only at the start of a line (``+``,
    ``-``, ``#``, ``>``, ``1.``) or only after a ``]`` (``(``, ``)``) are left as
    they are, so a timestamp reads ``09:34:57+00:00`` (not ``09:34:57\\+00:00``) in
    a terminal too. A trailing run of ``#`` is escaped: it would close a heading. A
    backtick is shown as ``'`` (as in :func:`markdown_code`): in a table cell a
    stray one reads like a code span broken apart."""
    text = plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
    text = _MD_INLINE_SPECIAL.sub(r"\\\1", text)
    text = _MD_HEADING_CLOSE.sub(lambda match: match.group(1) + "\\" + match.group(2) + match.group(3), text)
    return " ".join(text.split())


_AUTOLINKABLE = re.compile(r"https?://[^\s<>`|\\\x00-\x20\x7f]+", re.IGNORECASE)


def markdown_autolink(value: object) -> str | None:
    """An http(s) URL as a Markdown autolink (``<https://…>``), live in every
    CommonMark renderer; None when the URL is not one that an autolink carries
    unchanged (a space, ``<``, ``>``, a backtick, ``|``, a backslash, a hidden
    character or credentials): show it as a code span then."""
    text = value if isinstance(value, str) else str(value)
    if plain(text) != text or _AUTOLINKABLE.fullmatch(text) is None:
        return None
    return f"<{text}>"


_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _plain_data(value: object) -> object:
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, dict):
        return {plain(key): _plain_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_data(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or infinity
    return value


def script_json(value: object) -> str:
    """JSON for a ``<script type="application/json">`` data block of an HTML page:
    every string (keys too) made :func:`plain` (credentials masked, no hidden
    character), NaN and infinities null, and ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX``
    escapes, so the data can neither close the element (``</script>``) nor open a
    comment, and reads back with ``JSON.parse`` unchanged."""
    import json

    text = json.dumps(_plain_data(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_UNSAFE)
