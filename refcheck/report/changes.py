"""What changed since the previous run over the same corpus.

Compares this run's links with the previous run's ``report.json`` (the newest
readable run of the same corpus: see :func:`refcheck.report.files.previous_links`):
newly dead, recovered, still dead (since which date, for how many consecutive
runs), unconfirmed, newly archived, newly cited, no longer cited.

The lists never overlap: a link is newly dead (dead now, not known dead before)
*or* still dead (dead now and known dead before), never both. On a first run,
with nothing to compare with, every dead link is newly dead and none still dead.

A run tells only what it checked. A link that was dead before and was not
checked now (offline, network down, cut off) or whose answer says nothing (a
wall, a time-out) is *unconfirmed*: neither recovered nor still dead. Its dead
streak is carried over unchanged, so the next run that does check it finds it
still dead (or recovered) -- never "newly dead" again because an offline run
came in between. A link that was ok before and is not checked now is not newly
dead: nothing is known about it.

Content drift (``--drift``), only when this run looked at it: *newly replaced*
(replaced now, not replaced at the previous run) and *newly changed* (changed
now, neither changed nor replaced before: a page going from replaced back to
changed is not news). The previous run's links carry ``drift`` in its report.json;
a link the previous run did not look at (no ``drift``, drift off, or a first
run) counts as not drifted then, as a first run counts every dead link newly dead.
A link whose drift this run could not tell (``unknown``), or did not look at
(drift off, offline, dead now), is neither, and its last known drift verdict is
carried over (``last_drift`` in report.json, like the dead streak): a page found
replaced, then not compared for a night, then replaced again is not "newly
replaced" the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.models import DEAD_STATUSES, SETTLED_STATUSES, DriftVerdict, LinkResult, LinkStatus
from refcheck.safe_files import read_bytes


@dataclass
class StillDead:
    url: str
    since: str | None
    """When the streak began: the day of the run that first found the link dead."""
    runs: int
    """Consecutive checks that found it dead, this one included (unconfirmed runs not counted)."""


@dataclass
class Unconfirmed:
    """Dead at the last run that checked it; this run could not tell (see the module's text)."""

    url: str
    status: str
    """This run's verdict: ``unknown`` (not checked), ``timeout``, ``blocked``…"""
    since: str | None
    runs: int
    """Checks that found it dead before this run."""


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
    unconfirmed: list[Unconfirmed] = field(default_factory=list)
    """Dead before, neither confirmed dead nor found alive this run."""
    today: str | None = None
    """The day newly dead links start their dead streak (for :func:`dead_streaks`)."""
    drift: bool = False
    last_drift: dict[str, dict[str, str]] = field(default_factory=dict)
    """By URL, the last drift verdict known for a link this run could not tell or did not
    look at (``{"verdict": "replaced", "since": day}``), for report.json: see the module."""
    """This run looked at content drift: the two lists below mean something (and are reported)."""
    newly_replaced: list[str] = field(default_factory=list)
    newly_changed: list[str] = field(default_factory=list)

    @property
    def newly_drifted(self) -> frozenset[str]:
        """URLs newly replaced or newly changed."""
        return frozenset(self.newly_replaced) | frozenset(self.newly_changed)

    def to_json(self) -> dict[str, Any]:
        drift = {"newly_replaced": self.newly_replaced, "newly_changed": self.newly_changed} if self.drift else {}
        return {
            "previous": self.previous,
            "newly_dead": self.newly_dead,
            "recovered": self.recovered,
            "still_dead": [{"url": s.url, "since": s.since, "runs": s.runs} for s in self.still_dead],
            "newly_archived": self.newly_archived,
            "newly_cited": self.newly_cited,
            "no_longer_cited": self.no_longer_cited,
            "unconfirmed": [
                {"url": u.url, "status": u.status, "since": u.since, "runs": u.runs} for u in self.unconfirmed
            ],
            **drift,
        }


@dataclass
class PreviousRun:
    """What a run's report.json says about the corpus it checked and its links."""

    corpus_key: str | None
    """None for a report written before runs recorded their corpus."""
    links: dict[str, dict[str, Any]]


def load_previous(run_folder: Path | None) -> dict[str, dict[str, Any]] | None:
    """The previous run's links by URL (from its report.json), with its dead-streak bookkeeping."""
    previous = load_run(run_folder)
    return previous.links if previous is not None else None


def load_run(run_folder: Path | None) -> PreviousRun | None:
    """A run's corpus key and links from its report.json; None when it cannot be
    read (missing, torn, planted, or not our shape)."""
    if run_folder is None:
        return None
    try:
        # Never through a symbolic link planted in a shared report folder.
        data = json.loads(read_bytes(run_folder / "report.json").decode("utf-8"))
        links = {str(link["url"]): link for link in data.get("links", [])}  # TypeError: not a dict
        return PreviousRun(corpus_key_of(data.get("corpus")), links)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing, torn, or not our shape
        return None


def corpus_key_of(corpus: object) -> str | None:
    """The key of a ``corpus`` member (report.json or a history row): ``{"key": …}``; else None."""
    if isinstance(corpus, dict):
        key = corpus.get("key")
        return key if isinstance(key, str) and key else None
    return None


def compare(links: dict[str, LinkResult], previous: dict[str, dict[str, Any]] | None, previous_name: str | None,
            today: str) -> Changes:  # fmt: skip
    changes = Changes(previous_name if previous is not None else None, today=today)
    _compare_drift(changes, links, previous or {})
    if previous is None:
        changes.newly_dead = sorted(url for url, link in links.items() if link.status in DEAD_STATUSES)
        changes.newly_cited = sorted(links)
        return changes
    for url, link in sorted(links.items()):
        before = previous.get(url)
        if before is None:
            changes.newly_cited.append(url)
            if link.status in DEAD_STATUSES:
                changes.newly_dead.append(url)
            continue
        _compare_verdicts(changes, url, link.status, before)
        had_copy = _archive_of(before).get("available") is True
        if link.archive is not None and link.archive.available and not had_copy:
            changes.newly_archived.append(url)
    changes.no_longer_cited = sorted(set(previous) - set(links))
    return changes


def _compare_drift(changes: Changes, links: dict[str, LinkResult], previous: dict[str, dict[str, Any]]) -> None:
    """The links newly replaced and newly changed (see the module), when this run looked at drift."""
    changes.drift = any(link.drift is not None for link in links.values())
    for url, link in sorted(links.items()):
        before = _drift_of(previous.get(url))
        known_now = link.drift is not None and link.drift.verdict is not DriftVerdict.UNKNOWN
        if not known_now or link.status in DEAD_STATUSES:
            carried = _carried_drift(previous.get(url))
            if carried is not None:
                changes.last_drift[url] = carried
        if link.drift is None or link.status in DEAD_STATUSES:  # a dead link is reported as dead
            continue
        if link.drift.verdict is DriftVerdict.REPLACED and before != DriftVerdict.REPLACED:
            changes.newly_replaced.append(url)
        elif link.drift.verdict is DriftVerdict.CHANGED and before not in (DriftVerdict.CHANGED, DriftVerdict.REPLACED):
            changes.newly_changed.append(url)


_KNOWN_DRIFT = frozenset({DriftVerdict.NONE.value, DriftVerdict.CHANGED.value, DriftVerdict.REPLACED.value})


def _drift_of(before: dict[str, Any] | None) -> str | None:
    """The last drift verdict known at the previous run: its own, else the one it
    carried over; None when never known (not looked at, unknown, not our shape)."""
    carried = _carried_drift(before)
    return carried["verdict"] if carried is not None else None


def _carried_drift(before: dict[str, Any] | None) -> dict[str, str] | None:
    """``{"verdict", "since"}``: the previous run's known drift verdict (with the day it
    was checked), else the ``last_drift`` it carried over; None when there is none."""
    if not isinstance(before, dict):
        return None
    drift = before.get("drift")
    verdict = drift.get("verdict") if isinstance(drift, dict) else None
    if verdict in _KNOWN_DRIFT:
        checked = drift.get("checked_at") if isinstance(drift, dict) else None
        since = checked if isinstance(checked, str) else before.get("checked_at")
        return {"verdict": str(verdict), "since": since[:10] if isinstance(since, str) else ""}
    last = before.get("last_drift")
    if isinstance(last, dict) and last.get("verdict") in _KNOWN_DRIFT:
        since = last.get("since")
        return {"verdict": str(last["verdict"]), "since": since if isinstance(since, str) else ""}
    return None


def _compare_verdicts(changes: Changes, url: str, status: LinkStatus, before: dict[str, Any]) -> None:
    """Put one link that both runs cite in (at most) one of the verdict lists."""
    streak = _streak_of(before)
    if streak is None:  # not known dead before (ok, or never settled)
        if status in DEAD_STATUSES:
            changes.newly_dead.append(url)
        return
    since, runs = streak
    if status in DEAD_STATUSES:
        changes.still_dead.append(StillDead(url, since, runs + 1))
    elif status == LinkStatus.OK:
        changes.recovered.append(url)
    elif status not in SETTLED_STATUSES:  # not checked, or an answer that tells nothing
        changes.unconfirmed.append(Unconfirmed(url, str(status), since, runs))


def _streak_of(before: dict[str, Any]) -> tuple[str | None, int] | None:
    """``(since, runs)`` when the previous run knew the link dead: dead then, or
    unconfirmed then with a streak carried over from an earlier run; else None."""
    status = before.get("status")
    status = status if isinstance(status, str) else LinkStatus.UNKNOWN
    streak = before.get("dead_streak")
    streak = streak if isinstance(streak, dict) else {}
    carried = bool(streak) and status not in SETTLED_STATUSES
    if status not in DEAD_STATUSES and not carried:
        return None
    since = streak.get("since") or before.get("checked_at")
    runs = streak.get("runs", 1)
    runs = runs if isinstance(runs, int) and not isinstance(runs, bool) and runs > 0 else 1
    return (since if isinstance(since, str) else None), runs


def _archive_of(before: dict[str, Any]) -> dict[str, Any]:
    archive = before.get("archive")
    return archive if isinstance(archive, dict) else {}


def dead_streaks(changes: Changes) -> dict[str, dict[str, Any]]:
    """For report.json: the dead streak of every link known dead, so that the next
    run continues it -- newly dead ones start one (today, 1 run), still dead ones
    go on, unconfirmed ones carry theirs over unchanged."""
    streaks = {url: {"since": changes.today or None, "runs": 1} for url in changes.newly_dead}
    streaks.update({item.url: {"since": item.since, "runs": item.runs} for item in changes.still_dead})
    streaks.update({item.url: {"since": item.since, "runs": item.runs} for item in changes.unconfirmed})
    return streaks
