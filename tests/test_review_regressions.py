"""Regressions for what a review of the resolver found: a planted cache row naming
a file, a shared soft-404 probe cancelled by one slow link, queue time counted as
a link's own, a temporary DNS failure called dead, odd Retry-After values."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import aiohttp
import diskcache
import pytest
from diskcache.core import MODE_TEXT
from localweb import running

from refcheck.models import LinkResult, LinkStatus
from refcheck.resolve.cache import Cache, LinkEntry, link_key, probe_key
from refcheck.resolve.check import Checker, CheckSettings
from refcheck.resolve.politeness import HostLimiter, HostRule
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.transport import Transport


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    probe_delay = 0.0
    slow_delay = 0.0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if "refcheck-" in self.path:
            time.sleep(self.probe_delay)
        if self.path.startswith("/slow"):
            time.sleep(self.slow_delay)
        if self.path.startswith("/retry-"):
            value = {"/retry-superscript": "\u00b2", "/retry-huge": "100000"}[self.path]
            self.send_response(500)
            self.send_header("Retry-After", value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"<html><title>page {self.path}</title></html>".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def server(probe_delay: float = 0.0, slow_delay: float = 0.0, host: str = "127.0.0.5") -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"probe_delay": probe_delay, "slow_delay": slow_delay})
    with running(handler, host) as base:
        yield base


def test_a_planted_row_naming_a_file_is_refused_and_the_file_left_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    (victim / "conf.json").write_text('{"status": "ok"}')
    folder = tmp_path / "cache"
    plain = diskcache.Cache(str(folder))
    plain.set(link_key("https://int.example/"), 5)  # not JSON text
    plain.close()
    now = time.time()
    with sqlite3.connect(folder / "cache.db") as db:
        for key, filename, expire in ((link_key("https://read.example/"), str(victim / "keep.txt"), None),
                                      (probe_key("x"), "../victim/conf.json", now - 10)):  # fmt: skip
            db.execute(
                "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag, size, mode,"
                " filename, value) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                (key, 1, now, expire, now, 0, None, 0, MODE_TEXT, filename, None),
            )
    cache = Cache(folder)
    try:
        assert cache.link("https://read.example/") is None
        assert cache.link("https://int.example/") is None  # refused, not a crash
        cache.prune()
    finally:
        cache.close()
    assert (victim / "keep.txt").read_text() == "precious"
    assert (victim / "conf.json").exists()
    assert any("file" in warning for warning in cache.warnings)


def test_a_cache_locked_by_another_run_costs_writes_not_the_run(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", lock_timeout=0.2)  # (60 s by default)
    holder = sqlite3.connect(tmp_path / "cache" / "cache.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another run, stopped mid-transaction
    try:
        cache.set_probe("x", LinkStatus.OK, None, None)
        cache.store_links([("https://a.example/", LinkEntry())])
    finally:
        holder.rollback()
        holder.close()
        cache.close()
    assert len(cache.warnings) == 2


def test_one_slow_link_does_not_cancel_the_probe_its_section_shares() -> None:
    with server(probe_delay=2.0, slow_delay=0.6) as base:
        links = {url: LinkResult(url, None) for url in (base + "/sec/fast", base + "/sec/slow-a")}
        check = CheckSettings(allow_private=True, timeout=5, retries=0, link_time_limit=1.0)
        resolve_links(links, ResolveSettings(per_host=1, host_interval=0, archive="none", check=check), None)
    statuses = {url.rsplit("/", 1)[1]: link.status for url, link in links.items()}
    assert statuses == {"fast": "ok", "slow-a": "timeout"}


def test_time_waiting_behind_slow_hosts_is_not_a_links_own() -> None:
    hangs = []
    for index in range(4):  # hosts that accept and never answer
        listener = socket.socket()
        listener.bind((f"127.0.1.{index + 1}", 0))
        listener.listen(50)
        hangs.append(listener)
    try:
        with server(host="127.0.2.1") as good:
            urls = [f"http://127.0.1.{i + 1}:{s.getsockname()[1]}/hang" for i, s in enumerate(hangs)]
            urls += [f"{good}/fine-{n}" for n in range(4)]
            links = {url: LinkResult(url, None) for url in urls}
            check = CheckSettings(allow_private=True, timeout=1, retries=0, link_time_limit=1.5, probe_soft_404=False)
            resolve_links(links, ResolveSettings(concurrency=2, per_host=1, host_interval=0, archive="none",
                                                 check=check), None)  # fmt: skip
    finally:
        for listener in hangs:
            listener.close()
    assert {links[url].status for url in urls[4:]} == {"ok"}
    assert {links[url].status for url in urls[:4]} == {"timeout"}


def test_a_temporary_dns_failure_is_retried_and_never_dead(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_answer(self: object, host: str, port: int = 0, family: int = socket.AF_INET) -> list[object]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(aiohttp.ThreadedResolver, "resolve", no_answer)

    async def check() -> tuple[str, str | None, int]:
        settings = CheckSettings(retries=2, backoff_initial=0.01, backoff_max=0.02)
        transport = Transport(AddressPolicy(False))
        checker = Checker(settings, HostLimiter(HostRule(4, 0)), transport)
        try:
            verdict = (await checker.check("https://example.com/a/b")).verdict
        finally:
            await transport.aclose()
        return verdict.status, verdict.error, checker.requests

    status, error, requests = asyncio.run(check())
    assert status == "error" and "for now" in (error or "") and requests == 3


@pytest.mark.parametrize("path", ["/retry-superscript", "/retry-huge"])
def test_odd_retry_after_values_on_a_500(path: str) -> None:
    with server() as base:
        links = {base + path: LinkResult(base + path, None)}
        check = CheckSettings(allow_private=True, timeout=2, retries=1, backoff_initial=0.01, backoff_max=0.02)
        started = time.monotonic()
        resolve_links(links, ResolveSettings(per_host=1, host_interval=0, archive="none", check=check), None)
    [link] = links.values()
    assert link.status == "server-error" and link.http_status == 500
    assert time.monotonic() - started < 5  # a Retry-After of 100,000 s is not waited on a 500
