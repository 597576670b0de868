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
