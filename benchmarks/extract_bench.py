#!/usr/bin/env python
"""Extraction benchmark for refcheck: throughput (MB/s) and peak memory, end to end.

What it does, in order:

1. Generates a synthetic corpus, deterministically (seeded ``random``): plain-text
   articles of 20-60 KB (``--mb`` in total, default 50) with a byline and date,
   ``(n)`` footnote markers, a notes block of "(n) Outlet: Title, date, URL; URL"
   notes, inline URLs (with scheme, ``www.`` without one, bare ``example.org/path``,
   in parentheses, before punctuation, commas and parentheses in paths) and outlets
   named in prose; plus smaller Markdown (``[^n]``, ``[text](url)``) and HTML
   (``<sup><a href="#fn1">``, ``section.footnotes``) corpora. The text corpus is
   also cut to ``--small-mb`` (default 10) by hard-linking its first files, so the
   two text sizes have the same make-up.
2. Runs ``refcheck.pipeline.run([dir], Settings(offline=True))`` -- what the CLI
   does, minus reports -- once per fresh subprocess (pinned to CPU 0 with
   ``taskset -c 0`` when available), ``--runs`` times per corpus, and reports the
   median throughput (bytes on disk / wall seconds of ``run``) and the peak RSS
   (``ru_maxrss`` at the end of the subprocess).
3. Compares refcheck's URL finder alone (``refcheck.extract.urls.find_urls``) with
   linkify-it-py (``LinkifyIt().match``, default TLDs, fuzzy links on) over the
   concatenated text of the plain-text corpus (a slice of it if linkify would take
   more than ~2 minutes a run), again one fresh subprocess per run.
4. Profiles one text run with cProfile (unless ``--no-profile``).
5. Prints Markdown tables; ``--write`` puts them in ``benchmarks/RESULTS.md``
   between ``<!-- extract-bench:start -->`` and ``<!-- extract-bench:end -->``.

No network is used: the measured subprocesses replace ``socket`` connect and
name lookups with a function that raises, and ``offline=True`` is set.

Which code ran: the working tree by default, or ``--ref REV`` to measure
``refcheck/`` as committed (exported with ``git archive`` and put first on
``PYTHONPATH``). Every subprocess records a fingerprint of the sources it
imported; if ``refcheck/`` changed during the run, the report says so. Each
run also records CPU time / wall time, so a run that waited for CPU 0 (another
process there) is flagged rather than silently read as slow.

Usage::

    .venv/bin/python benchmarks/extract_bench.py            # measure and print
    .venv/bin/python benchmarks/extract_bench.py --write    # ... and update RESULTS.md
    .venv/bin/python benchmarks/extract_bench.py --ref HEAD~1 --out /tmp/corpus  # an older commit, corpus kept
    .venv/bin/python benchmarks/extract_bench.py --mb 5 --small-mb 1 --md-mb 1 --html-mb 1 --runs 1  # smoke test

MB here is 10^6 bytes throughout.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"
START_MARK = "<!-- extract-bench:start -->"
END_MARK = "<!-- extract-bench:end -->"
MB = 1_000_000
GENERATOR_VERSION = 3
"""Bump when the generator changes, so a corpus kept with ``--out`` is rebuilt."""

TARGET_MBPS = 15.0
FLAT_RATIO = 1.25
"""Memory counts as flat when peak RSS at the large text corpus is at most this
many times the peak at the small one (the corpus itself grows 5x)."""
CHILD_TIMEOUT = 300.0
LINKIFY_MAX_SECONDS = 120.0
"""linkify-it-py runs on a slice of the text when one run on the whole would take longer
(or when its runs would not fit in what is left of ``--budget``)."""


# ====================================================================================
# Corpus generation
# ====================================================================================


def _split(words: str) -> list[str]:
    return words.split()


_WORDS = _split("""
the the the the the of of of of and and and to to to a a a in in in that that is was for on on
with as as by by at from it its this be are were has have had not but which their they who
would will could should may might said also been more than after over into about between against
during before under while where when since because only other some many most first last new
government officials minister ministry president army forces military police security militia
rebels fighters groups group opposition province city town village villages border crossing road
highway camp camps refugees displaced civilians people population residents families children
aid agencies agency humanitarian relief supplies fuel water food medicine hospital hospitals
talks negotiations ceasefire truce agreement deal memorandum summit meeting round conference
diplomats diplomat envoy delegation capital capitals statement statements report reports
reporting coverage newspaper paper editors reporters correspondent sources source account
accounts claims claimed warned warning warnings described describes told says saying announced
offensive operation campaign strike strikes rockets shelling attack attacks troops units posts
observation patrols patrol deployment withdrawal arrangement pressure position bargaining
state states regional region regions local national international foreign domestic political
economic sanctions oil gas prices markets budget salaries payments reconstruction elections
coalition parliament party parties leader leaders council committee court ruling law laws
north south east west north-western south-western eastern western northern southern central
week weeks month months year years summer winter spring autumn morning evening night day days
again once still already never ever always often rarely soon later earlier recently now then
however although though whether while despite instead rather perhaps likely unlikely clearly
large small long short full limited strategic fragile weak strong quiet calm blunt careful
new old young senior junior former current next previous several few dozens hundreds thousands
million millions half third quarter number numbers figures figure estimate estimates data
question questions answer problem problems risk risks cost costs price benefit interest
interests concern concerns fear fears hope hopes reason reasons pattern history story stories
map maps line lines zone zones area areas territory territories ground air sea coast coasts
decision decisions policy policies strategy plan plans timetable deadline pledge pledges
promise promises guarantee guarantees commitment commitments role roles influence power
powers control support backing ally allies partner partners rivals neighbours neighbour
""")

_PLACES = _split("""
Idlib Aleppo Damascus Homs Daraa Raqqa Deir Mosul Kirkuk Erbil Baghdad Basra Beirut Tripoli
Amman Cairo Gaza Ramallah Jerusalem Haifa Ankara Istanbul Tehran Moscow Sochi Astana Geneva
Vienna Brussels Washington Riyadh Doha Dubai Muscat Sanaa Aden Hodeidah Benghazi Tunis Algiers
Khartoum Ashkelon Hebron Golan Afrin Manbij Qamishli Tartus Latakia Hama Quneitra Sinjar
""")

_PEOPLE = """
Jane Doe|Omar Haddad|Nadia Karam|Jonas Weber|Leila Saleh|Peter Novak|Samir Aziz|Hanna Berg|
Yusuf Demir|Maria Costa|Karim Mansour|Elena Petrova|David Cohen|Rania Khoury|Tom Fischer
""".replace("\n", "").split("|")

_DESKS = ["Middle East Desk", "Foreign Desk", "Analysis", "Staff Reporter", "Special Correspondent", "News Desk"]

# Real outlets from refcheck's shipped list: (name as written in prose, registrable domain).
_REAL_OUTLETS = [
    ("Reuters", "reuters.com"),
    ("Al Jazeera", "aljazeera.com"),
    ("Middle East Eye", "middleeasteye.net"),
    ("Al-Akhbar", "al-akhbar.com"),
    ("Haaretz", "haaretz.com"),
    ("The Guardian", "theguardian.com"),
    ("TASS", "tass.com"),
    ("Al-Monitor", "al-monitor.com"),
    ("Anadolu Agency", "aa.com.tr"),
    ("The Times of Israel", "timesofisrael.com"),
    ("BBC", "bbc.co.uk"),
    ("Rudaw", "rudaw.net"),
    ("Der Spiegel", "spiegel.de"),
    ("Daily Sabah", "dailysabah.com"),
    ("Asharq Al-Awsat", "aawsat.com"),
    ("An-Nahar", "annahar.com"),
    ("Naharnet", "naharnet.com"),
    ("Kurdistan24", "kurdistan24.net"),
    ("Al Arabiya", "alarabiya.net"),
    ("Arab News", "arabnews.com"),
    ("France 24", "france24.com"),
    ("Middle East Monitor", "middleeastmonitor.com"),
    ("The New York Times", "nytimes.com"),
    ("The Washington Post", "washingtonpost.com"),
    ("Associated Press", "apnews.com"),
    ("Agence France-Presse", "afp.com"),
    ("Bloomberg", "bloomberg.com"),
    ("Xinhua", "xinhuanet.com"),
    ("Sputnik", "sputniknews.com"),
    ("Politico", "politico.com"),
]
# Named in prose only (acronyms matched case-sensitively, "the X report" forms).
_PROSE_ONLY = ["AFP", "AP", "MEE", "the Al-Akhbar report", "the Haaretz report", "Spiegel Online", "the Reuters report"]

_NAME_A = _split("""levant gulf cedar tigris euphrates desert harbor orient atlas sahel nile jordan bosporus
caspian zagros crescent mashriq maghreb sinai taurus anatolia delta oasis meridian horizon""")
_NAME_B = _split("""dispatch ledger review herald post monitor observer chronicle gazette notes insight watch
report journal wire bulletin digest courier""")
_SUFFIXES = [".com", ".org", ".net", ".co.uk", ".com.tr", ".de", ".fr", ".info", ".org.uk", ".com.lb", ".io", ".news"]
_SUBDOMAINS = ["www.", "www.", "www.", "www.", "", "en.", "blogs.", "news.", "english."]
_SECTIONS = ["world", "news", "middle-east", "politics", "region", "analysis", "opinion", "en/news", "pulse/originals"]
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]  # fmt: skip


@dataclass
class Host:
    domain: str
    """Registrable domain."""
    outlet: str
    """Name a note would give it."""
    hosts: list[str]


@dataclass
class UrlPool:
    urls: list[str]
    cum_weights: list[float]
    hosts: list[Host]
    host_of: list[int]

    def pick(self, rng: random.Random, k: int = 1) -> list[int]:
        """Half uniform, half Zipf-like, so some URLs recur across many articles."""
        picks = []
        for _ in range(k):
            if rng.random() < 0.5:
                picks.append(rng.randrange(len(self.urls)))
            else:
                picks.extend(rng.choices(range(len(self.urls)), cum_weights=self.cum_weights, k=1))
        return picks


def build_pool(rng: random.Random, unique_urls: int, domains: int) -> UrlPool:
    hosts: list[Host] = []
    for name, domain in _REAL_OUTLETS[: min(domains, len(_REAL_OUTLETS))]:
        hosts.append(Host(domain, name, ["www." + domain, "www." + domain, domain, "en." + domain]))
    combos = [(a, b) for a in _NAME_A for b in _NAME_B]
    rng.shuffle(combos)
    for a, b in combos:
        if len(hosts) >= domains:
            break
        suffix = rng.choice(_SUFFIXES)
        domain = f"{a}{b}{suffix}"
        if any(h.domain == domain for h in hosts):
            continue
        subs = rng.sample(_SUBDOMAINS, 3)
        hosts.append(Host(domain, f"{a.title()} {b.title()}", [s + domain for s in subs]))
    if len(hosts) < domains:  # more domains asked for than names: number them
        for n in range(domains - len(hosts)):
            domain = f"outlet{n}{rng.choice(_SUFFIXES)}"
            hosts.append(Host(domain, f"Outlet {n}", ["www." + domain, domain]))
    host_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(hosts))]
    host_cum = _cumulative(host_weights)
    urls: list[str] = []
    host_of: list[int] = []
    for i in range(unique_urls):
        hi = rng.choices(range(len(hosts)), cum_weights=host_cum, k=1)[0]
        host = rng.choice(hosts[hi].hosts)
        scheme = "https" if rng.random() < 0.9 else "http"
        urls.append(f"{scheme}://{host}{_path(rng, i)}")
        host_of.append(hi)
    url_weights = [1.0 / (i + 20) for i in range(unique_urls)]
    return UrlPool(urls, _cumulative(url_weights), hosts, host_of)


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _slug(rng: random.Random, n: int) -> str:
    return "-".join(rng.choices(_WORDS[60:], k=n))


def _path(rng: random.Random, i: int) -> str:
    ident = 1_000_000 + i
    year = rng.randint(2015, 2019)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    style = rng.random()
    if style < 0.30:
        return f"/{rng.choice(_SECTIONS)}/{year}/{month:02d}/{day:02d}/{_slug(rng, rng.randint(3, 8))}-{ident}.html"
    if style < 0.50:
        return f"/news/{_slug(rng, rng.randint(3, 9))}-{ident}"
    if style < 0.60:
        return f"/articles/0,7340,L-{ident},00.html"  # commas in the path
    if style < 0.67:
        place = rng.choice(_PLACES)
        return f"/wiki/{place}_({rng.choice(['city', 'province', 'governorate', 'district'])})_{ident}"  # parentheses
    if style < 0.80:
        return (
            f"/{rng.choice(_SECTIONS)}/{_slug(rng, rng.randint(2, 5))}?id={ident}&lang={rng.choice(['en', 'ar', 'fr'])}"
        )
    if style < 0.90:
        return f"/en/{year}/{month:02d}/{_slug(rng, rng.randint(3, 7))}-{ident}/"
    return f"/{year}{month:02d}{day:02d}/{ident}/{_slug(rng, 2)}.php#section-{rng.randint(1, 9)}"


class Prose:
    """Sentences and paragraphs from the word list."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sentence(self) -> str:
        rng = self.rng
        n = rng.randint(8, 28)
        words = rng.choices(_WORDS, k=n)
        if rng.random() < 0.5:
            words[rng.randrange(1, n)] = rng.choice(_PLACES)
        if n > 12 and rng.random() < 0.5:
            words[rng.randrange(3, n - 3)] += ","
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def title(self, lo: int = 4, hi: int = 9) -> str:
        words = self.rng.choices(_WORDS[60:], k=self.rng.randint(lo, hi))
        return " ".join(w.capitalize() if i == 0 or len(w) > 3 else w for i, w in enumerate(words))

    def date(self) -> str:
        rng = self.rng
        y, m, d = rng.randint(2015, 2019), rng.randint(1, 12), rng.randint(1, 28)
        style = rng.randrange(5)
        if style == 0:
            return f"{_MONTH_NAMES[m - 1]} {d}, {y}"
        if style == 1:
            return f"{d} {_MONTH_NAMES[m - 1]} {y}"
        if style == 2:
            return f"{d:02d}.{m:02d}.{y}"
        if style == 3:
            return f"{y}-{m:02d}-{d:02d}"
        return f"{d} {_MONTH_NAMES[m - 1]}, {y}"


def wrap(text: str, width: int) -> str:
    """Greedy wrap at spaces (never inside a word or a URL)."""
    lines: list[str] = []
    line: list[str] = []
    length = 0
    for word in text.split(" "):
        if line and length + 1 + len(word) > width:
            lines.append(" ".join(line))
            line, length = [word], len(word)
        else:
            length += len(word) + (1 if line else 0)
            line.append(word)
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines)


@dataclass
class ArticleParts:
    title: str
    author: str
    desk: str
    date: str
    site: str
    paragraphs: list[list[str]] = field(default_factory=list)
    """Sentences as format-neutral templates (see ``Article.render_*``)."""
    notes: list[list[Any]] = field(default_factory=list)


class Article:
    """One article's content, rendered as text, Markdown or HTML.

    Sentences are lists of segments: ``str`` prose, ``("url", url, style)``,
    ``("marker", n)``, ``("outlet", name)`` so each format can render them its way.
    """

    def __init__(self, rng: random.Random, pool: UrlPool, target_bytes: int, fmt: str) -> None:
        self.rng = rng
        self.pool = pool
        self.fmt = fmt
        prose = Prose(rng)
        self.prose = prose
        host = pool.hosts[rng.randrange(len(pool.hosts))]
        self.site_host = host
        self.title = prose.title()
        self.author = rng.choice(_PEOPLE)
        self.date = prose.date()
        self.k = rng.randint(5, 30)
        self.notes = [self._note(n) for n in range(1, self.k + 1)]
        notes_size = sum(len(_plain(seg)) for note in self.notes for seg in note) + 4 * self.k
        self.paragraphs: list[list[list[Any]]] = []
        size = 300 + notes_size
        marker = 1
        while size < target_bytes:
            paragraph = []
            for _ in range(rng.randint(3, 8)):
                sentence, marker = self._sentence(marker)
                size += sum(len(_plain(seg)) for seg in sentence) + 1
                paragraph.append(sentence)
            self.paragraphs.append(paragraph)
            size += 2
        # Every note gets a marker even in a short body.
        while marker <= self.k:
            self.paragraphs[-1].append([self.prose.sentence(), ("marker", marker)])
            marker += 1

    def _sentence(self, marker: int) -> tuple[list[Any], int]:
        rng = self.rng
        s = self.prose.sentence()
        r = rng.random()
        segs: list[Any]
        if r < 0.07:
            name = rng.choice(_REAL_OUTLETS)[0] if rng.random() < 0.8 else rng.choice(_PROSE_ONLY)
            form = rng.randrange(5)
            if form == 0:
                segs = [f"According to {name}, " + s[0].lower() + s[1:]]
            elif form == 1:
                segs = [s[:-1] + f", {name} reported."]
            elif form == 2:
                segs = [s[:-1] + f", officials told {name}."]
            elif form == 3:
                segs = [f"{name} said that " + s[0].lower() + s[1:]]
            else:
                segs = [f"As {name} noted, " + s[0].lower() + s[1:]]
        elif r < 0.11:
            url = self.pool.urls[self.pool.pick(rng)[0]]
            style = rng.choice(["plain", "paren", "www", "bare", "angle", "comma", "colon"])
            segs = [s[:-1], ("url", url, style)]
        elif r < 0.115:
            segs = [s[:-1] + ", contact press@" + self.site_host.domain + " for details."]  # an e-mail, not a URL
        else:
            segs = [s]
        if marker <= self.k and rng.random() < 0.18:
            segs.append(("marker", marker))
            marker += 1
        elif marker > 2 and rng.random() < 0.02:
            segs.append(("marker", rng.randint(1, marker - 1)))  # a note cited twice
        return segs, marker

    def _note(self, n: int) -> list[Any]:
        rng = self.rng
        picks = self.pool.pick(rng, rng.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0])
        urls = [self.pool.urls[i] for i in picks]
        outlet = self.pool.hosts[self.pool.host_of[picks[0]]].outlet
        title = self.prose.title()
        date = self.prose.date()
        form = rng.randrange(6)
        if form == 0:
            segs: list[Any] = [f'{outlet}: "{title}", {date}, ', ("nurl", urls[0])]
        elif form == 1:
            segs = [f"{outlet}: {title}, {date}, ", ("nurl", urls[0])]
        elif form == 2:
            segs = [f'"{title}", {date}, ', ("nurl", urls[0])]
        elif form == 3:
            segs = [f"{title}, {outlet}, {date}: ", ("nurl", urls[0])]
        elif form == 4:
            segs = [f"{outlet}: {title}, {date}, ", ("nurl", urls[0])]
        else:
            segs = [f"{title}, accessed {date}: ", ("nurl", urls[0])]
        for extra in urls[1:]:
            sep = rng.choice(["; ", "; ", ", ", " and ", "; on the wider context see also ("])
            segs.append(sep)
            segs.append(("nurl", extra))
            if sep.endswith("("):
                segs.append(")")
        if rng.random() < 0.1:
            segs.append(f"; {rng.choice(_PEOPLE)}: {self.prose.title()}, {rng.randint(1995, 2018)}")
        segs.append("." if rng.random() < 0.3 else "")
        return segs

    # --- rendering -------------------------------------------------------------

    def render_text(self) -> str:
        rng = self.rng
        wrapped = rng.random() < 0.35
        site = rng.choice(self.site_host.hosts)
        byline = rng.choice(
            [
                f"By {self.author}, {rng.choice(_DESKS)}, {self.date}, {site}",
                f"By {self.author} | {self.date}",
                f"Published {self.date}",
                f"{self.date} - {self.author}, {self.site_host.outlet}",
            ]
        )
        out = [self.title, byline, ""]
        for paragraph in self.paragraphs:
            text = " ".join(_render_sentence_text(s) for s in paragraph)
            out.append(wrap(text, 72) if wrapped else text)
            out.append("")
        out.append(rng.choice(["Notes", "References", "Sources", "Notes:", "Endnotes"]) if rng.random() < 0.85 else "")
        out.append("")
        tight = rng.random() < 0.3
        for n, note in enumerate(self.notes, 1):
            text = f"({n}) " + "".join(_plain(seg) for seg in note)
            out.append(wrap(text, 72) if wrapped else text)
            if not tight:
                out.append("")
        if rng.random() < 0.3:
            out += ["", "To contact us visit:", "", f"{self.site_host.domain}/contact"]
        return "\n".join(out) + "\n"

    def render_markdown(self) -> str:
        rng = self.rng
        wrapped = rng.random() < 0.35
        out = [
            "---",
            f"title: {json.dumps(self.title)}",
            f"site: {self.site_host.domain}",
            f"date: {_iso(self.date)}",
            f"author: {self.author}",
            "---",
            "",
            f"# {self.title}",
            "",
        ]
        for paragraph in self.paragraphs:
            text = " ".join(_render_sentence_md(s, rng) for s in paragraph)
            out.append(wrap(text, 80) if wrapped else text)
            out.append("")
        if rng.random() < 0.5:
            out += ["## Notes", ""]
        for n, note in enumerate(self.notes, 1):
            out.append(f"[^{n}]: " + "".join(_plain(seg) for seg in note))
            out.append("")
        return "\n".join(out)

    def render_html(self) -> str:
        rng = self.rng
        site = "https://" + self.site_host.hosts[0]
        out = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{html.escape(self.title)}</title>",
            f'<meta property="og:site_name" content="{html.escape(self.site_host.outlet)}">',
            f'<meta property="article:published_time" content="{_iso(self.date)}T10:00:00Z">',
            f'<link rel="canonical" href="{site}/analysis/{_slug(rng, 4)}">',
            '<link rel="stylesheet" href="/static/site.css">',
            '<script>var statsEndpoint = "https://stats.example.com/collect?page=1";</script>',
            "</head>",
            "<body>",
            '<nav><a href="/about">About us</a> | <a href="#top">Top</a></nav>',
            "<article>",
            f"<h1>{html.escape(self.title)}</h1>",
            f'<p class="byline">By {self.author}, {self.date}</p>',
        ]
        for paragraph in self.paragraphs:
            out.append("<p>" + " ".join(_render_sentence_html(s, rng) for s in paragraph) + "</p>")
        out += ["</article>", '<section class="footnotes" role="doc-endnotes">', "<hr>", "<ol>"]
        for n, note in enumerate(self.notes, 1):
            body = "".join(_render_note_html(seg) for seg in note)
            out.append(f'<li id="fn{n}"><p>{body} <a href="#fnref{n}" class="footnote-back">&#8617;</a></p></li>')
        out += ["</ol>", "</section>", '<footer><a href="#top">Back to top</a></footer>', "</body>", "</html>"]
        return "\n".join(out) + "\n"


def _iso(date: str) -> str:
    """The generator's own date strings back to ISO (for front matter and meta tags)."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", date)
    if m:
        return date
    m = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d{4})", date)
    if m:
        return f"{m[3]}-{m[2]}-{m[1]}"
    parts = date.replace(",", "").split()
    if parts[0] in _MONTH_NAMES:
        month, day, year = parts
    else:
        day, month, year = parts
    return f"{year}-{_MONTH_NAMES.index(month) + 1:02d}-{int(day):02d}"


def _plain(seg: Any) -> str:
    if isinstance(seg, str):
        return seg
    kind = seg[0]
    if kind == "nurl":
        return str(seg[1])
    if kind == "marker":
        return f"({seg[1]})"
    if kind == "url":
        return f" {seg[1]}."
    return ""


def _scheme_less(url: str) -> str:
    return url.split("://", 1)[1]


def _bare(url: str) -> str:
    rest = _scheme_less(url)
    for prefix in ("www.", "en.", "blogs.", "news.", "english."):
        if rest.startswith(prefix):
            return rest[len(prefix) :]
    return rest


def _inline_url_text(url: str, style: str) -> str:
    if style == "plain":
        return f" at {url} for anyone who wants to compare."
    if style == "paren":
        return f" (see {url})."
    if style == "www":
        host_rest = _scheme_less(url)
        shown = host_rest if host_rest.startswith("www.") else "www." + _bare(url)
        return f", as noted at {shown}, among others."
    if style == "bare":
        return f", posted on {_bare(url)}."
    if style == "angle":
        return f" <{url}>."
    if style == "comma":
        return f", {url}, and elsewhere."
    return f": {url}"


def _render_sentence_text(segs: list[Any]) -> str:
    parts = []
    for seg in segs:
        if isinstance(seg, str):
            parts.append(seg)
        elif seg[0] == "url":
            parts.append(_inline_url_text(seg[1], seg[2]))
        elif seg[0] == "marker":
            parts.append(f"({seg[1]})" if parts and parts[-1].endswith(".") else f" ({seg[1]}).")
    return "".join(parts)


def _render_sentence_md(segs: list[Any], rng: random.Random) -> str:
    parts = []
    for seg in segs:
        if isinstance(seg, str):
            parts.append(seg)
        elif seg[0] == "url":
            if rng.random() < 0.6:
                text = " ".join(rng.choices(_WORDS[60:], k=rng.randint(1, 4)))
                parts.append(f", as [{text}]({seg[1]}) showed.")
            else:
                parts.append(_inline_url_text(seg[1], seg[2]).replace("<", "&lt;").replace(">", "&gt;"))
        elif seg[0] == "marker":
            parts.append(f"[^{seg[1]}]" if parts and parts[-1].endswith(".") else f" [^{seg[1]}].")
    return "".join(parts)


def _render_sentence_html(segs: list[Any], rng: random.Random) -> str:
    parts = []
    for seg in segs:
        if isinstance(seg, str):
            parts.append(html.escape(seg, quote=False))
        elif seg[0] == "url":
            href = html.escape(seg[1])
            if rng.random() < 0.7:
                text = " ".join(rng.choices(_WORDS[60:], k=rng.randint(1, 4)))
                parts.append(f', as <a href="{href}">{text}</a> showed.')
            else:
                parts.append(html.escape(_inline_url_text(seg[1], seg[2]), quote=False))
        elif seg[0] == "marker":
            n = seg[1]
            parts.append(f'<sup><a href="#fn{n}" id="fnref{n}">{n}</a></sup>')
    return "".join(parts)


def _render_note_html(seg: Any) -> str:
    if isinstance(seg, str):
        return html.escape(seg, quote=False)
    if seg[0] == "nurl":
        href = html.escape(seg[1])
        return f'<a href="{href}">{href}</a>'
    return ""


@dataclass
class CorpusInfo:
    name: str
    path: Path
    files: int
    bytes: int


def generate_corpus(out: Path, fmt: str, megabytes: float, pool: UrlPool, seed: int) -> CorpusInfo:
    """``megabytes`` of articles of one format into ``out`` (created), 200 a folder."""
    rng = random.Random(f"{seed}-{fmt}")
    ext = {"text": ".txt", "markdown": ".md", "html": ".html"}[fmt]
    target = int(megabytes * MB)
    total = 0
    count = 0
    out.mkdir(parents=True, exist_ok=True)
    while total < target:
        size = rng.randint(20_000, 60_000)
        article = Article(rng, pool, size, fmt)
        if fmt == "text":
            content = article.render_text()
        elif fmt == "markdown":
            content = article.render_markdown()
        else:
            content = article.render_html()
        data = content.encode("utf-8")
        folder = out / f"batch-{count // 200:03d}"
        folder.mkdir(exist_ok=True)
        slug = "-".join(article.title.lower().split()[:4])
        (folder / f"{count:05d}-{slug}{ext}").write_bytes(data)
        total += len(data)
        count += 1
    return CorpusInfo(fmt, out, count, total)


def subset_corpus(source: Path, out: Path, megabytes: float) -> CorpusInfo:
    """The first files of ``source`` (in refcheck's walk order) up to ``megabytes``, hard-linked."""
    target = int(megabytes * MB)
    total = count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        if total >= target:
            break
        dest = out / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copyfile(path, dest)
        total += path.stat().st_size
        count += 1
    return CorpusInfo("text", out, count, total)


def corpus_stats(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def build_corpora(args: argparse.Namespace, root: Path) -> dict[str, CorpusInfo]:
    params = {
        "generator": GENERATOR_VERSION,
        "seed": args.seed,
        "mb": args.mb,
        "small_mb": args.small_mb,
        "md_mb": args.md_mb,
        "html_mb": args.html_mb,
        "unique_urls": args.unique_urls,
        "domains": args.domains,
    }
    manifest = root / "manifest.json"
    names = {"text": "text", "text_small": "text-small", "markdown": "markdown", "html": "html"}
    if manifest.is_file() and json.loads(manifest.read_text()).get("params") == params:
        log(f"corpus: reusing {root} (same parameters)")
        corpora = {}
        for key, folder in names.items():
            files, size = corpus_stats(root / folder)
            corpora[key] = CorpusInfo(key, root / folder, files, size)
        return corpora
    for folder in names.values():
        shutil.rmtree(root / folder, ignore_errors=True)
    started = time.monotonic()
    pool = build_pool(random.Random(args.seed), args.unique_urls, args.domains)
    corpora = {"text": generate_corpus(root / "text", "text", args.mb, pool, args.seed)}
    corpora["text_small"] = subset_corpus(root / "text", root / "text-small", args.small_mb)
    corpora["markdown"] = generate_corpus(root / "markdown", "markdown", args.md_mb, pool, args.seed)
    corpora["html"] = generate_corpus(root / "html", "html", args.html_mb, pool, args.seed)
    manifest.write_text(json.dumps({"params": params}, indent=2))
    log(f"corpus: generated in {time.monotonic() - started:.1f} s under {root}")
    return corpora


# ====================================================================================
# Measured children (one fresh interpreter per measurement)
# ====================================================================================


def _no_network() -> None:
    import socket

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("network access is disabled in the benchmark")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


CODE_ROOT_ENV = "REFCHECK_BENCH_CODE_ROOT"
"""Set for the children when ``--ref`` measures an exported commit instead of the working tree."""


def code_root() -> Path:
    """The folder holding the ``refcheck`` package being measured."""
    return Path(os.environ.get(CODE_ROOT_ENV) or REPO)


def code_fingerprint() -> str:
    """Short hash of refcheck's source and data files: which code a measurement ran."""
    import hashlib

    digest = hashlib.sha256()
    package = code_root() / "refcheck"
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _check_imported() -> None:
    import refcheck

    expected = (code_root() / "refcheck").resolve()
    if Path(refcheck.__file__).resolve().parent != expected:
        raise SystemExit(f"imported refcheck from {refcheck.__file__}, expected {expected}")


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux


def child_run(corpus: str, profile_top: int = 0) -> dict[str, Any]:
    _no_network()
    code = code_fingerprint()
    from refcheck.config import Settings
    from refcheck.pipeline import run

    _check_imported()
    import refcheck.extract  # noqa: F401 - run() imports it lazily since issue 12; imports are not counted

    baseline = _maxrss_kb()
    profiler = None
    if profile_top:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    # A fresh cache folder, one process: every article extracted (none from the cache of
    # extracted articles), as before issue 12; benchmarks/dense_extract_bench.py measures the pool.
    fresh = tempfile.mkdtemp(prefix="refcheck-extract-bench-")
    one_process = {"workers": 1} if "workers" in Settings.__dataclass_fields__ else {}  # --ref: older code
    result = run([Path(corpus)], Settings(offline=True, cache_dir=fresh, **one_process))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
    out: dict[str, Any] = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "documents": result.summary.documents,
        "documents_read": result.summary.documents_read,
        "citations": result.summary.citations,
        "footnotes": result.summary.footnotes,
        "mentions": result.summary.mentions,
        "problems": sum(result.summary.problems.values()),
        "failed": result.summary.files_failed,
        "links": len(result.links),
        "rss_baseline_kb": baseline,
        "rss_peak_kb": _maxrss_kb(),
        "code": code,
    }
    result.documents.close()
    if profiler is not None:
        out["profile"] = _profile_tables(profiler, profile_top)
    return out


def _profile_tables(profiler: Any, top: int) -> dict[str, Any]:
    import pstats

    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "where": _short_location(filename, line, func),
                "ncalls": nc,
                "primitive": cc,
                "tottime": tt,
                "cumtime": ct,
            }
        )
    by_cum = sorted(rows, key=lambda r: r["cumtime"], reverse=True)[:top]
    by_tot = sorted(rows, key=lambda r: r["tottime"], reverse=True)[:top]
    return {"total": total, "cumulative": by_cum, "tottime": by_tot}


def _short_location(filename: str, line: int, func: str) -> str:
    if filename == "~":
        return func  # a built-in, e.g. <method 'finditer' of 're.Pattern' objects>
    path = filename
    prefixes = (
        (str(code_root()) + "/", ""),
        (str(REPO) + "/", ""),
        (sys.prefix + "/", "venv:"),
        (sys.base_prefix + "/", "py:"),
    )
    for prefix, label in prefixes:
        if path.startswith(prefix):
            path = label + path[len(prefix) :]
            break
    path = re.sub(r"^venv:lib/python3\.\d+/site-packages/", "site-packages/", path)
    path = re.sub(r"^py:lib/python3\.\d+/", "stdlib/", path)
    return f"{path}:{line}({func})"


def _load_text(corpus: str, slice_bytes: int) -> str:
    """The concatenated text of a corpus (refcheck's walk order), cut at ``slice_bytes``."""
    parts = []
    total = 0
    for path in sorted(p for p in Path(corpus).rglob("*") if p.is_file()):
        data = path.read_bytes()
        if slice_bytes and total + len(data) > slice_bytes:
            data = data[: slice_bytes - total]
        parts.append(data.decode("utf-8", errors="ignore"))
        total += len(data)
        if slice_bytes and total >= slice_bytes:
            break
    return "\n\n".join(parts)


def child_urls(corpus: str, engine: str, slice_bytes: int) -> dict[str, Any]:
    _no_network()
    code = code_fingerprint()
    text = _load_text(corpus, slice_bytes)
    warm = "See https://www.reuters.com/world/a-b-1.html and example.org/path, www.bbc.co.uk/news."
    if engine == "refcheck":
        from refcheck.extract.urls import find_urls

        _check_imported()
        sum(1 for _ in find_urls(warm))  # load the suffix list, compile the patterns

        def scan() -> int:
            return sum(1 for _ in find_urls(text))
    else:
        from linkify_it import LinkifyIt

        linkify = LinkifyIt()  # default TLDs, fuzzy links (and e-mails) on
        linkify.match(warm)  # compile the patterns

        def scan() -> int:
            return len(linkify.match(text) or [])

    started, cpu_started = time.perf_counter(), time.process_time()
    count = scan()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "count": count,
        "bytes": len(text.encode("utf-8")),
        "chars": len(text),
        "code": code,
    }


# ====================================================================================
# Orchestration
# ====================================================================================


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _taskset() -> list[str]:
    path = shutil.which("taskset")
    if path is None:
        return []
    try:
        ok = subprocess.run([path, "-c", "0", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return [path, "-c", "0"] if ok else []


class Runner:
    def __init__(self, pin: list[str], deadline: float, code: Path | None = None) -> None:
        self.pin = pin
        self.deadline = deadline
        self.code = code
        """Exported source to measure (``--ref``), or None for the working tree."""
        self.skipped: list[str] = []

    def child(self, args: list[str], label: str, timeout: float = CHILD_TIMEOUT) -> dict[str, Any] | None:
        left = self.deadline - time.monotonic()
        if left < 5:
            self.skipped.append(f"{label} (time budget spent)")
            log(f"skip {label}: time budget spent")
            return None
        cmd = [*self.pin, sys.executable, str(Path(__file__).resolve()), "--child", *args]
        env = dict(
            os.environ, PYTHONHASHSEED="0", REFCHECK_CACHE_DIR=str(Path(tempfile.gettempdir()) / "refcheck-bench-cache")
        )
        env.pop(CODE_ROOT_ENV, None)
        if self.code is not None:
            # Put the exported package ahead of the editable install.
            env[CODE_ROOT_ENV] = str(self.code)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.code), env.get("PYTHONPATH", "")]))
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=min(timeout, left), env=env, cwd=REPO)
        except subprocess.TimeoutExpired:
            self.skipped.append(f"{label} (timed out after {min(timeout, left):.0f} s)")
            log(f"timeout {label}")
            return None
        if done.returncode != 0:
            raise RuntimeError(f"{label} failed ({done.returncode}):\n{done.stderr[-4000:]}")
        out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return out


def _warm_page_cache(path: Path) -> None:
    for p in sorted(path.rglob("*")):
        if p.is_file():
            p.read_bytes()


def measure(args: argparse.Namespace, corpora: dict[str, CorpusInfo], runner: Runner) -> dict[str, Any]:
    order = ["text_small", "text", "markdown", "html"]
    runs: dict[str, list[dict[str, Any]]] = {key: [] for key in order}
    for key in order:
        _warm_page_cache(corpora[key].path)
    for r in range(args.runs):  # interleaved, so drift hits every corpus alike
        for key in order:
            got = runner.child(["run", str(corpora[key].path)], f"run {key} #{r + 1}")
            if got is not None:
                got["mbps"] = corpora[key].bytes / MB / got["seconds"]
                runs[key].append(got)
                log(f"{key:10s} run {r + 1}: {got['mbps']:6.2f} MB/s, {got['seconds']:.2f} s, "
                    f"peak RSS {got['rss_peak_kb'] / 1024:.1f} MiB")  # fmt: skip

    # URL finders, side by side on the same text.
    text_corpus = str(corpora["text"].path)
    probe_bytes = min(corpora["text"].bytes, MB)
    probe = runner.child(["urls", text_corpus, "linkify", str(probe_bytes)], "linkify probe")
    slice_bytes = 0
    projected = None
    if probe is not None:
        rate = probe["bytes"] / probe["seconds"]
        projected = corpora["text"].bytes / rate
        log(f"linkify probe: {rate / MB:.2f} MB/s -> {projected:.0f} s a run, {args.runs * projected:.0f} s for "
            f"{args.runs} runs on the whole text corpus")  # fmt: skip
        left = runner.deadline - time.monotonic()
        if projected > LINKIFY_MAX_SECONDS or args.runs * projected > 0.6 * left:
            slice_bytes = int(args.linkify_slice_mb * MB)
    if args.linkify_slice_mb and args.force_slice:
        slice_bytes = int(args.linkify_slice_mb * MB)
    urls: dict[str, list[dict[str, Any]]] = {"refcheck": [], "linkify": []}
    for r in range(args.runs):
        for engine in ("refcheck", "linkify"):
            got = runner.child(["urls", text_corpus, engine, str(slice_bytes)], f"urls {engine} #{r + 1}")
            if got is not None:
                got["mbps"] = got["bytes"] / MB / got["seconds"]
                urls[engine].append(got)
                log(f"{engine:10s} urls {r + 1}: {got['mbps']:6.2f} MB/s, {got['count']} URLs")

    profile = None
    if not args.no_profile:
        key = args.profile_corpus
        profile = runner.child(["run", str(corpora[key].path), "--profile", str(args.profile_top)], "profile")
        if profile is not None:
            profile["corpus"] = key
            profile["mbps"] = corpora[key].bytes / MB / profile["seconds"]
    return {
        "runs": runs,
        "urls": urls,
        "url_slice_bytes": slice_bytes,
        "linkify_projected_s": projected,
        "profile": profile,
    }


CONTENDED = 0.9
"""A measured subprocess that got less CPU time than this share of its wall time
was waiting for the CPU (another process on CPU 0): its figure is flagged."""


def _cpu_share(got: dict[str, Any]) -> float:
    return float(got["cpu_seconds"]) / float(got["seconds"]) if got["seconds"] else 1.0


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def environment(pin: list[str], ref: str | None) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        date = subprocess.run(["date", "-u"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        date = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        nproc = str(os.cpu_count())
    versions = []
    for dist in ("refcheck", "tldextract", "lxml", "markdown-it-py", "linkify-it-py"):
        try:
            from importlib.metadata import version

            versions.append(f"{dist} {version(dist)}")
        except Exception:
            versions.append(f"{dist} ?")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", ref or "HEAD"], capture_output=True, text=True,
                                timeout=5, cwd=REPO).stdout.strip()  # fmt: skip
        if ref:
            commit += f" (`--ref {ref}`: refcheck/ exported with `git archive`, the working tree not used)"
        else:
            dirty = subprocess.run(["git", "status", "--porcelain", "--", "refcheck"], capture_output=True,
                                   text=True, timeout=5, cwd=REPO).stdout.strip()  # fmt: skip
            commit += " (working tree; refcheck/ has uncommitted changes)" if dirty else " (working tree, clean)"
    except (OSError, subprocess.SubprocessError):
        commit = "?"
    return {
        "date": date,
        "nproc": nproc,
        "cpu": cpu,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "versions": ", ".join(versions),
        "commit": commit,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "pinning": "taskset -c 0 (every measured subprocess on CPU 0)" if pin else "none (taskset not available)",
    }


def _mib(kb: float) -> str:
    return f"{kb / 1024:.1f}"


def report(args: argparse.Namespace, corpora: dict[str, CorpusInfo], results: dict[str, Any], env: dict[str, str],
           command: str, skipped: list[str], elapsed: float) -> str:  # fmt: skip
    runs = results["runs"]
    lines: list[str] = []
    add = lines.append
    if results["code_seen"] != [results["code_before"]] or results["code_after"] != results["code_before"]:
        add(f"**Warning: refcheck/ changed while this benchmark ran** (fingerprints at start {results['code_before']}, "
            f"in the measured subprocesses {', '.join(results['code_seen'])}, at end {results['code_after']}): "
            "the figures below mix code versions. Re-run on a quiet tree.")  # fmt: skip
        add("")
    add(f"Command: `{command}`  ")
    add(f"Date: {env['date']}  ")
    add(f"Machine: {env['cpu']}, nproc {env['nproc']}, {env['platform']}; load average at start {env['load']}  ")
    add(f"Python: {env['python']}; {env['versions']}  ")
    add(
        f"Code: commit {env['commit']}; source fingerprint {results['code_before']} (sha256 of refcheck/*.py, *.json)  "
    )
    add(f"CPU pinning: {env['pinning']}  ")
    add(
        f"Date is the start of the run. Each figure: median of {args.runs} runs, each in a fresh subprocess; whole benchmark took {elapsed / 60:.1f} min.  "
    )
    add("Corpus: synthetic, seed "
        f"{args.seed}; {args.unique_urls:,} unique URLs over {args.domains} registrable domains in the pool; "
        "files read from the OS page cache (warmed first). MB = 10^6 bytes, MiB = 2^20 bytes.")  # fmt: skip
    add("")
    add("### End to end: `run([corpus], Settings(offline=True))`")
    add("")
    add(
        "| Corpus | Files | Size (MB) | Citations | Unique links | Footnotes | Mentions | Throughput (MB/s) | min-max | Wall (s) | CPU/wall | Peak RSS (MiB) | RSS after imports (MiB) |"
    )
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    labels = {
        "text_small": f"plain text, {args.small_mb:g} MB",
        "text": f"plain text, {args.mb:g} MB",
        "markdown": "Markdown",
        "html": "HTML",
    }
    for key in ("text_small", "text", "markdown", "html"):
        got = runs[key]
        info = corpora[key]
        if not got:
            add(f"| {labels[key]} | {info.files} | {info.bytes / MB:.1f} | - | - | - | - | skipped | | | | | |")
            continue
        first = got[0]
        mbps = [g["mbps"] for g in got]
        add(
            f"| {labels[key]} | {info.files} | {info.bytes / MB:.1f} | {first['citations']:,} | {first['links']:,} | "
            f"{first['footnotes']:,} | {first['mentions']:,} | **{_median(mbps):.2f}** | {min(mbps):.2f}-{max(mbps):.2f} | "
            f"{_median([g['seconds'] for g in got]):.2f} | {min(_cpu_share(g) for g in got):.2f} | "
            f"{_mib(_median([g['rss_peak_kb'] for g in got]))} | "
            f"{_mib(_median([g['rss_baseline_kb'] for g in got]))} |"
        )
    add("")
    contended = sorted(labels[key] for key in runs for g in runs[key] if _cpu_share(g) < CONTENDED)
    add(
        f"CPU/wall: the lowest share of its wall time a run spent on the CPU; under {CONTENDED} the subprocess "
        "waited for CPU 0 (another process ran there) and its throughput reads low."
        + (f" **Contended runs: {', '.join(sorted(set(contended)))}.**" if contended else " No run was contended.")
    )
    add("")

    small, large = runs["text_small"], runs["text"]
    ratio = None
    if small and large:
        peak_small = _median([g["rss_peak_kb"] for g in small])
        peak_large = _median([g["rss_peak_kb"] for g in large])
        base_small = _median([g["rss_baseline_kb"] for g in small])
        base_large = _median([g["rss_baseline_kb"] for g in large])
        ratio = peak_large / peak_small
        grow_small = peak_small - base_small
        grow_large = peak_large - base_large
        add("### Memory in corpus size (plain text)")
        add("")
        add(
            "| | "
            + f"{corpora['text_small'].bytes / MB:.1f} MB"
            + " | "
            + f"{corpora['text'].bytes / MB:.1f} MB"
            + " | Ratio |"
        )
        add("|---|---:|---:|---:|")
        add(f"| Peak RSS (MiB) | {_mib(peak_small)} | {_mib(peak_large)} | **{ratio:.2f}x** |")
        add(f"| Peak RSS minus RSS after imports (MiB) | {_mib(grow_small)} | {_mib(grow_large)} | "
            f"{grow_large / grow_small if grow_small > 0 else float('nan'):.2f}x |")  # fmt: skip
        add(f"| Corpus | {corpora['text_small'].files} files | {corpora['text'].files} files | "
            f"{corpora['text'].bytes / corpora['text_small'].bytes:.2f}x |")  # fmt: skip
        add(f"| Citations / unique links | {small[0]['citations']:,} / {small[0]['links']:,} | "
            f"{large[0]['citations']:,} / {large[0]['links']:,} | {large[0]['citations'] / max(1, small[0]['citations']):.2f}x / "
            f"{large[0]['links'] / max(1, small[0]['links']):.2f}x |")  # fmt: skip
        extra_mb = (corpora["text"].bytes - corpora["text_small"].bytes) / MB
        slope = (peak_large - peak_small) / 1024 / extra_mb if extra_mb > 0 else float("nan")
        per_citation = (peak_large - peak_small) * 1024 / max(1, large[0]["citations"] - small[0]["citations"])
        add("")
        add(f"Marginal growth: {slope:.2f} MiB of peak RSS per extra MB of text (about {per_citation:.0f} bytes per extra "
            f"citation); at that slope a 1 GB corpus of this make-up would peak near "
            f"{(peak_large / 1024) + slope * (1000 - corpora['text'].bytes / MB):.0f} MiB.")  # fmt: skip
        add("")

    add("### URL finding alone: refcheck `find_urls` vs linkify-it-py, same text")
    add("")
    slice_bytes = results["url_slice_bytes"]
    urls = results["urls"]
    if slice_bytes:
        projected = results["linkify_projected_s"]
        add(f"linkify-it-py would take about {projected:.0f} s a run ({args.runs * projected:.0f} s for {args.runs} runs) "
            f"on the whole {corpora['text'].bytes / MB:.0f} MB (rate measured on a 1 MB probe), over the "
            f"~{LINKIFY_MAX_SECONDS / 60:.0f} min limit or the time budget, so **both finders ran on the first "
            f"{slice_bytes / MB:.0f} MB** "
            "of the concatenated text (files joined with a blank line, in refcheck's walk order; decoded before timing).")  # fmt: skip
    else:
        add(f"Both finders ran on the whole concatenated text of the {corpora['text'].bytes / MB:.0f} MB plain-text corpus "
            "(files joined with a blank line, in refcheck's walk order; decoded before timing; linkify's rate on a "
            f"1 MB probe projected {results['linkify_projected_s']:.0f} s a run, under the "
            f"~{LINKIFY_MAX_SECONDS / 60:.0f} min limit for a slice).")  # fmt: skip
    add("")
    add("| Finder | Text (MB) | URLs found | Throughput (MB/s) | min-max | Wall (s) |")
    add("|---|---:|---:|---:|---:|---:|")
    medians = {}
    for engine, label in (("refcheck", "refcheck `find_urls`"), ("linkify", "linkify-it-py `LinkifyIt().match`")):
        got = urls[engine]
        if not got:
            add(f"| {label} | - | - | skipped | | |")
            continue
        mbps = [g["mbps"] for g in got]
        medians[engine] = _median(mbps)
        add(f"| {label} | {got[0]['bytes'] / MB:.1f} | {got[0]['count']:,} | **{medians[engine]:.2f}** | "
            f"{min(mbps):.2f}-{max(mbps):.2f} | {_median([g['seconds'] for g in got]):.2f} |")  # fmt: skip
    if len(medians) == 2:
        add(f"| **ratio refcheck / linkify** | | | **{medians['refcheck'] / medians['linkify']:.1f}x** | | |")
    add("")
    add("URL counts differ by design: linkify-it-py also returns e-mail addresses (the corpus has some) and "
        "does not require a public suffix for fuzzy links; refcheck's bare-domain rule needs a real public suffix.")  # fmt: skip
    add("")

    add("### Target")
    add("")
    text_mbps = _median([g["mbps"] for g in large]) if large else float("nan")
    speed_ok = bool(large) and text_mbps >= TARGET_MBPS
    flat_ok = ratio is not None and ratio <= FLAT_RATIO
    add(f"Target: **extraction ≥ {TARGET_MBPS:g} MB/s for plain text end to end, memory flat in corpus size** "
        f"(flat: peak RSS at {args.mb:g} MB ≤ {FLAT_RATIO}x the peak at {args.small_mb:g} MB).")  # fmt: skip
    add("")
    add(f"- Throughput, plain text {args.mb:g} MB: {text_mbps:.2f} MB/s -> **{'met' if speed_ok else 'NOT met'}**")
    if ratio is not None:
        add(
            f"- Memory, peak RSS {args.mb:g} MB / {args.small_mb:g} MB: {ratio:.2f}x -> **{'met' if flat_ok else 'NOT met'}**"
        )
    else:
        add("- Memory: not measured")
    add(f"- Overall: **{'met' if speed_ok and flat_ok else 'NOT met'}**")
    add("")

    profile = results["profile"]
    if profile is not None:
        add("### cProfile of one run")
        add("")
        add(f"Corpus: {labels[profile['corpus']]}; {profile['seconds']:.2f} s under the profiler "
            f"({profile['mbps']:.2f} MB/s; cProfile adds overhead to every Python call, so shares matter, not totals).")  # fmt: skip
        add("")
        for key, title in (("cumulative", "cumulative time"), ("tottime", "own time (tottime)")):
            add(f"<details><summary>Top {len(profile['profile'][key])} by {title}</summary>")
            add("")
            add("| Function | Calls | tottime (s) | cumtime (s) | cum % |")
            add("|---|---:|---:|---:|---:|")
            total = profile["seconds"]
            for row in profile["profile"][key]:
                calls = (
                    str(row["ncalls"]) if row["ncalls"] == row["primitive"] else f"{row['ncalls']}/{row['primitive']}"
                )
                add(f"| `{row['where']}` | {calls} | {row['tottime']:.3f} | {row['cumtime']:.3f} | "
                    f"{100 * row['cumtime'] / total:.0f}% |")  # fmt: skip
            add("")
            add("</details>")
            add("")
    if skipped:
        add("Skipped: " + "; ".join(skipped))
        add("")
    return "\n".join(lines)


_HEADER = """# refcheck benchmarks

`benchmarks/extract_bench.py` measures extraction end to end, as the CLI runs it
offline: `refcheck.pipeline.run([corpus], Settings(offline=True))` reads every
file, extracts footnotes, URLs, outlet mentions, publisher and date, spools the
documents to a temporary file and builds the table of unique links.

* **Throughput** is bytes on disk divided by the wall time of `run(...)` (imports
  not counted), the median of several runs, each in a fresh subprocess.
* **Peak memory** is `ru_maxrss` of that subprocess at the end of the run; the
  plain-text corpus is measured at two sizes to show whether memory grows with
  the corpus.
* **URL finding alone** compares `refcheck.extract.urls.find_urls` with
  linkify-it-py on the same concatenated text.

The corpus is synthetic and deterministic (seeded); see the script's docstring.
Re-run with `.venv/bin/python benchmarks/extract_bench.py --write`; the section
between the markers below is replaced, everything else is kept.

"""


def write_results(section: str) -> None:
    block = f"{START_MARK}\n{section}\n{END_MARK}"
    if RESULTS.is_file():
        current = RESULTS.read_text("utf-8")
        if START_MARK in current and END_MARK in current:
            head, _, rest = current.partition(START_MARK)
            _, _, tail = rest.partition(END_MARK)
            RESULTS.write_text(head + block + tail, "utf-8")
            return
        RESULTS.write_text(current.rstrip() + "\n\n## Extraction\n\n" + block + "\n", "utf-8")
        return
    RESULTS.write_text(_HEADER + "## Extraction\n\n" + block + "\n", "utf-8")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--mb", type=float, default=50, help="plain-text corpus size in MB (default 50)")
    p.add_argument(
        "--small-mb", type=float, default=10, help="smaller plain-text corpus for the memory comparison (default 10)"
    )
    p.add_argument("--md-mb", type=float, default=10, help="Markdown corpus size in MB (default 10)")
    p.add_argument("--html-mb", type=float, default=10, help="HTML corpus size in MB (default 10)")
    p.add_argument("--unique-urls", type=int, default=20_000, help="unique URLs in the pool (default 20000)")
    p.add_argument("--domains", type=int, default=200, help="registrable domains in the pool (default 200)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    p.add_argument("--out", type=Path, help="keep the corpus in DIR (reused when the parameters match)")
    p.add_argument("--linkify-slice-mb", type=float, default=10,
                   help="slice for the URL-finder comparison when linkify would take > 2 min a run (default 10)")  # fmt: skip
    p.add_argument("--force-slice", action="store_true", help="always use the slice for the URL-finder comparison")
    p.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    p.add_argument("--profile-corpus", choices=["text_small", "text"], default="text",
                   help="corpus profiled (default text: the large plain-text corpus)")  # fmt: skip
    p.add_argument("--profile-top", type=int, default=15)
    p.add_argument("--budget", type=float, default=600, help="stop starting measurements after this many seconds")
    p.add_argument("--ref", help="measure refcheck/ as committed at this git ref (exported), not the working tree")
    p.add_argument("--write", action="store_true", help=f"update {RESULTS.relative_to(REPO)}")
    p.add_argument("--json", type=Path, help="also save the raw measurements as JSON")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    if args.small_mb >= args.mb:
        p.error("--small-mb must be smaller than --mb")
    return args


def child_main(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "run":
        top = int(argv[3]) if len(argv) > 3 and argv[2] == "--profile" else 0
        out = child_run(argv[1], top)
    elif kind == "urls":
        out = child_urls(argv[1], argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown child {kind}")
    print(json.dumps(out))
    return 0


def export_ref(ref: str, root: Path) -> Path:
    """``refcheck/`` as of commit ``ref``, extracted under ``root`` (read-only use of git)."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], capture_output=True, text=True,
                         timeout=10, cwd=REPO, check=True).stdout.strip()  # fmt: skip
    dest = root / f"code-{sha[:12]}"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", sha, "refcheck"], capture_output=True, timeout=60,
                             cwd=REPO, check=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, timeout=60, check=True)
    log(f"measuring {ref} = {sha[:12]}, exported to {dest}")
    return dest


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    args = parse_args(argv)
    started = time.monotonic()
    if args.runs < 3:
        log(f"warning: --runs {args.runs}: the brief asks for medians of at least 3 runs")
    command = " ".join(shlex.quote(a) for a in [_rel(sys.executable), _rel(sys.argv[0]), *argv])
    pin = _taskset()
    log("pinning measured subprocesses with taskset -c 0" if pin else "taskset not available: not pinning")
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.out is not None:
        root = args.out.resolve()
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="refcheck-bench-")
        root = Path(tmp.name)
    try:
        corpora = build_corpora(args, root)
        for key, info in corpora.items():
            log(f"corpus {key}: {info.files} files, {info.bytes / MB:.1f} MB")
        code = export_ref(args.ref, root) if args.ref else None
        if code is not None:
            os.environ[CODE_ROOT_ENV] = str(code)  # for the fingerprints taken here
        env = environment(pin, args.ref)
        code_before = code_fingerprint()
        runner = Runner(pin, started + args.budget, code)
        results = measure(args, corpora, runner)
        results["code_before"] = code_before
        results["code_after"] = code_fingerprint()
        results["code_seen"] = sorted(
            {g["code"] for group in (*results["runs"].values(), *results["urls"].values()) for g in group}
            | ({results["profile"]["code"]} if results["profile"] else set())
        )
        if results["code_seen"] != [code_before] or results["code_after"] != code_before:
            log("WARNING: refcheck/ changed while the benchmark ran; the figures mix code versions")
        section = report(args, corpora, results, env, command, runner.skipped, time.monotonic() - started)
        print(section)
        if args.json:
            args.json.write_text(json.dumps({"env": env, "results": results,
                                             "corpora": {k: [str(v.path), v.files, v.bytes] for k, v in corpora.items()}},
                                            indent=2, default=str))  # fmt: skip
        if args.write:
            write_results(section)
            log(f"wrote {RESULTS}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


def _rel(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO)) if not path.startswith(str(REPO / ".venv")) else \
            str(Path(path).relative_to(REPO))  # fmt: skip
    except ValueError:
        return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
