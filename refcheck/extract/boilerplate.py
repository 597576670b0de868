"""Page furniture in plain text and Markdown: what a blog or news site adds after
the article when a page is saved as text ("Share this:", "Leave a Reply",
"Post a Comment", "Related posts", "Subscribe to our newsletter").

Where such a line starts the last part of the text, everything from it to the
end (or to the notes, which are the article's) is ``page``. The line must be
short and stand alone (a heading of the tail, not a sentence that happens to
say "related"), and sit in the last part of the text.
"""

from __future__ import annotations

import re

_TAIL_FROM = 0.5
"""Only the second half of the text can start the tail."""
_MAX_LINE = 60

_TAIL_RE = re.compile(
    r"^\W{0,3}(?:"
    r"leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|add\s+(?:a\s+)?comment|\d*\s*comments?|no\s+comments|"
    r"(?:\d+\s+)?responses?(?:\s+to\b.*)?|share\s+this(?:\s+(?:article|story|post))?|share\s+(?:on|via)\b.*|"
    r"like\s+this|related(?:\s+(?:posts?|articles?|stories|content|reading|news))?|"
    r"you\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in)|more\s+from\b.*|read\s+more|"
    r"recommended(?:\s+for\s+you)?|most\s+(?:read|popular|viewed)|trending(?:\s+now)?|"
    r"subscribe(?:\s+to\b.*)?|sign\s+up\s+for\b.*|follow\s+us\b.*|tags?|filed\s+under\b.*|"
    r"about\s+the\s+author|share\s+and\s+enjoy|print\s+this\s+(?:article|page)|"
    r"email\s+this|join\s+the\s+(?:conversation|discussion)|loading(?:\.\.\.|…)?"
    r")\W{0,3}$",
    re.IGNORECASE,
)


def tail_span(text: str, notes_start: int | None = None) -> tuple[int, int] | None:
    """The ``[start, end)`` offsets of a boilerplate tail, or None. The tail ends
    where the notes start, when they come after it."""
    earliest = int(len(text) * _TAIL_FROM)
    position = earliest
    # Line by line from the middle: the first boilerplate heading starts the tail.
    line_start = text.find("\n", position)
    while line_start != -1:
        line_start += 1
        line_end = text.find("\n", line_start)
        end = line_end if line_end != -1 else len(text)
        if notes_start is not None and line_start >= notes_start:
            return None
        line = text[line_start:end]
        if line.strip() and len(line) <= _MAX_LINE and _TAIL_RE.match(line.strip()):
            stop = notes_start if notes_start is not None and notes_start > line_start else len(text)
            return (line_start, stop)
        line_start = line_end
    return None
