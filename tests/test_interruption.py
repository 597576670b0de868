"""Interruption, two runs at once, damaged cache and history, and a network that
drops part-way: nothing finished is lost, nothing false is cached."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import refcheck, refcheck_command, refcheck_env
from localweb import serve

from refcheck.config import Settings
from refcheck.errors import CheckFailure, ConnectFailed, NameNotResolved
from refcheck.models import RunResult
from refcheck.pipeline import resolve, run
from refcheck.resolve.cache import Cache
from refcheck.resolve.transport import Answer, Transport

LINKS = 40


def write_corpus(folder: Path, base: str, count: int = LINKS, path: str = "/busy-") -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    urls = [f"{base}{path}{index}" for index in range(count)]
    notes = "\n\n".join(f"({number}) Source, 28 August 2018, {url}" for number, url in enumerate(urls, 1))
    markers = " ".join(f"Claim ({number})." for number in range(1, count + 1))
    (folder / "article.txt").write_text(f"Title\n\n{markers}\n\n{notes}\n", encoding="utf-8")
    return urls


def default_sigint() -> None:
    """In the child: Ctrl-C as a terminal would deliver it. A shell's background
    job (CI started with ``&``) hands its children SIGINT *ignored*, and Python
    keeps an ignored SIGINT ignored, so the test's SIGINT would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        refcheck_command(*args),
        cwd=tmp_path,
        env=refcheck_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


def cached_verdicts(cache_dir: Path, urls: list[str]) -> set[str]:
    """The URLs whose verdict the cache keeps (for reuse by the next run)."""
    cache = Cache(cache_dir)
    try:
        return {url for url, entry in cache.links(urls).items() if entry.verdict is not None}
    finally:
        cache.close()


def wait_for(condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def check_args(cache: Path, *extra: str) -> list[str]:
    return ["corpus", "--allow-private", "--archive", "none", "--host-interval", "0", "--per-host", "2",
            "--cache-dir", str(cache), "--quiet", *extra]  # fmt: skip


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_half_way_the_next_run_checks_only_what_was_not_finished(tmp_path: Path, sig: signal.Signals) -> None:
    with serve() as (base, stats):
        urls = write_corpus(tmp_path / "corpus", base)
        cache = tmp_path / "cache"
        process = start(tmp_path, *check_args(cache, "--no-report"))
        try:
            wait_for(lambda: stats.total >= 12)
            started = stats.total
            process.send_signal(sig)
            stdout, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        if sig == signal.SIGINT:
            assert process.returncode == 130 and "interrupted" in stderr, (stdout, stderr)
            assert "Traceback" not in stderr
        else:
            assert process.returncode == -signal.SIGKILL
        kept = cached_verdicts(cache, urls)
        # Two workers: each started request but the last two (in flight) had finished.
        assert len(kept) >= started - 2 - 1, (len(kept), started)
        assert len(kept) < LINKS

        before = dict(stats.requests)
        second = refcheck(tmp_path, *check_args(cache, "--no-report", "--json", "-"))
        assert second.returncode == 0, second.stderr
        again = {path for path, count in stats.requests.items() if count > before.get(path, 0)}
        assert again == {url[len(base) :] for url in urls if url not in kept}  # only the unfinished ones
        result = json.loads(second.stdout)
        assert {link["status"] for link in result["links"]} == {"ok"}  # nothing kept was damaged
        assert result["summary"]["links_from_cache"] == len(kept)


def test_a_finished_verdict_is_committed_before_the_next_request_goes_out(tmp_path: Path) -> None:
    """What makes the kill test above hold on a loaded machine: a check's task may
    send its next request without waiting (a pooled connection writes at once), so
    the verdicts finished so far must be committed before then, not at the end of
    the loop's turn. At every request, every link already reported is in the cache."""
    reported: list[str] = []
    missing: list[tuple[str, list[str]]] = []
    real = Transport.fetch
    with serve() as (base, _stats):
        urls = write_corpus(tmp_path / "corpus", base, 20)

        async def fetch(self: Transport, url: str, headers: Mapping[str, str], **options: Any) -> Answer:
            if reported:
                lost = sorted(set(reported) - cached_verdicts(tmp_path / "cache", list(reported)))
                if lost:
                    missing.append((url, lost))
            return await real(self, url, headers, **options)

        Transport.fetch = fetch  # type: ignore[method-assign]
        try:
            result, _settings = in_process(tmp_path, tmp_path / "corpus", lambda link: reported.append(link.url))
        finally:
            Transport.fetch = real  # type: ignore[method-assign]
    assert {link.status for link in result.links.values()} == {"ok"}
    assert sorted(reported) == sorted(urls)
    assert missing == []


def test_two_runs_at_once_on_one_cache_and_report_folder(tmp_path: Path) -> None:
    with serve() as (base, _stats):
        urls = write_corpus(tmp_path / "corpus", base, 20)
        cache, reports = tmp_path / "cache", tmp_path / "reports"
        args = check_args(cache, "--report-dir", str(reports), "--json", "-")
        runs = [start(tmp_path, *args) for _ in range(2)]
        outputs = [process.communicate(timeout=120) for process in runs]
    for process, (stdout, stderr) in zip(runs, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert {link["status"] for link in json.loads(stdout)["links"]} == {"ok"}
    folders = sorted(path.name for path in reports.iterdir() if path.is_dir() and not path.is_symlink())
    assert len(folders) == 2  # no collision: the second in the same second gets "-2"
    for folder in folders:
        assert json.loads((reports / folder / "report.json").read_text("utf-8"))["summary"]["unique_links"] == 20
    lines = (reports / "history.jsonl").read_text("utf-8").splitlines()
    assert sorted(json.loads(line)["run"] for line in lines) == folders
    assert cached_verdicts(cache, urls) == set(urls)


def test_damaged_cache_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    with serve() as (base, stats):
        write_corpus(tmp_path / "corpus", base, 5)
        cache = tmp_path / "cache"
        cache.mkdir()
        (cache / "cache.db").write_bytes(b"SQLite format 3\x00" + os.urandom(3000))  # a torn, garbled file
        first = refcheck(tmp_path, *check_args(cache, "--no-report"))
        assert first.returncode == 0, first.stderr
        assert "moved aside" in first.stdout + first.stderr
        assert "Traceback" not in first.stderr
        assert [path.name for path in tmp_path.iterdir() if path.name.startswith("cache.damaged-")]
        served = stats.total
        second = refcheck(tmp_path, *check_args(cache, "--no-report"))
        assert second.returncode == 0, second.stderr
        assert stats.total == served  # the rebuilt cache answered everything


def test_damaged_history_and_report_are_set_aside_with_a_warning(tmp_path: Path) -> None:
    with serve() as (base, _stats):
        write_corpus(tmp_path / "corpus", base, 3)
        write_corpus(tmp_path / "corpus", base, 3, path="/gone?n=")
        cache, reports = tmp_path / "cache", tmp_path / "reports"
        args = [*check_args(cache, "--report-dir", str(reports)), "--fail-on", "new-dead"]
        first = refcheck(tmp_path, *args)
        assert first.returncode == 1  # three dead links, all new
        # A second run killed while writing its report, and a history line torn in half.
        (reports / "2999-01-01T000000").mkdir()
        (reports / "2999-01-01T000000" / "report.json").write_text('{"links": [{"url": ', "utf-8")
        history = reports / "history.jsonl"
        history.write_text(history.read_text("utf-8") + '{"run": "torn', "utf-8")
        second = refcheck(tmp_path, *args)
    out = second.stdout + second.stderr
    assert second.returncode == 0, out  # compared with the first run: nothing newly dead
    assert "2999-01-01T000000" in out and "damaged" in out
    assert "history rebuilt" in out
    assert [path.name for path in reports.iterdir() if path.name.startswith("history.jsonl.damaged-")]
    rows = [json.loads(line) for line in history.read_text("utf-8").splitlines()]
    assert len(rows) == 2


# --------------------------------------------------------------------------- the network drops


def no_dns(host: str) -> CheckFailure:
    """What the transport raises when the resolver says a name has no address."""
    return NameNotResolved(f"domain does not resolve: {host}: Name or service not known")


def no_connection(host: str) -> CheckFailure:
    """What the transport raises when the resolver cannot answer at all (no network)."""
    return ConnectFailed(
        f"DNS lookup failed for now: Cannot connect to host {host}: Temporary failure in name resolution"
    )


@contextmanager
def outage_after(
    count: int, only: str | None = None, failure: Callable[[str], CheckFailure] = no_dns
) -> Iterator[threading.Event]:
    """Once the event is set (by the test's progress hook, after ``count`` links have
    a verdict), every request fails the way it does when the network is gone: the
    transport raises ``failure`` (by default: no DNS, which alone would mean dead)."""
    down = threading.Event()
    real = Transport.fetch

    async def fetch(self: Transport, url: str, headers: Mapping[str, str], **options: Any) -> Answer:
        if down.is_set() and (only is None or only in url):
            raise failure(urlsplit(url).hostname or "")
        return await real(self, url, headers, **options)

    Transport.fetch = fetch  # type: ignore[method-assign]
    try:
        yield down
    finally:
        Transport.fetch = real  # type: ignore[method-assign]


def in_process(tmp_path: Path, corpus: Path, hook: object = None) -> tuple[RunResult, Settings]:
    settings = Settings(allow_private=True, archive="none", cache_dir=str(tmp_path / "cache"), no_report=True,
                        host_interval=0.0, per_host=2, retries=0)  # fmt: skip
    result = run([corpus], settings)
    resolve(result, settings, hook)  # type: ignore[arg-type]
    return result, settings


@pytest.mark.parametrize("failure", [no_dns, no_connection], ids=["no-dns", "no-connection"])
def test_network_drop_half_way_gives_unknown_not_dead_and_caches_nothing_false(
    tmp_path: Path, failure: Callable[[str], CheckFailure]
) -> None:
    with serve() as (base, _stats), outage_after(15, failure=failure) as down:
        urls = write_corpus(tmp_path / "corpus", base)
        seen: list[str] = []

        def hook(link: object) -> None:
            seen.append(str(link))
            if len(seen) == 15:
                down.set()

        result, _settings = in_process(tmp_path, tmp_path / "corpus", hook)
    statuses = [link.status for link in result.links.values()]
    assert "dead" not in statuses and "error" not in statuses
    assert statuses.count("ok") >= 15 and statuses.count("unknown") >= LINKS - 15 - 2
    assert any("network stopped answering" in note for note in result.notes)
    ok = {url for url in urls if result.links[url].status == "ok"}
    assert cached_verdicts(tmp_path / "cache", urls) == ok  # the unknown ones left no trace
    cache = Cache(tmp_path / "cache")
    try:
        unknown = [url for url in urls if result.links[url].status == "unknown"]
        assert unknown and all(cache.link(url) is None for url in unknown)
        assert cache.links(unknown) == {}
    finally:
        cache.close()


def test_a_passing_outage_gets_a_second_opinion(tmp_path: Path) -> None:
    with serve() as (base, _stats), outage_after(0, only="/busy-3") as down:
        urls = write_corpus(tmp_path / "corpus", base, 8)
        down.set()
        checked: list[object] = []

        def hook(link: object) -> None:
            checked.append(link)
            if len(checked) == 8:
                down.clear()  # the network is back before the run ends

        result, _settings = in_process(tmp_path, tmp_path / "corpus", hook)
    assert {link.status for link in result.links.values()} == {"ok"}
    assert any("answered when checked again" in note for note in result.notes)
    link = result.links[urls[3]]
    assert [entry.status for entry in link.history] == ["ok"]  # the outage left no mark


def test_no_witness_answers_means_the_failures_are_not_judged(tmp_path: Path) -> None:
    """A real dead name among answering hosts stays dead: the witnesses answer."""
    with serve() as (base, _stats):
        write_corpus(tmp_path / "corpus", base, 4)
        with (tmp_path / "corpus" / "article.txt").open("a", encoding="utf-8") as handle:
            handle.write("\n(5) Gone site, 2018, http://no-such-host.invalid/story\n")
        result, _settings = in_process(tmp_path, tmp_path / "corpus")
    dead = result.links["http://no-such-host.invalid/story"]
    assert dead.status == "dead" and "does not resolve" in (dead.error or "")
    assert not any("answered when checked again" in note for note in result.notes)
