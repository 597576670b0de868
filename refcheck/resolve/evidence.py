"""Did the network work? A failure to reach anything (DNS, refused, time-out)
says something about the link only if the network was working at the time.

While links are checked, every host that answered is remembered as a possible
witness. Failures without any server answering are held back. At the end:

* some server answered: the held-back links get a second opinion -- first a
  witness is asked again; if none answers now, the network went away part-way,
  and those links are ``unknown`` (not cached); if one does, each held-back
  link is checked once more and its second verdict stands;
* no server answered this run, the archive included: those links are
  ``unknown`` and nothing about them is cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from refcheck.models import LinkResult, LinkStatus
from refcheck.resolve.check import Check
from refcheck.resolve.ledger import WriteBatch, annul, record
from refcheck.resolve.scheduler import round_robin

# Outcomes that, without any server answering, may only mean that there is no network.
NETWORK_FAILURES = frozenset({LinkStatus.DEAD, LinkStatus.ERROR, LinkStatus.TIMEOUT})
# Verdicts that rest on a complete HTTP answer (not a time-out, a 429 or a reset).
_PROMPT_ANSWERS = frozenset({LinkStatus.OK, LinkStatus.DEAD, LinkStatus.SOFT_404, LinkStatus.BLOCKED})


class NetworkEvidence:
    def __init__(self) -> None:
        self.answered = False
        """Some server answered this run."""
        self.down = False
        """The network was judged unusable (some links made ``unknown``)."""
        self.held_back: list[LinkResult] = []
        """Links that failed without any server answering: judged at the end."""
        self._witnesses: dict[str, str] = {}
        """Host -> a URL it answered promptly this run, the most recent hosts last."""
        self._reached: dict[str, str] = {}
        """Host -> a URL for which it answered in any way (a 429, a time-out after connecting)."""
        self.notes: list[str] = []

    def saw(self, host: str, link: LinkResult, check: Check, fetched: str) -> bool:
        """Take note of a finished check of ``link`` (on ``host``); True when its
        verdict can be written now."""
        if check.answered:
            self.answered = True
            # A host that answered promptly can vouch for the network; one that answered at all, failing that.
            chosen = self._witnesses if check.verdict.status in _PROMPT_ANSWERS else self._reached
            chosen.pop(host, None)
            chosen[host] = fetched
            return True
        if check.verdict.status in NETWORK_FAILURES:
            self.held_back.append(link)  # judged once we know the network worked
        return False

    def merge(self, other: NetworkEvidence, links: dict[str, LinkResult]) -> None:
        """Add what another process saw (its held-back links are copies: the
        records of ``links`` with the same URLs take their place)."""
        self.answered = self.answered or other.answered
        for mine, theirs in ((self._witnesses, other._witnesses), (self._reached, other._reached)):
            for host, url in theirs.items():
                mine.pop(host, None)
                mine[host] = url
        self.held_back.extend(links[link.url] for link in other.held_back)

    def vouching(self) -> list[str]:
        """Up to three URLs whose hosts answered and did not fail -- preferably: a
        site going down is not the network going down. With no other host (a
        one-site corpus), the failing sites' own earlier answers are the only
        evidence left."""
        failing = {urlsplit(link.url).hostname for link in self.held_back}
        candidates = (
            [url for host, url in self._witnesses.items() if host not in failing]
            or [url for host, url in self._reached.items() if host not in failing]
            or list(self._witnesses.values())
            or list(self._reached.values())
        )
        return candidates[-3:]

    async def second_opinion(
        self,
        check: Callable[[str], Awaitable[Check]],
        fetch_url: Callable[[LinkResult], str],
        writes: WriteBatch,
        lanes_per_host: Callable[[str], int],
        concurrency: int,
    ) -> None:
        """Ask the witnesses, then (if one answers) check the held-back links once
        more, scheduled like the first pass."""
        if not self.held_back or not self.answered:
            return
        witnesses = self.vouching()
        if not witnesses:
            return
        alive = False
        for witness in witnesses:
            if (await check(witness)).answered:
                alive = True
                break
        held_back = self.held_back
        self.held_back = []
        if not alive:
            for link in held_back:
                annul(link, f"network stopped answering during the run: {link.error}", forget=True)
            self.down = True
            self.notes.append(
                "the network stopped answering during the run (hosts that had answered no longer do): "
                f"{_links_are(len(held_back))} 'unknown' (not dead) and nothing about them was cached;"
                " the next run checks them"
            )
            return

        async def again(host: str, link: LinkResult) -> None:
            result = await check(fetch_url(link))
            annul(link, "", forget=True)
            record(link, result.verdict)
            if result.answered:
                writes.add(link)
            elif result.verdict.status in NETWORK_FAILURES:
                self.held_back.append(link)

        by_host: dict[str, list[LinkResult]] = {}
        for link in held_back:
            by_host.setdefault((urlsplit(link.url).hostname or "").lower(), []).append(link)
        await round_robin(by_host, lanes_per_host, concurrency, again)
        recovered = len(held_back) - len(self.held_back)
        if recovered:
            self.notes.append(
                f"{recovered} of {_links(len(held_back))} that failed to connect answered when checked again"
                " (a passing outage); their second verdict stands"
            )

    def judge(self, archive_answered: bool) -> list[LinkResult]:
        """The end of the run: the held-back links whose failure stands (to be
        cached), or none when no server answered at all (they become ``unknown``)."""
        held_back, self.held_back = self.held_back, []
        if self.answered or archive_answered or not held_back:
            return held_back
        self.down = True
        for link in held_back:
            annul(link, f"network unusable (no server answered this run): {link.error}", forget=False)
        self.notes.append(
            f"the network seems unusable: no server answered this run, so {_links_are(len(held_back))} 'unknown'"
            " (not dead) and nothing about them was cached"
        )
        return []


def _links(count: int) -> str:
    return f"{count} link" if count == 1 else f"{count} links"


def _links_are(count: int) -> str:
    return f"{_links(count)} {'is' if count == 1 else 'are'}"
