"""Settings: defaults, then ``[tool.refcheck]`` in a ``pyproject.toml`` or a
``refcheck.toml`` (next to the corpus, else in the current folder), then the
command line. A bad file gets one line naming the file and the key."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from refcheck import defaults
from refcheck.errors import SettingsError
from refcheck.models import LINK_SCOPES

FAIL_ON_CHOICES = ("problems", "footnote-errors", "dead", "new-dead", "none")


__all__ = ["FAIL_ON_CHOICES", "Settings", "SettingsError", "find_settings_file", "load_settings", "save_keys"]


@dataclass(slots=True)
class Settings:
    offline: bool = False
    json: str | None = None
    report_dir: str = "reports"
    no_report: bool = False
    cache_dir: str = field(default_factory=lambda: os.environ.get("REFCHECK_CACHE_DIR", "cache"))
    archive: str = "dead"
    """Which links get an archive lookup: ``dead`` (dead/soft-404/unknown), ``all`` or ``none``."""
    wayback_url: str = field(default_factory=lambda: os.environ.get("REFCHECK_WAYBACK_URL", defaults.WAYBACK_URL))
    cdx_url: str = field(default_factory=lambda: os.environ.get("REFCHECK_CDX_URL", defaults.CDX_URL))
    save_missing: bool = False
    """Submit live links with no archive copy to Save Page Now 2 (keys from the environment)."""
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
    source: str | None = None
    """Which settings file was read, if any."""


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
_FILE_KEYS = {f.name for f in fields(Settings)} - {"source", "json"}


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
    _apply(settings, {k: v for k, v in overrides.items() if v is not None}, "command line")
    _check(settings, "command line")
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
        expected = _TYPES.get(hints[key], (object,))
        if isinstance(value, bool) and bool not in expected:
            raise SettingsError(f"{origin}: setting '{raw_key}' must be {_describe(hints[key])}, not true/false")
        if key == "fail_on" and isinstance(value, str):
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
    problem = _invalid_value(settings)
    if problem:
        raise SettingsError(problem if origin == "command line" else f"{origin}: {problem}")


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
}


def _out_of_range(settings: Settings) -> str | None:
    for name, (lowest, highest, above) in NUMBER_RANGES.items():
        value = getattr(settings, name)
        if value is None:
            continue
        label = name.replace("_", "-")
        if isinstance(value, float) and not math.isfinite(value):
            return f"setting '{label}' must be a finite number"
        if above and value <= lowest:
            return f"setting '{label}' must be more than {lowest}"
        if value < lowest:
            return f"setting '{label}' must be " + ("at least 1" if lowest == 1 else f"{lowest} or more")
        if value > highest:
            return f"setting '{label}' must be at most {highest}"
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


def _invalid_value(settings: Settings) -> str | None:
    problem = _out_of_range(settings)
    if problem:
        return problem
    if settings.outlets_file:
        problem = _outlets_file_problem(settings.outlets_file)
        if problem:
            return problem
    if settings.links not in LINK_SCOPES:
        return f"setting 'links' must be one of: {', '.join(LINK_SCOPES)}"
    if settings.archive not in ("dead", "all", "none"):
        return "setting 'archive' must be one of: dead, all, none"
    if settings.transport not in ("aiohttp", "curl"):
        return "setting 'transport' must be one of: aiohttp, curl"
    if settings.transport == "curl" and importlib.util.find_spec("pycurl") is None:
        return "setting 'transport' = curl needs pycurl (pip install 'refcheck[curl]')"
    if settings.save_missing and not save_keys():
        return "--save-missing needs REFCHECK_IA_ACCESS_KEY and REFCHECK_IA_SECRET_KEY in the environment"
    for condition in settings.fail_on:
        if condition not in FAIL_ON_CHOICES:
            return f"setting 'fail-on': unknown condition '{condition}' (choose from {', '.join(FAIL_ON_CHOICES)})"
    return None
