"""Checking sharded over worker processes by registrable domain: the same verdicts
as one process, every host's limit in one place, one network judgement for the run."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from localweb import Stats, closed_port, serve

from refcheck.models import LinkResult, LinkStatus
from refcheck.resolve.cache import Cache
from refcheck.resolve.resolver import resolve_links, shard_by_domain
from refcheck.resolve.settings import CheckSettings, ResolveSettings

HOSTS = [f"127.0.0.{n}" for n in range(21, 27)]


def settings(workers: int) -> ResolveSettings:
    check = CheckSettings(timeout=2.0, retries=0, allow_private=True, backoff_initial=0.01, backoff_max=0.02)
    return ResolveSettings(
        per_host=2, host_interval=0.0, archive="none", check=check, workers=workers, shard_min_links=1
    )


def corpus(bases: list[str]) -> list[str]:
    return [f"{base}/{path}" for base in bases for path in ("ok", "gone", "broken", "a/b/c")]


def test_shards_keep_every_host_whole_and_are_balanced() -> None:
    by_host = {
        f"h{n}.example{n % 3}.org": [LinkResult(f"https://h{n}/x{i}", None) for i in range(n + 1)] for n in range(9)
    }
    shards = shard_by_domain(by_host, 2)
    assert len(shards) == 2
    assert sorted(host for shard in shards for host in shard) == sorted(by_host)
    for domain in ("example0.org", "example1.org", "example2.org"):  # a domain's hosts stay together
        holding = [index for index, shard in enumerate(shards) if any(host.endswith(domain) for host in shard)]
        assert len(holding) == 1, domain
    loads = [sum(len(queue) for queue in shard.values()) for shard in shards]
    assert abs(loads[0] - loads[1]) <= max(len(queue) for queue in by_host.values())
    assert shard_by_domain(by_host, 1) == [by_host]


def test_two_processes_give_the_verdicts_of_one(tmp_path: object) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(serve(host)) for host in HOSTS]
        bases = [base for base, _ in servers]
        urls = corpus(bases)
        one = {url: LinkResult(url, None) for url in urls}
        resolve_links(one, settings(1), None)
        before = sum(stats.total for _, stats in servers)
        two = {url: LinkResult(url, None) for url in urls}
        report = resolve_links(two, settings(2), None)
        stats: list[Stats] = [stats for _, stats in servers]
        assert sum(s.total for s in stats) - before == report.requests
    assert {url: link.status for url, link in two.items()} == {url: link.status for url, link in one.items()}
    assert report.checked == len(urls)
    assert {link.status for link in two.values()} >= {LinkStatus.OK, LinkStatus.DEAD, LinkStatus.SERVER_ERROR}
    assert all(len(link.history) == 1 for link in two.values())  # each checked once, history kept


def test_shards_write_the_cache_and_the_parent_judges_unreached_links(tmp_path: object) -> None:
    """A shard whose only host cannot be reached does not decide alone that the
    network is down: the run (other shards answered) judges the failure."""
    from pathlib import Path

    cache_dir = Path(str(tmp_path)) / "cache"
    with serve(HOSTS[0]) as (base, _):
        refused = f"http://127.0.0.29:{closed_port()}/page"
        urls = [*corpus([base]), refused]
        links = {url: LinkResult(url, None) for url in urls}
        cache = Cache(cache_dir)
        try:
            report = resolve_links(links, settings(2), cache)
        finally:
            cache.close()
    assert not report.network_down
    assert links[refused].status == LinkStatus.ERROR and "connection failed" in (links[refused].error or "")
    assert links[base + "/ok"].status == LinkStatus.OK
    cache = Cache(cache_dir)
    try:
        remembered = cache.links(urls)
    finally:
        cache.close()
    assert set(remembered) == set(urls)  # written by the workers, and by the parent for the judged failure
    assert remembered[base + "/ok"].verdict is not None


def test_a_large_corpus_extracted_by_two_processes_gives_what_one_gives(tmp_path: Path) -> None:
    """16 files and 2 MB or more go to the pool: documents (in corpus order), totals and
    the link table must be those of one process."""
    from refcheck.config import Settings
    from refcheck.pipeline import run

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(20):
        notes = "\n\n".join(
            f"({i}) Reuters, 28 August 2018, https://www.site{i % 7}.org/story-{n}-{i}" for i in range(1, 400)
        )
        body = " ".join(f"Claim ({i})." for i in range(1, 400)) + (
            " See https://user:pw@example.org/x." if n == 0 else ""
        )
        (corpus / f"article-{n:02}.txt").write_text(f"Title {n}\n\n{body}\n\n{notes}\n" + "Filler text. " * 6000)
    (corpus / "image.bin").write_bytes(b"\x00\x01" * 100)

    def extracted(workers: int) -> tuple[list[dict[str, object]], dict[str, object], dict[str, object], dict[str, str]]:
        result = run([corpus], Settings(offline=True, workers=workers, cache_dir=str(tmp_path / f"cache-{workers}")))
        try:
            documents = [document.to_dict() for document in result.documents]
        finally:
            result.documents.close()
        links = {url: link.to_dict() for url, link in result.links.items()}
        return documents, result.summary.to_dict(), links, result.fetch_urls

    assert sum(path.stat().st_size for path in corpus.iterdir()) > 2_000_000
    one, two = extracted(1), extracted(2)
    assert two == one
    assert len(one[0]) == 20 and one[1]["files_skipped"] == 1
    assert one[3]  # the masked credentials' real URLs came back from the workers too
    cache = Cache(tmp_path / "cache-2")
    try:  # every worker wrote what it extracted when it ended (not the article with credentials)
        assert len(cache) == 19
    finally:
        cache.close()
