"""Settings: defaults, then ``[tool.refcheck]`` in a ``pyproject.toml`` or a
``refcheck.toml`` (next to the corpus, else in the current folder), then the
command line. A bad file gets one line naming the file and the key.

Which links are checked: ``exclude-links``/``include-links`` (URL regular
expressions; the key ``exclude`` is older and names *files* to skip) and per-domain
rules, ``[domains."example.com"]`` with ``skip``, ``accept``, ``per-host`` and
``host-interval``; the command line adds ``--exclude``/``--include`` patterns.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from refcheck import defaults
from refcheck.errors import SettingsError
from refcheck.models import LINK_SCOPES
from refcheck.resolve.settings import DomainRule, LinkPattern, LinkRules, normal_host

FAIL_ON_CHOICES = ("problems", "footnote-errors", "dead", "new-dead", "none", "drift")
"""``drift``: a cited page whose content was replaced (needs ``drift`` on)."""
FORMATS = ("text", "junit", "github")
"""``--format``: the human summary (``text``), JUnit XML or GitHub Actions annotations on stdout."""


__all__ = [
    "FAIL_ON_CHOICES", "FORMATS", "Settings", "SettingsError", "find_settings_file", "load_settings", "save_keys",
]  # fmt: skip


@dataclass(slots=True)
class Settings:
    offline: bool = False
    json: str | None = None
    report_dir: str = "reports"
    no_report: bool = False
    cache_dir: str = field(default_factory=lambda: os.environ.get("REFCHECK_CACHE_DIR", "cache"))
    store: str | None = field(default_factory=lambda: os.environ.get("REFCHECK_STORE") or None)
    """A shared verdict store in PostgreSQL (``postgresql://…``) in place of the disk cache."""
    executor: str = "local"
    """Where extraction and link checks run: ``local`` (processes on this machine) or ``ray``."""
    ray_address: str | None = None
    """The Ray cluster (``host:port`` of its GCS, or ``auto``); None: ``RAY_ADDRESS``, else a local one."""
    store_retry: float = 5.0
    """Seconds a write to the verdict store is retried (with back-off) before the run goes on without it."""
    archive: str = "dead"
    """Which links get an archive lookup: ``dead`` (dead/soft-404/unknown), ``all`` or ``none``."""
    wayback_url: str = field(default_factory=lambda: os.environ.get("REFCHECK_WAYBACK_URL", defaults.WAYBACK_URL))
    cdx_url: str = field(default_factory=lambda: os.environ.get("REFCHECK_CDX_URL", defaults.CDX_URL))
    archives: list[str] = field(default_factory=lambda: ["wayback"])
    """Which archives are asked for a copy: ``wayback``; ``memento`` adds a Memento aggregator
    when the Wayback Machine has no capture near the citation date."""
    memento_url: str = field(default_factory=lambda: os.environ.get("REFCHECK_MEMENTO_URL", defaults.MEMENTO_URL))
    save_missing: bool = False
    """Submit live links with no archive copy to Save Page Now 2 (keys from the environment)."""
    drift: bool = False
    """Content drift: compare each live link that has a citation date with the archive
    capture closest to that date (one more archive request and one more live request each)."""
    archive_interval: float = defaults.ARCHIVE_INTERVAL
    """Seconds between two requests to the archive (its CDX API allows about 30 a minute)."""
    allow_private: bool = False
    concurrency: int = defaults.CONCURRENCY
    per_host: int = defaults.PER_HOST
    host_interval: float = defaults.HOST_INTERVAL
    timeout: float = defaults.TIMEOUT
    retries: int = defaults.RETRIES
    refresh: bool = False
    max_age: float | None = None
    """Days after which a cached verdict is not reused, whatever its kind."""
    fail_on: list[str] = field(default_factory=lambda: ["problems", "dead"])
    max_file_size: int = defaults.MAX_FILE_SIZE
    exclude: list[str] = field(default_factory=list)
    """Files to skip: globs over an article's path or name (not links: ``exclude_links``)."""
    exclude_links: list[str] = field(default_factory=list)
    """URL regular expressions of links not to check (the settings file's ``exclude-links``)."""
    include_links: list[str] = field(default_factory=list)
    """URL regular expressions of links checked whatever excludes them (``include-links``)."""
    cli_exclude: list[str] = field(default_factory=list)
    """``--exclude REGEX`` (command line only; added to ``exclude_links``)."""
    cli_include: list[str] = field(default_factory=list)
    """``--include REGEX`` (command line only; added to ``include_links``)."""
    domains: dict[str, DomainRule] = field(default_factory=dict)
    """Per-domain rules (``[domains."example.com"]``), by lower-case domain name."""
    publishers: dict[str, str] = field(default_factory=dict)
    """Glob over an article's path -> its publisher, for articles that do not say."""
    outlets_file: str | None = None
    """Extra outlets (same JSON shape as the shipped list)."""
    user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """Extra request headers for link checks (e.g. Accept-Language)."""
    links: str = "article"
    """Which citations are checked, counted and reported: ``article`` (the article's
    own, the default) or ``all`` (page furniture too: menus, footers, share buttons…)."""
    follow_symlinks: bool = False
    """Read articles reached through a symbolic link that leads out of the corpus folder."""
    cache_articles: bool = True
    """Keep extracted articles in the cache (an unchanged article is not parsed again: a
    nightly re-run of 10,000 links 3-4x faster; a first run ~10 % slower to extract)."""
    transport: str = "aiohttp"
    """HTTP client of link checks: ``aiohttp`` or ``curl`` (needs pycurl: ``refcheck[curl]``)."""
    workers: int = 0
    """Processes extracting a large corpus; 0: one per core this process may use."""
    quiet: bool = False
    """The dead links, footnote problems per kind, the totals and the exit line only."""
    verbose: bool = False
    """Everything: every finding (no cut), info items, every article."""
    format: str = "text"
    """``text`` (the human summary on stdout), ``junit`` or ``github`` (on stdout; the summary on stderr)."""
    sitemaps: list[str] = field(default_factory=list)
    """Sitemaps (or sitemap indexes) whose pages are the corpus (``--sitemap``)."""
    feeds: list[str] = field(default_factory=list)
    """RSS/Atom feeds whose entries' pages are the corpus (``--feed``)."""
    since: str | None = None
    """ISO date: only sitemap entries last modified, and feed entries dated, on or after it."""
    max_pages: int = defaults.MAX_PAGES
    """Pages taken from sitemaps and feeds at most (pages named on the command line: all)."""
    max_page_size: int = defaults.MAX_PAGE_SIZE
    """Bytes of one live page read at most (a larger one is read that far, with a notice)."""
    source: str | None = None
    """Which settings file was read, if any."""

    def link_rules(self) -> LinkRules:
        """The patterns and domain rules that decide which links are checked (patterns
        already validated by :func:`load_settings`)."""

        def compiled(patterns: list[str], origin: str) -> list[LinkPattern]:
            return [LinkPattern(re.compile(pattern), origin) for pattern in patterns]

        return LinkRules(
            exclude=(*compiled(self.cli_exclude, "--exclude"), *compiled(self.exclude_links, "exclude-links")),
            include=(*compiled(self.cli_include, "--include"), *compiled(self.include_links, "include-links")),
            domains=dict(self.domains),
        )


_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "str | None": (str,),
    "float | None": (int, float),
    "list[str]": (list,),
    "dict[str, str]": (dict,),
}
_FILE_KEYS = {f.name for f in fields(Settings)} - {"source", "json", "format", "cli_exclude", "cli_include"}


def save_keys() -> tuple[str, str] | None:
    """Save Page Now keys from the environment (never from a settings file: no secrets in the repo)."""
    access = os.environ.get("REFCHECK_IA_ACCESS_KEY", "").strip()
    secret = os.environ.get("REFCHECK_IA_SECRET_KEY", "").strip()
    return (access, secret) if access and secret else None


def find_settings_file(paths: list[Path]) -> Path | None:
    """``refcheck.toml`` or a ``pyproject.toml`` with ``[tool.refcheck]`` next to the
    corpus (in a folder given, or the folder of a file given), else in the current folder."""
    folders: list[Path] = []
    for path in paths:
        folder = path if path.is_dir() else path.parent
        folders.extend([folder, folder.parent])
    folders.append(Path.cwd())
    seen: set[Path] = set()
    for folder in folders:
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        candidate = folder / "refcheck.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_section(pyproject):
            return pyproject
    return None


def _has_tool_section(pyproject: Path) -> bool:
    try:
        return "[tool.refcheck" in pyproject.read_text("utf-8", errors="replace")
    except OSError:
        return False


def load_settings(path: Path | None, overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    if path is not None:
        _apply(settings, _read_table(path), str(path))
        settings.source = str(path)
        if settings.outlets_file and not Path(settings.outlets_file).is_absolute():
            settings.outlets_file = str(path.parent / settings.outlets_file)  # next to the settings file
        _check(settings, str(path))
    given = {k: v for k, v in overrides.items() if v is not None}
    if given.get("quiet") and given.get("verbose"):
        raise SettingsError("--quiet and --verbose: choose one")
    if given.get("verbose"):
        settings.quiet = False  # the command line's level wins over the settings file's
    elif given.get("quiet"):
        settings.verbose = False
    _apply(settings, given, "command line")
    _check(settings, "command line")
    if "drift" in settings.fail_on and not settings.drift:
        # Checked once everything is applied: the file may ask for one and the command line the other.
        raise SettingsError("--fail-on drift needs content drift on (--drift, or drift = true in the settings file)")
    if Path(settings.cache_dir).exists() and not Path(settings.cache_dir).is_dir():
        raise SettingsError(f"setting 'cache-dir': {settings.cache_dir} is not a folder")
    return settings


def _read_table(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("refcheck", {})
    else:
        table = data.get("tool", {}).get("refcheck", data) if "tool" in data else data
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.refcheck] must be a table")
    return table


def _apply(settings: Settings, values: dict[str, Any], origin: str) -> None:
    hints = {f.name: str(f.type) for f in fields(Settings)}
    value: Any
    for raw_key, value in values.items():
        key = raw_key.replace("-", "_")
        if key not in hints or (origin != "command line" and key not in _FILE_KEYS):
            raise SettingsError(f"{origin}: unknown setting '{raw_key}'")
        if key == "domains":
            settings.domains = _domain_rules(value, origin)
            continue
        expected = _TYPES.get(hints[key], (object,))
        if isinstance(value, bool) and bool not in expected:
            raise SettingsError(f"{origin}: setting '{raw_key}' must be {_describe(hints[key])}, not true/false")
        if key == "since" and isinstance(value, datetime.date):
            value = value.isoformat()  # a TOML date (since = 2026-11-01), as the string would be
        if key in ("fail_on", "archives") and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, expected):
            raise SettingsError(f"{origin}: setting '{raw_key}' must be {_describe(hints[key])}")
        value = _as_any(value)
        if hints[key] == "list[str]" and not all(isinstance(item, str) for item in value):
            raise SettingsError(f"{origin}: setting '{raw_key}' must be a list of strings")
        if hints[key] == "dict[str, str]" and not all(isinstance(v, str) for v in value.values()):
            raise SettingsError(f"{origin}: setting '{raw_key}' must map strings to strings")
        if hints[key] in ("float", "float | None"):
            value = float(value)
        setattr(settings, key, value)


_DOMAIN_NAME = re.compile(r"^(?:[^\W_]|[-_])+(?:\.(?:[^\W_]|[-_])+)*$")
_DOMAIN_KEYS = ("skip", "accept", "per-host", "host-interval")


def _domain_rules(value: object, origin: str) -> dict[str, DomainRule]:
    """``[domains."example.com"]`` tables as rules by normalised domain name; one line per mistake."""
    if not isinstance(value, dict):
        raise SettingsError(f"{origin}: setting 'domains' must be a table of domains ([domains.\"example.com\"])")
    rules: dict[str, DomainRule] = {}
    for raw_name, table in value.items():
        name = normal_host(str(raw_name).removeprefix("*."))
        where = f"{origin}: domain rule '{raw_name}'"
        if not _DOMAIN_NAME.match(name):
            raise SettingsError(f"{where}: not a domain name (write it as example.com, no scheme or path)")
        if not isinstance(table, dict):
            raise SettingsError(f"{where} must be a table (skip, accept, per-host, host-interval)")
        rules[name] = _domain_rule(table, where)
    return rules


def _domain_rule(table: dict[str, Any], where: str) -> DomainRule:
    known = {key.replace("_", "-"): item for key, item in table.items()}
    for key in known:
        if key not in _DOMAIN_KEYS:
            raise SettingsError(f"{where}: unknown key '{key}' (choose from {', '.join(_DOMAIN_KEYS)})")
    skip = known.get("skip", False)
    if not isinstance(skip, bool):
        raise SettingsError(f"{where}: 'skip' must be true or false")
    accept = known.get("accept", [])
    if not isinstance(accept, list) or not all(
        isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 999 for code in accept
    ):
        raise SettingsError(f"{where}: 'accept' must be a list of HTTP status codes (100-999), e.g. [403, 999]")
    per_host = known.get("per-host")
    if per_host is not None and (
        not isinstance(per_host, int) or isinstance(per_host, bool) or not 1 <= per_host <= NUMBER_RANGES["per_host"][1]
    ):
        raise SettingsError(f"{where}: 'per-host' must be a whole number from 1 to {NUMBER_RANGES['per_host'][1]:g}")
    interval = known.get("host-interval")
    if interval is not None and (
        not isinstance(interval, int | float)
        or isinstance(interval, bool)
        or not math.isfinite(interval)
        or not 0 <= interval <= NUMBER_RANGES["host_interval"][1]
    ):
        raise SettingsError(f"{where}: 'host-interval' must be a number of seconds from 0 to 600")
    return DomainRule(
        skip=skip,
        accept=frozenset(accept),
        per_host=per_host,
        host_interval=None if interval is None else float(interval),
    )


def _as_any(value: object) -> Any:
    """Undo isinstance() narrowing against a run-time tuple of types (mypy makes it ``object``)."""
    return value


def _describe(hint: str) -> str:
    return {
        "bool": "true or false",
        "int": "a whole number",
        "float": "a number",
        "str": "a string",
        "str | None": "a string",
        "float | None": "a number",
        "list[str]": "a list of strings",
        "dict[str, str]": "a table of strings",
    }.get(hint, hint)


def _check(settings: Settings, origin: str) -> None:
    command_line = origin == "command line"
    problem = _invalid_value(settings, command_line)
    if problem:
        raise SettingsError(problem if command_line else f"{origin}: {problem}")


def _label(name: str, command_line: bool) -> str:
    """How a message names a setting: ``--timeout`` on the command line (the file's
    values were checked before it was applied, so a bad value now is the command line's),
    ``setting 'timeout'`` in a settings file."""
    option = name.replace("_", "-")
    return f"--{option}" if command_line else f"setting '{option}'"


# Every number a setting can be, as (lowest, highest, lowest itself excluded).
# nan and inf are refused: nan compares false with everything (``--timeout nan``
# made every link time out) and inf overflows the clocks it reaches.
NUMBER_RANGES: dict[str, tuple[float, float, bool]] = {
    "concurrency": (1, 10_000, False),
    "per_host": (1, 1_000, False),
    "max_file_size": (1, 4_000_000_000, False),
    "retries": (0, 10, False),
    "timeout": (0, 600, True),
    "host_interval": (0, 600, False),
    "archive_interval": (0, 600, False),
    "max_age": (0, 36_500, False),
    "workers": (0, 256, False),
    "max_pages": (1, 1_000_000, False),
    "max_page_size": (1, 1_000_000_000, False),
    "store_retry": (0, 600, False),
}


def _out_of_range(settings: Settings, command_line: bool = False) -> str | None:
    for name, (lowest, highest, above) in NUMBER_RANGES.items():
        value = getattr(settings, name)
        if value is None:
            continue
        label = _label(name, command_line)
        if isinstance(value, float) and not math.isfinite(value):
            return f"{label} must be a finite number"
        if above and value <= lowest:
            return f"{label} must be more than {lowest}"
        if value < lowest:
            return f"{label} must be " + ("at least 1" if lowest == 1 else f"{lowest} or more")
        if value > highest:
            return f"{label} must be at most {highest}"
    return None


def _outlets_file_problem(name: str) -> str | None:
    """Why the outlets file cannot be used (read and shaped as the shipped list), or None."""
    path = Path(name)
    try:
        data = json.loads(path.read_text("utf-8"))
    except IsADirectoryError:
        return f"setting 'outlets-file': {path} is a folder, not a file"
    except FileNotFoundError:
        return f"setting 'outlets-file': {path} does not exist"
    except OSError as exc:
        return f"setting 'outlets-file': cannot read {path}: {exc.strerror or exc}"
    except UnicodeDecodeError:
        return f"setting 'outlets-file': {path} is not UTF-8 text"
    except ValueError as exc:
        return f"setting 'outlets-file': {path} is not valid JSON ({exc})"
    records = data.get("outlets") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(
        isinstance(record, dict) and isinstance(record.get("name"), str) for record in records
    ):
        return (
            f"setting 'outlets-file': {path} must hold a list of outlets (or {{\"outlets\": [...]}}),"
            ' each a table with a "name"'
        )
    return None


def _invalid_value(settings: Settings, command_line: bool = False) -> str | None:
    problem = _out_of_range(settings, command_line)
    if problem:
        return problem
    if settings.outlets_file:
        problem = _outlets_file_problem(settings.outlets_file)
        if problem:
            return problem
    if settings.links not in LINK_SCOPES:
        return f"{_label('links', command_line)} must be one of: {', '.join(LINK_SCOPES)}"
    if settings.archive not in ("dead", "all", "none"):
        return f"{_label('archive', command_line)} must be one of: dead, all, none"
    problem = _archives_problem(settings.archives, _label("archives", command_line))
    if problem:
        return problem
    for name, env in (("wayback_url", "REFCHECK_WAYBACK_URL"), ("cdx_url", "REFCHECK_CDX_URL"),
                      ("memento_url", "REFCHECK_MEMENTO_URL")):  # fmt: skip
        address = getattr(settings, name)
        if not _is_web_base(address):
            return f"{_label(name, command_line)} (or {env}) must be an http(s) address, not '{str(address)[:100]}'"
    if settings.executor not in ("local", "ray"):
        return f"{_label('executor', command_line)} must be one of: local, ray"
    if settings.executor == "ray" and importlib.util.find_spec("ray") is None:
        return f"{_label('executor', command_line)} ray needs Ray: pip install 'refcheck[ray]'"
    if settings.ray_address is not None and settings.executor != "ray":
        return f"{_label('ray_address', command_line)} needs --executor ray"
    if settings.store is not None and not settings.store.lower().startswith(("postgresql://", "postgres://")):
        label = "--store" if command_line else "setting 'store':"
        return f"{label} must be a postgresql:// URL (the disk cache is --cache-dir)"
    if settings.transport not in ("aiohttp", "curl"):
        return "setting 'transport' must be one of: aiohttp, curl"
    if settings.transport == "curl" and importlib.util.find_spec("pycurl") is None:
        return "setting 'transport' = curl needs pycurl (pip install 'refcheck[curl]')"
    if settings.save_missing and not save_keys():
        return "--save-missing needs REFCHECK_IA_ACCESS_KEY and REFCHECK_IA_SECRET_KEY in the environment"
    problem = _fail_on_problem(settings.fail_on, _label("fail_on", command_line))
    if problem:
        return problem
    if settings.format not in FORMATS:
        return f"--format: unknown format '{settings.format}' (choose from {', '.join(FORMATS)})"
    if settings.quiet and settings.verbose:
        return "settings 'quiet' and 'verbose': choose one"
    return _web_input_problem(settings, command_line) or _bad_pattern(settings)


def _web_input_problem(settings: Settings, command_line: bool) -> str | None:
    """A sitemap or feed that is not an http(s) address, a ``since`` that is not a date."""
    from refcheck.redact import redact
    from refcheck.webinput import address_problem, parse_since

    for name, option, addresses in (("sitemaps", "--sitemap", settings.sitemaps), ("feeds", "--feed", settings.feeds)):
        label = option if command_line else f"setting '{name}':"
        for address in addresses:
            problem = address_problem(address)
            if problem:
                return f"{label} '{redact(address[:200])}': {problem}"
    if settings.since is not None:
        try:
            parse_since(settings.since)
        except ValueError:
            label = "--since" if command_line else "setting 'since':"
            return f"{label} '{settings.since[:100]}' is not a date (write it as 2026-11-01)"
    return None


def _is_web_base(address: object) -> bool:
    """An http(s) address with a host: what an API base must be."""
    if not isinstance(address, str):
        return False
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _archives_problem(archives: list[str], label: str) -> str | None:
    """An archive list that cannot be meant: empty, an unknown or repeated name, or
    ``memento`` without ``wayback`` (the aggregator is asked only after the Wayback Machine)."""
    choices = ", ".join(defaults.ARCHIVES)
    if not archives:
        return f"{label}: no archive given (choose from {choices})"
    for name in archives:
        if name not in defaults.ARCHIVES:
            return f"{label}: unknown archive '{name[:100]}' (choose from {choices})"
    if len(set(archives)) != len(archives):
        return f"{label}: an archive is named twice"
    if "wayback" not in archives:
        return f"{label}: memento is asked only after the Wayback Machine: write wayback,memento"
    return None


def _fail_on_problem(conditions: list[str], label: str) -> str | None:
    """Why a ``fail-on`` list cannot be meant as written: an unknown condition, none at
    all (``--fail-on ""`` would quietly never fail), or ``none`` with others (which wins?)."""
    for condition in conditions:
        if condition not in FAIL_ON_CHOICES:
            return f"{label}: unknown condition '{condition}' (choose from {', '.join(FAIL_ON_CHOICES)})"
    if not conditions:
        return f"{label}: no condition given (choose from {', '.join(FAIL_ON_CHOICES)}; 'none' never fails)"
    if "none" in conditions and len(set(conditions)) > 1:
        others = ",".join(condition for condition in conditions if condition != "none")
        return f"{label}: 'none' cannot go with other conditions (write {others}, or none alone)"
    return None


def _bad_pattern(settings: Settings) -> str | None:
    """The first link pattern that is not a regular expression, or that is empty (it
    matches every URL: an empty exclude would skip every link), said in one line."""
    for option, patterns in (
        ("--exclude", settings.cli_exclude),
        ("--include", settings.cli_include),
        ("setting 'exclude-links':", settings.exclude_links),
        ("setting 'include-links':", settings.include_links),
    ):
        for pattern in patterns:
            if not pattern:
                return f"{option} '' is empty: it would match every link (write a regular expression)"
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                return f"{option} '{pattern}' is not a valid regular expression ({exc})"
    return None
