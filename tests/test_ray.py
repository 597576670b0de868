"""The same run on a Ray cluster: extraction as Ray tasks and the checks as one actor
per shard give what a local run gives; a checker actor killed part-way loses no
finished verdict; a driver killed part-way is resumed from the cache.

One local cluster (``ray.init(num_cpus=2)``) serves the whole module: it takes
seconds to start. Everything stays on 127.0.0.x."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from localweb import Stats, closed_port, serve

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'ray>=2')")

from refcheck import pipeline  # noqa: E402
from refcheck.config import Settings  # noqa: E402
from refcheck.executor import make_executor  # noqa: E402
from refcheck.models import RunResult  # noqa: E402
from refcheck.report.json import write_json  # noqa: E402
from refcheck.resolve.cache import Cache  # noqa: E402

ROUTES = ("ok", "gone", "broken", "chain-1", "soft", "forbidden", "removed", "story/2018/08/ok")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray cluster of two CPUs for the module; yields its address."""
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    except Exception as exc:  # any reason Ray cannot start here (no /dev/shm, ports…)
        pytest.skip(f"a local Ray cluster cannot start here: {type(exc).__name__}: {exc}")
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


def write_article(folder: Path, urls: list[str], name: str = "article.txt") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    notes = "\n\n".join(f"({number}) Source, 28 August 2018, {url}" for number, url in enumerate(urls, 1))
    markers = " ".join(f"Claim ({number})." for number in range(1, len(urls) + 1))
    (folder / name).write_text(f"Title\n\n{markers}\n\n{notes}\n", encoding="utf-8")


def check_settings(cache: Path, **more: Any) -> Settings:
    return Settings(allow_private=True, archive="none", cache_dir=str(cache), no_report=True, host_interval=0.0,
                    per_host=2, retries=0, workers=2, **more)  # fmt: skip


def run_json(corpus: Path, settings: Settings, hook: Callable[[Any], None] | None = None) -> dict[str, Any]:
    result = pipeline.run([corpus], settings)
    pipeline.resolve(result, settings, hook)
    return as_json(result)


def as_json(result: RunResult) -> dict[str, Any]:
    out = io.StringIO()
    try:
        write_json(result, out)
    finally:
        result.documents.close()
    return normalised(json.loads(out.getvalue()))


def normalised(value: Any) -> Any:
    """The JSON without its timings (when the run and each check happened, how long it took)."""
    if isinstance(value, dict):
        return {
            key: None if key in ("checked_at", "elapsed_ms", "generated_at") else normalised(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


# ------------------------------------------------------------------ extraction


def test_map_on_ray_is_ordered_and_streams_in_bounded_batches(cluster: str) -> None:
    executor = make_executor("ray", 2)
    try:
        results = executor.map(abs, range(-200, 0))
        first = next(results)
        assert first == 200
        assert list(results) == list(range(199, 0, -1))
    finally:
        executor.close()
    assert ray.is_initialized()  # the cluster it did not start is left running


def test_extraction_through_ray_gives_what_one_process_gives(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    for n in range(40):
        urls = [f"https://www.site{i % 7}.org/story-{n}-{i}" for i in range(1, 30)]
        if n == 0:
            urls.append("https://user:pw@example.org/x")  # its real URL must come back from the worker
        write_article(corpus, urls, f"article-{n:02}.txt")
    (corpus / "image.bin").write_bytes(b"\x00\x01" * 100)

    def extracted(
        cache: str, **more: Any
    ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], dict[str, str]]:
        settings = Settings(offline=True, cache_dir=str(tmp_path / cache), **{"workers": 1, **more})
        result = pipeline.run([corpus], settings)
        try:
            documents = [document.to_dict() for document in result.documents]
        finally:
            result.documents.close()
        return (
            documents,
            result.summary.to_dict(),
            {u: link.to_dict() for u, link in result.links.items()},
            result.fetch_urls,
        )

    local = extracted("cache-local")

    through_ray = extracted("cache-ray", executor="ray", workers=2)
    assert through_ray == local
    assert len(local[0]) == 40 and local[1]["files_skipped"] == 1 and local[3]
    cache = Cache(tmp_path / "cache-ray")
    try:  # each batch wrote what it extracted (not the article with credentials)
        assert len(cache) == 39
    finally:
        cache.close()


# ------------------------------------------------------------------ checking


def test_a_ray_run_reports_what_a_local_run_reports(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ExitStack() as stack:
        bases = [stack.enter_context(serve(f"127.0.0.{n}"))[0] for n in range(31, 37)]
        refused = f"http://127.0.0.39:{closed_port()}/page"  # held back, judged by the driver
        urls = [f"{base}/{route}" for base in bases for route in ROUTES] + [refused]
        write_article(tmp_path / "corpus", urls)
        local = run_json(tmp_path / "corpus", check_settings(tmp_path / "cache-local"))
        remote = run_json(tmp_path / "corpus", check_settings(tmp_path / "cache-ray", executor="ray"))
    statuses = {link["status"] for link in local["links"]}
    assert {"ok", "dead", "soft-404", "server-error", "blocked", "error"} <= statuses
    assert remote["links"] == local["links"]
    assert remote["documents"] == local["documents"]
    assert without_paths(remote["summary"], tmp_path) == without_paths(local["summary"], tmp_path)
    assert remote["summary"]["links_checked"] == len(urls)
    assert abs(remote["summary"]["requests"] - local["summary"]["requests"]) <= 2


def without_paths(summary: dict[str, Any], tmp_path: Path) -> str:
    """The summary without its cache folder's name, nor its request count: that count is a
    timing too -- one local run in about eight made 77 requests instead of 75 on this corpus
    (the same verdicts), so it is compared apart, within a few requests."""
    assert summary["requests"] > 0
    shown = {key: value for key, value in summary.items() if key != "requests"}
    return json.dumps(shown, sort_keys=True).replace("cache-local", "CACHE").replace("cache-ray", "CACHE")


def busy_farm(stack: ExitStack, hosts: list[str], per_host: int) -> tuple[list[str], dict[str, Stats]]:
    """``per_host`` slow pages (0.15 s each) on each host; the servers' counts by base URL."""
    servers = [stack.enter_context(serve(host)) for host in hosts]
    urls = [f"{base}/busy-{index}" for base, _ in servers for index in range(per_host)]
    return urls, dict(servers)


def requests_of(stats: dict[str, Stats]) -> dict[str, int]:
    """Requests for the cited pages the farm has served so far, by URL (not the soft-404
    probes: whether a run probes again depends on what the cache kept of the last one)."""
    return {base + path: count for base, s in stats.items() for path, count in s.requests.items() if "/busy-" in path}


def total(stats: dict[str, Stats]) -> int:
    return sum(s.total for s in stats.values())


def verdicts_kept(cache_dir: Path, urls: list[str]) -> set[str]:
    cache = Cache(cache_dir)
    try:
        return {url for url, entry in cache.links(urls).items() if entry.verdict is not None}
    finally:
        cache.close()


@pytest.mark.parametrize("how", ["ray.kill", "SIGKILL"])
def test_a_checker_actor_killed_part_way_loses_no_finished_verdict(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    from refcheck.cluster import ray_checkers

    reported: list[str] = []
    before_kill: list[str] = []

    def hook(link: Any) -> None:
        reported.append(link.url)
        if len(reported) == 12:
            before_kill.extend(reported)
            victim = ray_checkers.ACTIVE_CHECKERS[0]
            if how == "ray.kill":
                ray.kill(victim, no_restart=False)  # Ray restarts it (max_restarts)
            else:
                os.kill(ray.get(victim.pid.remote()), signal.SIGKILL)

    with ExitStack() as stack:
        urls, stats = busy_farm(stack, ["127.0.0.41", "127.0.0.42"], 24)
        write_article(tmp_path / "corpus", urls)
        result = pipeline.run([tmp_path / "corpus"], check_settings(tmp_path / "cache", executor="ray"))
        pipeline.resolve(result, check_settings(tmp_path / "cache", executor="ray"), hook)
        requests = requests_of(stats)
    try:
        assert {link.status for link in result.links.values()} == {"ok"}, (result.notes, len(reported))
        assert sorted(reported) == sorted(urls)  # each verdict reported once
        assert all(len(link.history) == 1 for link in result.links.values())
        assert any("stopped part-way and was restarted" in note for note in result.notes), result.notes
        assert result.summary.links_checked == len(urls)
        # Finished before the kill: never asked again. Only the checks in flight then (two per host) may be.
        assert all(requests[url] == 1 for url in before_kill), requests
        assert sum(requests.values()) <= len(urls) + 2  # the killed shard's host had two in flight at most
    finally:
        result.documents.close()
    assert verdicts_kept(tmp_path / "cache", urls) == set(urls)


DRIVER = """
import functools, sys
from pathlib import Path
from refcheck import pipeline
from refcheck.config import Settings
from refcheck.resolve.resolver import resolve_links
pipeline.resolve_links = functools.partial(resolve_links, executor="ray")
settings = Settings(allow_private=True, archive="none", cache_dir=sys.argv[2], no_report=True, host_interval=0.0,
                    per_host=2, retries=0, workers=2)
result = pipeline.run([Path(sys.argv[1])], settings)
pipeline.resolve(result, settings)
"""


def test_a_driver_killed_part_way_is_resumed_from_the_cache(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver (connected through RAY_ADDRESS) is killed; its actors go with it; the
    next run checks only what no one finished."""
    cache = tmp_path / "cache"
    with ExitStack() as stack:
        urls, stats = busy_farm(stack, ["127.0.0.43", "127.0.0.44"], 30)
        write_article(tmp_path / "corpus", urls)
        environment = {**os.environ, "RAY_ADDRESS": cluster}
        driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path / "corpus"), str(cache)],
                                  env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while total(stats) < 16 and time.monotonic() < deadline and driver.poll() is None:
                time.sleep(0.02)
            assert driver.poll() is None, driver.communicate()
            driver.kill()
            started = sum(requests_of(stats).values())
            driver.communicate(timeout=30)
        finally:
            if driver.poll() is None:
                driver.kill()
        settle(stats)  # the dead driver's actors are ended by Ray: wait until no request comes
        kept = verdicts_kept(cache, urls)
        assert started - 2 * 2 <= len(kept) < len(urls)  # all but those in flight (two per host) were kept
        before = requests_of(stats)
        second = run_json(tmp_path / "corpus", check_settings(cache, executor="ray"))
        after = requests_of(stats)
    asked_again = {key for key, count in after.items() if count > before.get(key, 0)}
    assert len(asked_again) == len(urls) - len(kept)  # only the unfinished ones
    assert {link["status"] for link in second["links"]} == {"ok"}
    assert second["summary"]["links_from_cache"] == len(kept)


def settle(stats: dict[str, Stats], quiet: float = 1.0, limit: float = 30.0) -> None:
    """Return once the farm has had no request for ``quiet`` seconds (``limit`` at most)."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        served = total(stats)
        if served != last:
            last, since = served, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


# ------------------------------------------------------------------ the command line


def test_the_command_line_on_ray_reports_what_it_reports_locally(cluster: str, tmp_path: Path) -> None:
    """``refcheck corpus --executor ray --ray-address …``: the same JSON as a local run
    (apart from timings and the cache folder); a bad choice is one line, exit 2."""
    from conftest import refcheck

    with ExitStack() as stack:
        bases = [stack.enter_context(serve(f"127.0.0.{n}"))[0] for n in (41, 42)]
        write_article(tmp_path / "corpus", [f"{base}/{route}" for base in bases for route in ROUTES])
        common = ["corpus", "--allow-private", "--no-report", "--no-archive", "--host-interval", "0", "--json", "-",
                  "--retries", "0"]  # fmt: skip
        local = refcheck(tmp_path, *common, "--cache-dir", "cache-local")
        remote = refcheck(tmp_path, *common, "--cache-dir", "cache-ray", "--executor", "ray", "--ray-address", cluster)
    assert remote.returncode == local.returncode == 1, remote.stderr

    def links(done: Any) -> list[Any]:
        return sorted((normalised(json.loads(line.rstrip(","))) for line in done.stdout.splitlines() if line.startswith('{"url"')),
                      key=lambda link: link["url"])  # fmt: skip

    assert links(remote) == links(local) and len(links(local)) == 2 * len(ROUTES)
    refused = refcheck(tmp_path, "corpus", "--offline", "--executor", "spark")
    assert refused.returncode == 2 and refused.stderr.strip() == "refcheck: --executor must be one of: local, ray"



# ------------------------------------------------------------------ with the shared store


def test_a_ray_run_keeps_its_verdicts_in_the_postgresql_store(cluster: str, tmp_path: Path) -> None:
    """Ray's checker actors and extraction tasks open the PostgreSQL store themselves (by its
    location): every verdict lands there, the run has a row in ``runs``, no disk cache is
    made, and a second Ray run answers from the store without one request."""
    import pgserver

    psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL driver (psycopg) is not installed")
    try:
        server = pgserver.start()
    except pgserver.Unavailable as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        url = server.create_database("ray_store")
        with ExitStack() as stack:
            served = [stack.enter_context(serve(f"127.0.0.{n}")) for n in (51, 52)]
            urls = [f"{base}/{route}" for base, _ in served for route in ROUTES]
            write_article(tmp_path / "corpus", urls)
            settings = check_settings(tmp_path / "no-cache", executor="ray", store=url)
            first = run_json(tmp_path / "corpus", settings)
            asked = [dict(stats.requests) for _, stats in served]
            second = run_json(tmp_path / "corpus", settings)
            again = [dict(stats.requests) for _, stats in served]
        # Verdicts that are reused (ok, dead, soft-404) come from the store: their pages
        # are not asked again; the others (blocked, server-error…) are checked again, as locally.
        reused = {link["url"] for link in first["links"] if link["status"] in ("ok", "dead", "soft-404")}
        assert len(reused) >= len(urls) // 2
        assert {link["url"] for link in second["links"] if link["from_cache"]} == reused
        for (base, _), before, after in zip(served, asked, again, strict=True):
            for address in reused:
                if address.startswith(base + "/"):
                    path = address[len(base) :]
                    assert before.get(path, 0) >= 1 and after.get(path, 0) == before.get(path, 0), address
        assert not (tmp_path / "no-cache").exists()
        with psycopg.connect(url) as connection:
            stored = connection.execute("SELECT count(*) FROM links").fetchone()
            runs = connection.execute("SELECT count(*), bool_and(complete) FROM runs").fetchone()
        assert stored == (len(urls),) and runs == (2, True)
    finally:
        pgserver.remove(server)
