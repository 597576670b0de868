"""Footnotes written as plain text: the notes block and the markers that point at
it; and the title each citation gives the page it cites (the end of this module).

A notes block is a run of lines that start with a label -- ``(N)``, ``[N]``,
``N.``, ``N)`` or ``^N`` -- in one style. The run counts as the article's notes
when a heading ("Notes", "References"…) stands right before it, when the body
carries markers for its numbers, or (bracketed styles only) when its notes cite
something (a URL or a date). Where several runs qualify, the last one wins:
notes come at the end, and numbered lists earlier in the body are not notes.

A run referenced by markers must also cite something (a URL or date) in
one of its notes, so a plain numbered list after a stray "(1)" is not taken
for notes. Each note runs from its label to the next label; the last one to the end of its
paragraph. Everything outside the notes is body. Markers are searched in the body
only: ``(N)``, ``[N]`` and Unicode superscripts, never at the start of a line
(that is a list item), and only for numbers the notes define or close to them --
so "(2018)", "[sic]" and "Article 1." are not markers.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from refcheck.extract.dates import find_dates
from refcheck.extract.source import MarkupLink

# Led by a literal "\n" (text is searched as "\n" + text): a fast literal scan,
# where "^" under MULTILINE ran 6x slower.
_LABEL_RE = re.compile(
    r"\n[ \t]*(?:\((?P<paren>\d{1,3})\)|\[(?P<bracket>\d{1,3})\]|\^(?P<caret>\d{1,3})"
    r"|(?P<dot>\d{1,3})\.|(?P<rparen>\d{1,3})\))(?=[ \t]|$)",
    re.MULTILINE,
)
_HEADING_RE = re.compile(
    r"\n[ \t#*_]*(?:foot ?notes|end ?notes|notes(?: and references)?|references|sources|citations"
    r"|bibliography|quellen|anmerkungen|fußnoten|références)[ \t*_]*:?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
# One literal-led pattern per marker form: sre then skips ahead with a fast
# literal search (1,400 MB/s measured), while one alternation of them ran at 29.
# What stands before a marker is checked afterwards, not with a lookbehind.
_MARKER_RES = (re.compile(r"\((\d{1,4})\)"), re.compile(r"\[(\d{1,4})\]"))
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_SUPERSCRIPT_RE = re.compile(f"[{_SUPERSCRIPTS}]+")
_SUPERSCRIPT_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_BLANK_RE = re.compile(r"[ \t\r\n*\-_=]*")

_BRACKETED = frozenset({"paren", "bracket", "caret"})
# How far past the highest defined number a marker may go and still be taken for a marker.
_MARKER_SLACK = 10


@dataclass(slots=True)
class TextNote:
    number: int
    start: int
    """Offset of the label."""
    body_start: int
    """Offset of the note's text, after the label."""
    end: int


@dataclass(slots=True)
class TextMarker:
    number: int
    start: int


@dataclass(slots=True)
class _Label:
    style: str
    number: int
    start: int
    end: int


def find_notes(text: str, markers: list[TextMarker], url_starts: list[int]) -> list[TextNote]:
    """The notes block of ``text`` as notes in order of appearance, or [] when it has none.
    ``markers`` is ``scan_markers(text)``; ``url_starts`` the sorted offsets of its URLs."""
    # Offsets in "\n" + text are one past those in text: m.start() is the label line's start.
    padded = "\n" + text
    labels = [
        _Label(style, int(number), m.start(), m.end() - 1)
        for m in _LABEL_RE.finditer(padded)
        for style, number in m.groupdict().items()
        if number is not None
    ]
    if not labels:
        return []
    headings = [m.end() - 1 for m in _HEADING_RE.finditer(padded)]
    del padded
    # Everything a run is judged by is looked up (bisect, dict), never rescanned
    # per run: a file of thousands of one-line runs was quadratic.
    evidence = _Evidence(text, headings, markers, url_starts)
    chosen: list[_Label] | None = None
    for run in _runs(labels, headings):
        if _qualifies(run, evidence):
            chosen = run
    if chosen is None:
        return []
    notes: list[TextNote] = []
    for index, label in enumerate(chosen):
        if index + 1 < len(chosen):
            end = chosen[index + 1].start
        else:
            blank = _BLANK_LINE_RE.search(text, label.end)
            end = blank.start() if blank else len(text)
        notes.append(TextNote(label.number, label.start, label.end, end))
    return notes


class _Evidence:
    """What tells a run of labels to be notes, indexed once for the whole text."""

    def __init__(self, text: str, headings: list[int], markers: list[TextMarker], url_starts: list[int]) -> None:
        self.text = text
        self.headings = headings
        self.url_starts = url_starts
        self.first_marker: dict[int, int] = {}
        for marker in markers:  # in order: the first one of each number stays
            self.first_marker.setdefault(marker.number, marker.start)
        self._blank_ends: dict[int, int] = {}
        self._dates: tuple[list[int], list[int]] | None = None

    def heading_before(self, start: int) -> bool:
        """A heading stands right before ``start``, with only blank lines or rules between.
        Only the last heading before it can: an earlier one has the later one's words between."""
        index = bisect_right(self.headings, start) - 1
        if index < 0:
            return False
        heading_end = self.headings[index]
        blank_end = self._blank_ends.get(heading_end)
        if blank_end is None:
            blank_end = self._blank_ends[heading_end] = _BLANK_RE.match(self.text, heading_end).end()  # type: ignore[union-attr]
        return start <= blank_end

    def cites(self, start: int, end: int) -> bool:
        """A URL starts, or a full date stands, within ``text[start:end]``."""
        first_url = bisect_left(self.url_starts, start)
        if first_url < len(self.url_starts) and self.url_starts[first_url] < end:
            return True
        if self._dates is None:
            found = list(find_dates(self.text))
            self._dates = ([date.start for date in found], [date.end for date in found])
        starts, ends = self._dates
        first_date = bisect_left(starts, start)
        return first_date < len(starts) and ends[first_date] <= end


def _runs(labels: list[_Label], headings: list[int]) -> list[list[_Label]]:
    """Split label lines into runs: a new run starts when the style changes, the
    numbering restarts at 1, or a heading stands between two labels."""
    runs: list[list[_Label]] = []
    current: list[_Label] = []
    for label in labels:
        if current:
            previous = current[-1]
            restart = label.number <= 1 and previous.number >= 1
            after = bisect_left(headings, previous.end)
            heading_between = after < len(headings) and headings[after] <= label.start
            if label.style != previous.style or restart or heading_between:
                runs.append(current)
                current = []
        current.append(label)
    if current:
        runs.append(current)
    return runs


def _qualifies(run: list[_Label], evidence: _Evidence) -> bool:
    first = run[0]
    if evidence.heading_before(first.start):
        return True
    referenced = any(evidence.first_marker.get(label.number, first.start) < first.start for label in run)
    text_length = len(evidence.text)
    citing = 0
    for index, label in enumerate(run):
        end = run[index + 1].start if index + 1 < len(run) else min(text_length, label.end + 2000)
        if evidence.cites(label.end, end):
            citing += 1
    if referenced:
        return citing > 0  # markers point at it and it cites something
    # Unreferenced notes are still notes when bracketed and mostly citing something.
    return first.style in _BRACKETED and citing * 2 >= len(run)


def scan_markers(text: str) -> list[TextMarker]:
    """Every marker-like number in ``text``, wherever it stands (notes included), in order."""
    found: list[tuple[int, str]] = []
    for pattern in _MARKER_RES:
        for m in pattern.finditer(text):
            start = m.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "([_"):
                continue
            found.append((start, m.group(1)))
    if any(ch in text for ch in _SUPERSCRIPTS):
        found.extend((m.start(), m.group(0).translate(_SUPERSCRIPT_DIGITS)) for m in _SUPERSCRIPT_RE.finditer(text))
    found.sort()
    markers: list[TextMarker] = []
    for start, digits in found:
        before = start - 1
        while before >= 0 and text[before] in " \t":
            before -= 1
        if before < 0 or text[before] == "\n":
            continue  # a label at the start of a line is a list item, not a marker
        markers.append(TextMarker(int(digits), start))
    return markers


def find_markers(markers: list[TextMarker], notes: list[TextNote], defined: set[int]) -> list[TextMarker]:
    """The markers of ``scan_markers(text)`` that stand in the body (outside
    ``notes``) and point at a defined number or close to one."""
    if not defined:
        return []
    ceiling = max(defined) + _MARKER_SLACK
    spans = [(note.start, note.end) for note in notes]
    kept: list[TextMarker] = []
    index = 0
    for marker in markers:
        while index < len(spans) and spans[index][1] <= marker.start:
            index += 1
        if index < len(spans) and spans[index][0] <= marker.start:
            continue  # inside a note
        if marker.number in defined or 0 < marker.number <= ceiling:
            kept.append(marker)
    return kept


def body_spans(text_length: int, notes: list[TextNote]) -> list[tuple[int, int]]:
    """The stretches of the text that are not inside a note."""
    spans: list[tuple[int, int]] = []
    position = 0
    for note in notes:
        if note.start > position:
            spans.append((position, note.start))
        position = max(position, note.end)
    if position < text_length:
        spans.append((position, text_length))
    return spans


# --- the titles citations give ----------------------------------------------------
#
# For content drift: the title an article gives a cited page -- a link's text, a
# note's quoted title, or the title between the outlet and the date of a note like
# "Reuters: Title of story, 28 August 2018, https://…" -- is compared with the
# page's title then and now. A text that names no page ("here", the URL itself, a
# number) is no title: None, never a guess.

# Link texts that name no page, per language the project reads (lower-cased, with
# spaces between words). Data, not logic: add a language by adding a line.
_GENERIC_LINK_TEXTS: dict[str, tuple[str, ...]] = {
    "en": ("here", "click here", "link", "this link", "the link", "source", "sources", "the source", "this",
           "read more", "more", "see", "see here", "via", "archived", "archive", "archived copy", "archive copy",
           "archived from the original", "the original", "original", "original article", "pdf", "full text",
           "website", "web site", "site", "homepage", "home page", "home", "article", "this article", "story",
           "this story", "report", "this report", "the report", "statement", "video", "watch", "photo", "tweet",
           "download", "continue reading", "learn more", "details", "page", "this page", "visit", "view",
           "full story", "full report", "in full", "here and here", "reported", "said"),
    "ar": ("هنا", "المصدر", "مصدر", "رابط", "الرابط", "اضغط هنا", "انقر هنا", "اقرأ المزيد", "المزيد", "للمزيد",
           "مؤرشف", "أرشيف", "الأصل", "التقرير", "تقرير"),
    "he": ("כאן", "קישור", "הקישור", "מקור", "המקור", "לחצו כאן", "לחץ כאן", "קרא עוד", "קראו עוד", "לקריאה נוספת",
           "ארכיון", "בארכיון", "המקורי"),
    "fa": ("اینجا", "منبع", "پیوند", "لینک", "بیشتر بخوانید", "ادامه مطلب", "بایگانی", "آرشیو", "اصلی"),
    "tr": ("burada", "buraya", "burası", "bağlantı", "link", "kaynak", "devamı", "devamını oku", "daha fazla",
           "arşiv", "arşivlendi", "tıklayın", "buraya tıklayın", "orijinal"),
    "ru": ("здесь", "тут", "ссылка", "по ссылке", "источник", "подробнее", "читать далее", "читать полностью",
           "архив", "архивная копия", "оригинал", "статья"),
    # Not a language of the project's own, but common in real material (measured: German pages).
    "de": ("hier", "mehr", "mehr erfahren", "weiterlesen", "quelle", "link", "archiviert"),
    # Services named as links beside a reference: the service, not the cited page.
    "services": ("google scholar", "pubmed", "crossref", "cas", "pubmed central", "article", "full article",
                 "view article", "open account", "sign up", "subscribe"),
}  # fmt: skip
# Link texts that start like these say what to do, not what the page is ("Click here for…").
_GENERIC_STARTS = ("click here", "read more", "learn more", "continue reading", "see more", "more about")


@dataclass(slots=True)
class TitledLink(MarkupLink):
    """A markup link with the title its text gives the page (:func:`link_title`)."""

    title: str | None = None


_GENERIC = frozenset(text for texts in _GENERIC_LINK_TEXTS.values() for text in texts)
_MAX_TITLE = 300
"""Characters: a longer link text is a paragraph made a link, not a title."""
_MIN_TITLE_WORDS = 2
"""A one-word link text names the outlet ("Reuters") or a word of the sentence, not the page."""
_EDGE_PUNCTUATION = " \t\n\"'“”‘’«»„‹›「」『』()[]{}<>.,;:!?-–—|/\\*_^↑•·"
# A URL, or a bare domain ("reuters.com", "www.bbc.co.uk/news"): "U.S." is none.
_URLISH_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?", re.IGNORECASE)
_LINK_IN_TEXT_RE = re.compile(r"[a-z][a-z0-9+.-]*://|www\.", re.IGNORECASE)
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")


def link_title(text: str | None, *, in_prose: bool = False) -> str | None:
    """The title a link's text gives the page it leads to, or None when the text
    names no page: empty, the URL or a bare domain, a number or label ("[3]",
    "↑"), a generic word ("here", "source", "archived"… in the languages above),
    one word, or a paragraph. ``in_prose``: a link of the running text (not of a
    note), whose text must also start like a title -- with a capital, or in a
    script without case: a link on words of a sentence ("was <a>owned by the same
    company</a>") names no page (measured: most misses on real pages were such)."""
    if not text:
        return None
    title = " ".join(text.split()).strip(_EDGE_PUNCTUATION)
    if not title or len(title) > _MAX_TITLE or not _HAS_LETTER_RE.search(title):
        return None
    if title.count("(") > title.count(")"):
        title += ")"  # "Original author(s)": its closing parenthesis was taken for punctuation
    if _URLISH_RE.fullmatch(title) or (len(title) <= _LONGEST_DATE and _only_a_date(title)):
        return None
    folded = title.casefold()
    if len(title.split()) < _MIN_TITLE_WORDS or folded in _GENERIC or folded.startswith(_GENERIC_STARTS):
        return None
    if in_prose and _HAS_LETTER_RE.search(title).group().islower():  # type: ignore[union-attr]
        return None
    return title


# Quoted spans, by their opening mark (straight double quotes close themselves).
_QUOTED_RE = re.compile(
    r"“([^“”\n]+)[”“]|\"([^\"\n]+)\"|«([^«»\n]+)»|„([^„“”\n]+)[“”]|‹([^‹›\n]+)›|「([^「」\n]+)」|『([^『』\n]+)』"
)
_MIN_QUOTED_WORDS = 3
_MAX_NOTE_TITLE_WORDS = 40
# A note's lead-in before what it cites: "See on this e.g.", "cf.", "see also".
_LEAD_IN_RE = re.compile(
    r"^.*?\b(?:see|cf\.|compare)(?:\s+on\s+this)?(?:\s+also)?(?:\s+e\.\s?g\.)?[,:]?\s+", re.IGNORECASE
)
# "Outlet: ", "Author: ", "chapter V of Author: " -- what stands before the title.
_NAMED_RE = re.compile(r"^[^:]{1,60}?:\s+(?=\S)")
# A trailing ", Outlet" or ", Author Name" after the title: a few capitalised words.
_TRAILING_NAME_RE = re.compile(r",\s+[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)?\s*$")
_SEGMENT_SEPARATOR_RE = re.compile(r"[;\n]")
_DIGIT_RE = re.compile(r"\d")


def note_titles(text: str, urls: list[str]) -> tuple[dict[str, str | None], str | None]:
    """The titles a footnote's text gives what it cites. ``urls``: the URLs of its
    citations as written, in order (one written elsewhere -- an HTML or Markdown
    link's target -- is passed over). Returns, by each URL written in ``text``, the
    title written in the stretch before it (since the previous URL or ``;``), and
    the note's own title for a link not written in it: its first quoted title, or
    the title of its only citing stretch. When ``text`` has several URLs, one whose
    stretch gives no title maps to None: another stretch's title is not its own."""
    by_url: dict[str, str | None] = {}
    position = 0
    first: str | None = None
    untitled: list[str] = []
    for url in urls:
        start = text.find(url, position) if url else -1
        if start < 0:
            continue
        stretch = text[position:start]
        cut = max((m.end() for m in _SEGMENT_SEPARATOR_RE.finditer(stretch)), default=0)
        title = stretch_title(stretch[cut:])
        if title is not None:
            by_url.setdefault(url, title)
            first = first or title
        else:
            untitled.append(url)
        position = start + len(url)
    titled = len(by_url)
    whole = _quoted_title(text) or (first if titled <= 1 else None)
    if whole is None and not by_url and ";" not in text:
        whole = stretch_title(text)
    if titled + len(set(untitled) - by_url.keys()) > 1:
        for url in untitled:
            by_url.setdefault(url, None)
    return by_url, whole


def stretch_title(stretch: str) -> str | None:
    """The title in the words a note gives one citation: its first quoted span of
    three or more words, else -- for "Outlet: Title, date" and "Title, date" -- the
    words between the outlet (or the start) and the date, when they stand right
    before a date and read as a title."""
    quoted = _quoted_title(stretch)
    if quoted is not None:
        return quoted
    if _quotes_speech(stretch):
        return None  # the words before the date are what someone said, not a title
    stretch = " ".join(stretch.split())
    if not _DIGIT_RE.search(stretch, max(0, len(stretch) - _DATE_WINDOW)):
        return None  # no date at its end: only a date ends a title here
    date_start = _date_at_end(stretch)
    if date_start is None:
        return None
    words = stretch[:date_start]
    lead_in = _LEAD_IN_RE.match(words)
    if lead_in is not None:
        words = words[lead_in.end() :]
    named = _NAMED_RE.match(words)
    if named is not None and len(words[named.end() :].split()) >= _MIN_QUOTED_WORDS:
        words = words[named.end() :]
    words = words.strip(_EDGE_PUNCTUATION)
    trailing = _TRAILING_NAME_RE.search(words)
    if trailing is not None and len(words[: trailing.start()].split()) >= _MIN_QUOTED_WORDS:
        words = words[: trailing.start()]
    count = len(words.split())
    if not _MIN_QUOTED_WORDS <= count <= _MAX_NOTE_TITLE_WORDS or _LINK_IN_TEXT_RE.search(words):
        return None
    return link_title(words)


_LONGEST_DATE = 40


def _only_a_date(text: str) -> bool:
    """``November 20, 2019``: a tweet's or post's date made its link, not a title."""
    if not _DIGIT_RE.search(text):
        return False
    found = next(find_dates(text, partial=True), None)
    return found is not None and not (text[: found.start] + text[found.end :]).strip(_DATE_TAIL)


def _quoted_title(text: str) -> str | None:
    for match in _QUOTED_RE.finditer(text):
        quoted = next(group for group in match.groups() if group is not None)
        if len(quoted.split()) >= _MIN_QUOTED_WORDS and not _is_speech(text, match.start(), quoted):
            title = link_title(quoted)
            if title is not None:
                return title
    return None


# Words that introduce quoted speech rather than a title ("praised the SDF: “They
# have…”", "told a committee that they constitute “the most…”"), in the languages
# the corpus is written in. Measured: the two wrong titles of ../shared/corpus were such.
_SPEECH_RE = re.compile(
    r"\b(?:said|says|say|saying|told|tells|stated|states|declared|declares|praised|praises|warned|warns"
    r"|added|adds|noted|explained|argued|argues|claimed|claims|insisted|insists|announced|asked|replied"
    r"|tweeted|posted|wrote that|writes that|quoted|according to|called (?:it|them|him|her|this)"
    r"|sagte|erklärte|сказал|сказала|заявил|заявила|заявили|отметил|отметила|dedi|söyledi|açıkladı)\b"
    r"|(?:قال|قالت|صرح|صرّح|أضاف|أكد|אמר|אמרה|הוסיף|הצהיר|گفت|اظهار کرد)"
    r"|\bAccording to\b",
)
"""Case matters: a verb of saying is written in lower case ("the State Department
said"); "United States", "Claims Conference" or "Says Who" in a note name something."""
_SENTENCE_END_RE = re.compile(r"[.!?]\s+(?=\S)|[\n;]")


def _quotes_speech(text: str) -> bool:
    """``text`` quotes someone's words (a quotation of three words or more that is speech)."""
    for match in _QUOTED_RE.finditer(text):
        quoted = next(group for group in match.groups() if group is not None)
        if len(quoted.split()) >= _MIN_QUOTED_WORDS and _is_speech(text, match.start(), quoted):
            return True
    return False


def _is_speech(text: str, quote_start: int, quoted: str) -> bool:
    """A quotation of what someone said, not the title of what is cited: it starts
    in lower case (a fragment of a sentence), or the sentence it stands in has a
    verb of saying before it."""
    letter = _HAS_LETTER_RE.search(quoted)
    if letter is not None and letter.group().islower():
        return True
    sentence_start = max((m.end() for m in _SENTENCE_END_RE.finditer(text, 0, quote_start)), default=0)
    return _SPEECH_RE.search(text, sentence_start, quote_start) is not None


_DATE_TAIL = " \t,;.:/–—-()"
_DATE_WINDOW = 48


def _date_at_end(stretch: str) -> int | None:
    """Where the date that ends ``stretch`` starts (only punctuation after it), or None.
    Only the last _DATE_WINDOW characters are searched (from a word's start): a date
    is short, and searching every note whole was a third of extracting note-dense text."""
    window = 0
    if len(stretch) > _DATE_WINDOW:
        window = stretch.find(" ", len(stretch) - _DATE_WINDOW) + 1
    last = None
    for found in find_dates(stretch[window:], partial=True):
        last = found
    if last is None or stretch[window + last.end :].strip(_DATE_TAIL):
        return None
    return window + last.start
