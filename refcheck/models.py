"""Plain typed records that flow through the pipeline.

collect (files) -> extract (Document) -> resolve (LinkResult) -> report.

Every record converts to and from the JSON documented in the README
(``schema`` 1). Later stages only *add* fields; they never rename one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from refcheck.spool import DocumentSpool

SCHEMA_VERSION = 1

CitationKind = Literal["footnote", "inline", "link"]
"""``footnote``: a URL inside a footnote definition; ``inline``: a URL written
in running text; ``link``: a hyperlink target from markup (HTML ``href``/``cite``,
Markdown ``[text](url)``) outside the notes."""

ProblemKind = Literal[
    "missing-footnote",
    "unreferenced-footnote",
    "duplicate-footnote",
    "numbering-gap",
    "empty-footnote",
    "unlinked-work",
    "broken-anchor",
    "missing-file",
]

Severity = Literal["error", "warning", "info"]

PROBLEM_SEVERITY: dict[str, Severity] = {
    "missing-footnote": "error",
    "duplicate-footnote": "error",
    "unreferenced-footnote": "warning",
    "numbering-gap": "warning",
    "empty-footnote": "warning",
    "unlinked-work": "info",
    "broken-anchor": "warning",
    "missing-file": "error",
}

LocationUnit = Literal["line", "paragraph", "page"]
"""What a citation's ``line`` counts: lines of a text file, paragraphs of a Word
document, pages of a PDF."""

Region = Literal["article", "page"]
"""Where a citation stands: ``article`` -- the article's own text, notes, references
and bibliography; ``page`` -- what the site puts around it (navigation, header,
footer, sidebars, share/related/comment/newsletter widgets, ads, the publisher's
own byline or contact address, "Leave a reply" boilerplate)."""

LINK_SCOPES = ("article", "all")
"""``--links``: which citations are checked, counted and reported."""

FootnoteLabel = int | str
"""Numeric labels are ints (``(3)`` -> 3); Markdown labels such as ``[^note]`` stay strings."""


@dataclass(slots=True)
class Citation:
    text: str
    """The URL exactly as written in the article."""
    url: str
    """The normalised URL used for checking and de-duplication (see extract.urls)."""
    domain: str | None
    """Registrable domain (public-suffix aware), e.g. ``house.gov``."""
    kind: CitationKind
    footnote: FootnoteLabel | None
    line: int
    scheme_assumed: bool = False
    """True when the text had no scheme (``www.x.com``) and https was assumed."""
    region: Region = "article"
    """``article`` or ``page`` (site furniture); reports count ``article`` by default."""
    title: str | None = None
    """The title the article gives the cited page: a link's text, a note's quoted
    title or its words between the outlet and the date; None when it gives none."""


@dataclass(slots=True)
class Footnote:
    number: FootnoteLabel
    line: int
    text: str
    date: str | None
    """The note's own date (ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), if it gives one."""
    urls: list[str] = field(default_factory=list)
    """Normalised URLs of the note, in order of appearance."""


@dataclass(slots=True)
class Mention:
    name: str
    """The outlet's name as first written in the article (``al-Akhbar``)."""
    outlet: str
    """The canonical outlet name from the outlet list (``Al-Akhbar``)."""
    domain: str | None
    line: int
    """Line of the first mention."""
    count: int = 1
    lines: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Problem:
    kind: ProblemKind
    footnote: FootnoteLabel | None
    line: int
    message: str
    severity: Severity = "warning"


@dataclass(slots=True)
class LocalLink:
    """A relative link to a local file (``../data/table.csv``, ``img/map.png``):
    resolved against the article's own path, listed, never checked over HTTP."""

    target: str
    """The link as written."""
    path: str
    """The file it names, resolved against the article's folder."""
    line: int
    exists: bool
    region: Region = "article"


@dataclass(slots=True)
class Document:
    path: str
    format: str
    """``text``, ``markdown`` or ``html``."""
    publisher: str | None = None
    """Who published the article, as the article says it: a site (``wsws.org``) or a name."""
    publisher_domain: str | None = None
    date: str | None = None
    """Publication date of the article, ISO ``YYYY-MM-DD`` (or shorter when only month/year is known)."""
    title: str | None = None
    language: str | None = None
    """The article's language, ISO 639-1 (``ar``, ``he``, ``fa``, ``ru``, ``tr``, ``en``…): from
    ``<html lang>``, front matter ``lang``/``language``, else detected from the text."""
    url: str | None = None
    """The article's own address (canonical link, front matter ``url``), normalised."""
    republished_from: str | None = None
    """Outlet the article says it originally appeared in (``originally appeared at Al-Akhbar``)."""
    footnotes: list[Footnote] = field(default_factory=list)
    markers: list[FootnoteLabel] = field(default_factory=list)
    """Footnote markers in the body, in order of appearance (repeats kept)."""
    citations: list[Citation] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    local_links: list[LocalLink] = field(default_factory=list)
    """Relative links to local files (a missing one is also a ``missing-file`` problem)."""
    encoding: str | None = None
    skipped: str | None = None
    """Why the file was not read (binary, too large…); None when it was read."""
    error: str | None = None
    """Why reading failed (permission denied…); None when it did not."""
    unit: LocationUnit = "line"
    """What the ``line`` of every record of this document counts (``page`` for a PDF)."""
    notice: str | None = None
    """What was left out of a document that was read (``read the first 1,000 of 10,000 pages``)."""

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)  # type: ignore[no-any-return]

    def cited(self, scope: str = "article") -> list[Citation]:
        """The citations that ``--links`` counts: the article's own (``article``),
        or every one, page furniture too (``all``)."""
        if scope == "all":
            return self.citations
        return [citation for citation in self.citations if citation.region == "article"]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            path=data["path"],
            format=data["format"],
            publisher=data.get("publisher"),
            publisher_domain=data.get("publisher_domain"),
            date=data.get("date"),
            title=data.get("title"),
            language=data.get("language"),
            url=data.get("url"),
            republished_from=data.get("republished_from"),
            footnotes=[Footnote(**f) for f in data.get("footnotes", [])],
            markers=list(data.get("markers", [])),
            citations=[Citation(**c) for c in data.get("citations", [])],
            mentions=[Mention(**m) for m in data.get("mentions", [])],
            problems=[Problem(**p) for p in data.get("problems", [])],
            local_links=[LocalLink(**f) for f in data.get("local_links", [])],
            encoding=data.get("encoding"),
            skipped=data.get("skipped"),
            error=data.get("error"),
            unit=data.get("unit", "line"),
            notice=data.get("notice"),
        )


@dataclass(slots=True)
class CitedBy:
    path: str
    line: int
    footnote: FootnoteLabel | None = None
    date: str | None = None
    """When this article cited the URL (note date, else article date): the archive lookup target."""
    title: str | None = None
    """The title this citation gives the page (a note's quoted title, a link's text), if any:
    what content drift compares with the page's title then and now."""
    unit: LocationUnit = "line"
    """What ``line`` counts in the citing document (``page`` for a PDF)."""


class LinkStatus(StrEnum):
    """A link's verdict. A ``str`` (``LinkStatus.DEAD == "dead"``), so the JSON
    and every comparison with the README's names keep working."""

    UNCHECKED = "unchecked"
    OK = "ok"
    DEAD = "dead"
    SOFT_404 = "soft-404"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate-limited"
    SERVER_ERROR = "server-error"
    TIMEOUT = "timeout"
    ERROR = "error"
    INVALID = "invalid"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"

    @property
    def alive(self) -> bool | None:
        """True: the page is there; False: it is not (or cannot be); None: this check cannot tell."""
        return _ALIVE.get(self)

    @property
    def dead(self) -> bool:
        """Counted as a dead link in reports, rot rates and ``--fail-on``."""
        return self in DEAD_STATUSES

    @property
    def reusable_days(self) -> float | None:
        """How long a cached verdict of this kind is reused: only verdicts about the
        link itself (ok, dead, soft-404); the others say something about one attempt."""
        return _REUSABLE_DAYS.get(self)


_ALIVE: dict[LinkStatus, bool] = {
    LinkStatus.OK: True,
    LinkStatus.DEAD: False,
    LinkStatus.SOFT_404: False,
    LinkStatus.INVALID: False,
}
_REUSABLE_DAYS: dict[LinkStatus, float] = {LinkStatus.OK: 7.0, LinkStatus.DEAD: 1.0, LinkStatus.SOFT_404: 1.0}

DEAD_STATUSES = frozenset({LinkStatus.DEAD, LinkStatus.SOFT_404})
"""The verdicts that count as a dead link in reports, rot rates and --fail-on."""


@dataclass(slots=True)
class Hop:
    """One step of a redirect chain: the URL asked for and the status it answered."""

    url: str
    status: int


@dataclass(slots=True)
class HistoryEntry:
    checked_at: str
    status: str


@dataclass(slots=True)
class ArchiveCopy:
    available: bool | None
    """True: a capture exists; False: confirmed none; None: could not tell (archive unreachable…)."""
    url: str | None = None
    timestamp: str | None = None
    source: str | None = None
    """``availability`` or ``cdx``."""


@dataclass(slots=True)
class Verdict:
    """What one check established about one URL. The same record is the checker's
    answer, the verdict part of :class:`LinkResult` and the cached verdict."""

    status: LinkStatus = LinkStatus.UNCHECKED
    http_status: int | None = None
    final_url: str | None = None
    redirects: list[Hop] = field(default_factory=list)
    error: str | None = None
    """Why (the reason of a soft-404, the failure of a connection…)."""
    checked_at: str | None = None
    elapsed_ms: int | None = None

    @property
    def alive(self) -> bool | None:
        return self.status.alive

    def to_plain(self) -> dict[str, Any]:
        """The JSON fields of schema 1 (also the cache's form of a verdict)."""
        return {
            "status": str(self.status),
            "alive": self.status.alive,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": [{"url": hop.url, "status": hop.status} for hop in self.redirects],
            "error": self.error,
            "checked_at": self.checked_at,
            "elapsed_ms": self.elapsed_ms,
        }

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Verdict:
        """The inverse of :meth:`to_plain`; raises ``ValueError``/``TypeError``/``KeyError``
        for data that is not one (a damaged cache row)."""
        redirects = [
            Hop(str(hop["url"]), int(hop["status"])) if isinstance(hop, dict) else Hop(str(hop[0]), int(hop[1]))
            for hop in data.get("redirects") or []
        ]
        http_status = data.get("http_status")
        elapsed = data.get("elapsed_ms")
        return cls(
            status=LinkStatus(data["status"]),
            http_status=None if http_status is None else int(http_status),
            final_url=_optional_text(data.get("final_url")),
            redirects=redirects,
            error=_optional_text(data.get("error")),
            checked_at=_optional_text(data.get("checked_at")),
            elapsed_ms=None if elapsed is None else int(elapsed),
        )


def _optional_text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


class DriftVerdict(StrEnum):
    """Whether a live page still says what was cited (issue 15)."""

    NONE = "none"
    """The same page: title and text as captured near the citation date."""
    CHANGED = "changed"
    """The same subject, edited."""
    REPLACED = "replaced"
    """The address now shows something else: another story, a home or landing page, a parked domain."""
    UNKNOWN = "unknown"
    """Not comparable: no capture near the date, no text, or the capture or page could not be read."""


@dataclass(slots=True)
class Drift:
    """The evidence for a link's drift verdict: the archive capture closest to the
    citation date against the live page, and the title the article gave."""

    verdict: DriftVerdict = DriftVerdict.UNKNOWN
    reason: str | None = None
    """Why, in a few words (``title and text match``, ``now a home page``, ``no capture``…)."""
    cited_title: str | None = None
    """The title the article gives (its first citation that gives one)."""
    then_title: str | None = None
    """The capture's title."""
    now_title: str | None = None
    """The live page's title."""
    title_similarity: float | None = None
    """Capture title against live title, 0..1."""
    cited_similarity: float | None = None
    """Cited title against live title, 0..1."""
    text_similarity: float | None = None
    """Capture main text against live main text, 0..1."""
    capture_url: str | None = None
    capture_timestamp: str | None = None
    checked_at: str | None = None


@dataclass(slots=True)
class LinkResult:
    """One entry per unique normalised URL of the corpus: who cites it, and its verdict."""

    url: str
    domain: str | None
    cited_by: list[CitedBy] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    from_cache: bool = False
    history: list[HistoryEntry] = field(default_factory=list)
    failures: int = 0
    """Consecutive checks, this one included, whose verdict was not ok."""
    archive: ArchiveCopy | None = None
    final_domain: str | None = None
    """Registrable domain of ``final_url`` (where redirects ended), when it differs from ``domain``."""
    drift: Drift | None = None
    """Content drift (``--drift``): None where it was not looked at."""

    # The verdict's fields, read where the reports read them (the JSON is flat).
    @property
    def status(self) -> LinkStatus:
        return self.verdict.status

    @property
    def alive(self) -> bool | None:
        return self.verdict.status.alive

    @property
    def http_status(self) -> int | None:
        return self.verdict.http_status

    @property
    def final_url(self) -> str | None:
        return self.verdict.final_url

    @property
    def redirects(self) -> list[Hop]:
        return self.verdict.redirects

    @property
    def error(self) -> str | None:
        return self.verdict.error

    @property
    def checked_at(self) -> str | None:
        return self.verdict.checked_at

    @property
    def elapsed_ms(self) -> int | None:
        return self.verdict.elapsed_ms

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "domain": self.domain,
            "cited_by": to_plain(self.cited_by),
            **self.verdict.to_plain(),
            "from_cache": self.from_cache,
            "history": to_plain(self.history),
            "failures": self.failures,
            "archive": to_plain(self.archive),
            "final_domain": self.final_domain,
            "drift": to_plain(self.drift),
        }


SETTLED_STATUSES = frozenset({LinkStatus.OK, LinkStatus.DEAD, LinkStatus.SOFT_404, LinkStatus.INVALID})
"""Verdicts about the link itself: its fate is known."""

UNDETERMINED_STATUSES = frozenset(
    {LinkStatus.BLOCKED, LinkStatus.RATE_LIMITED, LinkStatus.TIMEOUT, LinkStatus.ERROR, LinkStatus.SERVER_ERROR}
)
"""Checked, but the answer says nothing about the link (a wall, a time-out, a server's own failure)."""

NOT_CHECKED_STATUSES = frozenset({LinkStatus.UNKNOWN, LinkStatus.UNCHECKED})
"""Not asked this run, and nothing usable in the cache."""


RULE_SKIP_PREFIXES = ("excluded by ", "not matched by ", "domain rule: skip")
"""How the reason of a link left out by a rule starts (``--exclude``/``--include``, the
settings file's patterns and domain rules: :meth:`refcheck.resolve.settings.LinkRules.skip_reason`)."""


def _rule_origin(reason: str) -> str:
    """Which kind of rule a skip reason names: ``--exclude``, ``exclude-links``, ``domain rules``…"""
    if reason.startswith("domain rule"):
        return "domain rules"
    named = reason.removeprefix("excluded by ").removeprefix("not matched by ").split()
    return named[0] if named else "rules"


@dataclass(slots=True)
class Coverage:
    """How many of the run's links were really checked, and why the rest were not.
    Every report says so at the top: a link never checked must not look healthy,
    and an outlet whose links were not checked has no rot rate (not 0 %)."""

    links: int = 0
    """Unique links in scope."""
    settled: int = 0
    """With a verdict about the link itself (ok, dead, soft-404, invalid), checked now or cached."""
    undetermined: int = 0
    """Checked, but the answer tells nothing about the link (blocked, rate-limited, timeout, error, server-error)."""
    not_checked: int = 0
    """Not checked at all (``unknown``/``unchecked``): see :attr:`reasons`."""
    skipped: int = 0
    """Not for checking: not http(s), or excluded by a rule of the settings or the command line."""
    reasons: dict[str, int] = field(default_factory=dict)
    """``not_checked`` by reason: ``offline``, ``network down``, ``interrupted``, ``not checked``."""
    ruled_out: int = 0
    """Of :attr:`skipped`, left out by a rule (``--exclude``/``--include``, the settings file)."""
    rules: list[str] = field(default_factory=list)
    """Which kinds of rule left links out: ``--exclude``, ``--include``, ``exclude-links``,
    ``include-links``, ``domain rules``."""
    offline: bool = False
    network_down: bool = False
    interrupted: bool = False

    @property
    def complete(self) -> bool:
        """Every link that could be checked was."""
        return self.not_checked == 0

    @property
    def checked(self) -> int:
        """Links some check answered (settled or not): the rest were never asked."""
        return self.settled + self.undetermined

    @property
    def nothing_settled(self) -> bool:
        """There were links, and not one has a verdict about the link itself: a run
        like this found no dead link because it could not, not because there is none."""
        return self.links > 0 and self.settled == 0

    def text(self) -> str:
        """One line for the top of a report ('' when every link was checked and no rule
        left one out): ``12 of 40 links not checked (offline 12): their fate is unknown,
        not healthy``; ``5 of 5 links skipped by rules (--exclude, domain rules): nothing
        was checked``."""
        parts = []
        noun = "link" if self.links == 1 else "links"
        if not self.complete:
            why = ", ".join(f"{reason} {count}" for reason, count in sorted(self.reasons.items(), key=lambda i: -i[1]))
            parts.append(
                f"{self.not_checked} of {self.links} {noun} not checked ({why}): their fate is unknown, not healthy"
            )
        if self.ruled_out:
            rules = f" ({', '.join(self.rules)})" if self.rules else ""
            whole = f" of {self.links} {noun}" if not parts else ""
            skipped = f"{self.ruled_out}{whole} skipped by rules{rules}"
            parts.append(skipped + (": nothing was checked" if self.checked == 0 else ""))
        return "; ".join(parts)

    @classmethod
    def of(
        cls,
        links: Iterable[LinkResult],
        *,
        offline: bool = False,
        network_down: bool = False,
        interrupted: bool = False,
    ) -> Coverage:
        coverage = cls(offline=offline, network_down=network_down, interrupted=interrupted)
        reason = (
            "offline"
            if offline
            else "network down"
            if network_down
            else "interrupted"
            if interrupted
            else "not checked"
        )
        for link in links:
            coverage.links += 1
            status = link.verdict.status
            if status in SETTLED_STATUSES:
                coverage.settled += 1
            elif status in UNDETERMINED_STATUSES:
                coverage.undetermined += 1
            elif status in NOT_CHECKED_STATUSES:
                coverage.not_checked += 1
                coverage.reasons[reason] = coverage.reasons.get(reason, 0) + 1
            else:
                coverage.skipped += 1
                why = link.verdict.error or ""
                if why.startswith(RULE_SKIP_PREFIXES):
                    coverage.ruled_out += 1
                    origin = _rule_origin(why)
                    if origin not in coverage.rules:
                        coverage.rules.append(origin)
        coverage.rules.sort()
        return coverage


@dataclass(slots=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(slots=True)
class Summary:
    documents: int = 0
    documents_read: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    citations: int = 0
    """Citations in scope (``--links``: the article's own by default)."""
    citations_by_region: dict[str, int] = field(default_factory=dict)
    """Every citation found, by region: ``article`` and ``page`` (furniture)."""
    links_scope: str = "article"
    """Which citations were checked and reported (``--links``)."""
    footnotes: int = 0
    mentions: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    """Articles read, by language (``unknown`` where none was stated or detected)."""
    unique_links: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    links_checked: int = 0
    links_from_cache: int = 0
    requests: int = 0
    skipped_files: list[SkippedFile] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    """How many links were really checked (every report shows it when some were not)."""

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)  # type: ignore[no-any-return]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


_SCALARS = (str, int, float, bool, type(None))


def to_plain(value: Any) -> Any:
    """Records as JSON-ready dicts and lists (``dataclasses.asdict`` deep-copies
    every value and was a tenth of the extraction time)."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, LinkResult):
        return value.to_dict()
    if isinstance(value, list):
        if not value or isinstance(value[0], _SCALARS):
            return list(value)
        return [to_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        plain = {}
        for name in _field_names(type(value)):
            item = getattr(value, name)
            plain[name] = item if isinstance(item, _SCALARS) else to_plain(item)
        return plain
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


@dataclass
class RunResult:
    """Everything a run found, as the reports read it (no network code behind it)."""

    generated_at: str
    documents: DocumentSpool
    links: dict[str, LinkResult] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)
    notes: list[str] = field(default_factory=list)
    """One-line remarks for the user about the run as a whole."""
    headline: list[str] = field(default_factory=list)
    """Lines shown before everything else (what changed since the last run)."""
    inputs: list[str] = field(default_factory=list)
    """The corpus: the input paths as given, made absolute (symbolic links resolved), sorted."""
    fetch_urls: dict[str, str] = field(default_factory=dict, repr=False)
    """Shown (credentials masked) URL -> the URL to fetch, for links with user-info;
    kept in memory only, never written anywhere."""

    @property
    def corpus_key(self) -> str:
        """Names the corpus (the set of its input paths) wherever refcheck was started
        from: runs over the same corpus compare with each other, never with another's."""
        import hashlib

        digest = hashlib.blake2b("\0".join(self.inputs).encode("utf-8", "surrogateescape"), digest_size=8)
        return digest.hexdigest()
