"""What changed since the previous run in the same report folder.

Compares this run's links with the previous run's ``report.json``: newly dead,
recovered, still dead (since which date, for how many consecutive runs), newly
archived, newly cited, no longer cited. On a first run, with nothing to compare
with, every dead link is new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.models import DEAD_STATUSES, LinkResult
from refcheck.safe_files import read_bytes


@dataclass
class StillDead:
    url: str
    since: str | None
    runs: int


@dataclass
class Changes:
    previous: str | None
    """The previous run's folder name, or None on a first run."""
    newly_dead: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    still_dead: list[StillDead] = field(default_factory=list)
    newly_archived: list[str] = field(default_factory=list)
    newly_cited: list[str] = field(default_factory=list)
    no_longer_cited: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "previous": self.previous,
            "newly_dead": self.newly_dead,
            "recovered": self.recovered,
            "still_dead": [{"url": s.url, "since": s.since, "runs": s.runs} for s in self.still_dead],
            "newly_archived": self.newly_archived,
            "newly_cited": self.newly_cited,
            "no_longer_cited": self.no_longer_cited,
        }


def load_previous(run_folder: Path | None) -> dict[str, dict[str, Any]] | None:
    """The previous run's links by URL (from its report.json), with its dead-streak bookkeeping."""
    if run_folder is None:
        return None
    try:
        # Never through a symbolic link planted in a shared report folder.
        data = json.loads(read_bytes(run_folder / "report.json").decode("utf-8"))
        return {str(link["url"]): link for link in data.get("links", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing, torn, or not our shape
        return None


def compare(links: dict[str, LinkResult], previous: dict[str, dict[str, Any]] | None, previous_name: str | None,
            today: str) -> Changes:  # fmt: skip
    changes = Changes(previous_name if previous is not None else None)
    if previous is None:
        changes.newly_dead = sorted(url for url, link in links.items() if link.status in DEAD_STATUSES)
        changes.newly_cited = sorted(links)
        for url in changes.newly_dead:
            changes.still_dead.append(StillDead(url, today, 1))
        return changes
    for url, link in sorted(links.items()):
        before = previous.get(url)
        if before is None:
            changes.newly_cited.append(url)
            if link.status in DEAD_STATUSES:
                changes.newly_dead.append(url)
                changes.still_dead.append(StillDead(url, today, 1))
            continue
        was_dead = before.get("status") in DEAD_STATUSES
        if link.status in DEAD_STATUSES:
            if was_dead:
                streak = before.get("dead_streak") or {}
                changes.still_dead.append(
                    StillDead(url, streak.get("since") or before.get("checked_at"), int(streak.get("runs", 1)) + 1)
                )
            else:
                changes.newly_dead.append(url)
                changes.still_dead.append(StillDead(url, today, 1))
        elif was_dead and link.status == "ok":
            changes.recovered.append(url)
        had_copy = (before.get("archive") or {}).get("available") is True
        if link.archive is not None and link.archive.available and not had_copy:
            changes.newly_archived.append(url)
    changes.no_longer_cited = sorted(set(previous) - set(links))
    return changes


def dead_streaks(changes: Changes) -> dict[str, dict[str, Any]]:
    """For report.json: each dead link's streak, so that the next run can continue it."""
    return {item.url: {"since": item.since, "runs": item.runs} for item in changes.still_dead}
