"""Live pages, sitemaps and feeds as input (issue 16 part 3), against a site served on
127.0.0.1: a sitemap index -> a gzipped sitemap -> article pages with citations (one
dead), a feed, conditional GET on the second run, and hostile inputs (a sitemap of a
million addresses, a feed that never ends, a gzip bomb, redirect loops, redirects to
file: and to a private address, an enormous page, a slow drip) -- each bounded in time
and memory, with a clear note."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import refcheck, refcheck_command_measured, refcheck_env
from localweb import running

from refcheck.extract.html import parse_html
from refcheck.webinput import address_problem, is_web_address, parse_since, period_end
from refcheck.webinput.corpus import WebRequest, decode_page, page_kind, read_web
from refcheck.webinput.fetch import WebSettings
from refcheck.webinput.sitemap import SitemapReader

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def article(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>"
        "<meta property='article:published_time' content='2026-11-02'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


ARTICLES = {
    "/articles/one": article(
        "Ceasefire talks",
        "<p>The agency confirmed it.<sup><a href='#fn1' id='r1'>1</a></sup></p>"
        "<ol class='footnotes'><li id='fn1'>Reuters, <a href='/sources/ok'>Talks resume</a>, 2 November 2026.</li></ol>",
    ),
    "/articles/two": article(
        "Harbour closed",
        "<p>The ministry denied it.<sup><a href='#fn1' id='r1'>1</a></sup></p>"
        "<ol class='footnotes'><li id='fn1'>Ministry statement, <a href='../sources/gone'>Harbour</a>, 3 November 2026.</li></ol>",
    ),
    "/articles/three": article(
        "Elections", "<p>Turnout was high, see <a href='https://example.invalid/x'>results</a>.</p>"
    ),
    "/articles/four": article("From the feed", "<p>Only in the feed: <a href='/sources/ok'>source</a>.</p>"),
}


class Site:
    """The site's routes, what they served, and the knobs of the hostile ones."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.full: Counter[str] = Counter()
        """Full answers (200 with a body) by path: a 304 is not counted."""
        self.not_modified: Counter[str] = Counter()
        self.sent_bytes: Counter[str] = Counter()
        self.base = ""

    def count(self, table: Counter[str], path: str, amount: int = 1) -> None:
        with self.lock:
            table[path] += amount

    def sitemap_index(self) -> bytes:
        return (
            f"<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns='{SITEMAP_NS}'>"
            f"<sitemap><loc>{self.base}/sitemaps/articles.xml.gz</loc><lastmod>2026-11-03</lastmod></sitemap>"
            f"<sitemap><loc>{self.base}/sitemaps/old.xml</loc><lastmod>2010-01-01</lastmod></sitemap>"
            "<sitemap><loc>http://elsewhere.invalid/sitemap.xml</loc></sitemap>"
            "</sitemapindex>"
        ).encode()

    def sitemap(self) -> bytes:
        entries = "".join(
            f"<url><loc>{self.base}{path}</loc><lastmod>{lastmod}</lastmod></url>"
            for path, lastmod in (("/articles/one", "2026-11-02"), ("/articles/two", "2026-11-03T08:00:00+01:00"))
        )
        entries += f"<url><loc>{self.base}/articles/three</loc></url>"  # no lastmod
        entries += "<url><loc>http://elsewhere.invalid/articles/x</loc></url><url><loc>ftp://x/y</loc></url>"
        return gzip.compress(f"<?xml version='1.0'?><urlset xmlns='{SITEMAP_NS}'>{entries}</urlset>".encode(), mtime=0)

    def old_sitemap(self) -> bytes:
        return (
            f"<urlset xmlns='{SITEMAP_NS}'><url><loc>{self.base}/old/gone</loc>"
            "<lastmod>2010-01-01</lastmod></url></urlset>"
        ).encode()

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{path}</title><link>{self.base}{path}</link><pubDate>{date}</pubDate></item>"
            for path, date in (
                ("/articles/four", "Tue, 03 Nov 2026 10:00:00 GMT"),
                ("/articles/one", "Mon, 02 Nov 2026 10:00:00 GMT"),
                ("/articles/ancient", "Fri, 01 Jan 2010 10:00:00 GMT"),
            )
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>{items}</channel></rss>".encode()

    def private(self, path: str) -> tuple[bytes, str] | None:
        """The staff-only part of the site (basic authentication): a page citing a page of
        that part by a relative link, a sitemap, a feed whose links are relative (and one
        of them ftp://), what they list."""
        pages = {
            "/private/story": article(
                "Staff story",
                "<p>As the minutes show.<sup><a href='#fn1' id='r1'>1</a></sup></p><ol class='footnotes'>"
                "<li id='fn1'>Board minutes, <a href='/private/minutes'>Minutes</a>, 2 November 2026.</li></ol>",
            ),
            "/private/minutes": article("Minutes", "<p>Nothing to cite.</p>"),
            "/private/story2": article("Second staff story", "<p>See <a href='/sources/ok'>the source</a>.</p>"),
        }
        if path in pages:
            return pages[path], "text/html; charset=utf-8"
        if path == "/private/sitemap.xml":
            entries = f"<url><loc>{self.base}/articles/one</loc></url>"
            return f"<urlset xmlns='{SITEMAP_NS}'>{entries}</urlset>".encode(), "application/xml"
        if path == "/private/feed.xml":
            items = "<item><title>2</title><link>/private/story2</link></item>"
            items += "<item><title>ftp</title><link>ftp://127.0.0.1/pub/story</link></item>"
            return (
                f"<rss version='2.0'><channel><title>Staff</title>{items}</channel></rss>".encode(),
                "application/rss+xml",
            )
        return None

    def broken_index(self) -> bytes:
        """A sitemap index whose every sitemap is missing."""
        listed = "".join(f"<sitemap><loc>{self.base}/missing/{name}.xml</loc></sitemap>" for name in ("a", "b"))
        return f"<sitemapindex xmlns='{SITEMAP_NS}'>{listed}</sitemapindex>".encode()


PASSWORD = "S3cretPW"
STAFF_AUTH = "Basic " + base64.b64encode(f"editor:{PASSWORD}".encode()).decode()


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # bodies that never end are sent until the client hangs up

        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if status == 200:
                site.count(site.full, self.path)

        def conditional(self, body: bytes, content_type: str) -> None:
            etag = f'"{zlib.crc32(body):08x}"'
            if self.headers.get("If-None-Match") == etag:
                site.count(site.not_modified, self.path)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send(200, body, content_type, {"ETag": etag, "Last-Modified": "Tue, 03 Nov 2026 10:00:00 GMT"})

        def stream(self, content_type: str, head: bytes, item: Iterator[bytes]) -> None:
            """A body without a length, made as it is sent (never held whole)."""
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            site.count(site.full, self.path)
            try:
                self.wfile.write(head)
                for piece in item:
                    self.wfile.write(piece)
                    site.count(site.sent_bytes, self.path, len(piece))
            except (BrokenPipeError, ConnectionResetError):
                pass

        def staff_only(self, path: str) -> None:
            if self.headers.get("Authorization") != STAFF_AUTH:
                self.send(401, b"<html><body>Staff only</body></html>", headers={"WWW-Authenticate": "Basic"})
                return
            found = site.private(path)
            if found is None:
                self.send(404, b"<html><body>Sorry</body></html>")
            else:
                self.conditional(*found)

        def do_GET(self) -> None:
            path = self.path
            if path.startswith("/private/"):
                self.staff_only(path)
            elif path in ARTICLES:
                self.conditional(ARTICLES[path], "text/html; charset=utf-8")
            elif path.startswith("/articles/") or path == "/sources/ok":
                self.send(200, article("A page", "<p>Nothing to cite.</p>"))
            elif path == "/sitemap_index.xml":
                self.conditional(site.sitemap_index(), "application/xml")
            elif path == "/sitemaps/articles.xml.gz":
                self.conditional(site.sitemap(), "application/x-gzip")
            elif path == "/sitemaps/old.xml":
                self.conditional(site.old_sitemap(), "application/xml")
            elif path == "/feed.xml":
                self.conditional(site.feed(), "application/rss+xml")
            elif path == "/broken-index.xml":
                self.send(200, site.broken_index(), "application/xml")
            elif path == "/million.xml":
                head = f"<?xml version='1.0'?><urlset xmlns='{SITEMAP_NS}'>".encode()
                self.stream("application/xml", head, million_entries(site.base))
            elif path == "/endless-feed.xml":
                head = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Endless</title>"
                self.stream("application/rss+xml", head, endless_items(site.base))
            elif path == "/bomb.xml.gz":
                self.stream("application/x-gzip", b"", gzip_bomb())
            elif path == "/enormous":
                self.stream("text/html", b"<html><body><p>" + b"<a href='/sources/ok'>x</a>", enormous_page())
            elif path == "/drip":
                self.stream("text/html", b"<html>", drip())
            elif path == "/loop-a":
                self.send(302, headers={"Location": "/loop-b"})
            elif path == "/loop-b":
                self.send(302, headers={"Location": "/loop-a"})
            elif path == "/to-file":
                self.send(302, headers={"Location": "file:///etc/passwd"})
            elif path == "/to-private":
                self.send(302, headers={"Location": "http://10.0.0.1/admin"})
            elif path == "/picture.png":
                self.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
            else:
                self.send(404, b"<html><head><title>Page not found</title></head><body>Sorry</body></html>")

    return Handler


def million_entries(base: str) -> Iterator[bytes]:
    """A million <url> entries, made 1,000 at a time, then the end of the urlset."""
    for block in range(1000):
        yield "".join(
            f"<url><loc>{base}/articles/n{block * 1000 + index}</loc></url>" for index in range(1000)
        ).encode()
    yield b"</urlset>"


def endless_items(base: str) -> Iterator[bytes]:
    """RSS items without end (bounded here only so that a broken client cannot hang the test)."""
    item = f"<item><title>t</title><link>{base}/articles/endless</link></item>".encode() * 100
    for _ in range(1_000_000):
        yield item


def gzip_bomb() -> Iterator[bytes]:
    """A gzipped sitemap that inflates to 1 GB (comments, squeezed 1000:1), compressed as it is sent."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    yield squeeze.compress(f"<?xml version='1.0'?><urlset xmlns='{SITEMAP_NS}'>".encode())
    padding = b"<!--" + b"a" * 1_048_000 + b"-->"
    for _ in range(1000):
        piece = squeeze.compress(padding)
        if piece:
            yield piece
    yield squeeze.flush()


def enormous_page() -> Iterator[bytes]:
    chunk = b"<p>" + b"words " * 10_000 + b"</p>\n"
    for _ in range(200_000):  # 12 GB, were it read to the end
        yield chunk


def drip() -> Iterator[bytes]:
    for _ in range(1000):
        time.sleep(0.2)
        yield b"x"


@contextmanager
def serve_site() -> Iterator[tuple[str, Site]]:
    site = Site()
    with running(make_handler(site)) as base:
        site.base = base
        yield base, site


NETWORK = ["--allow-private", "--no-archive", "--host-interval", "0"]


_LAST_PEAK_MB: list[float] = [0.0]
"""Peak resident memory of the last run_json's refcheck process (its own, not the test
session's other children: RUSAGE_CHILDREN keeps the largest child ever waited for)."""


def run_json(tmp_path: Path, *args: str, timeout: float = 120) -> tuple[int, dict[str, object], str]:
    peak_file = tmp_path / "peak-memory.txt"
    command = refcheck_command_measured(peak_file, *args, *NETWORK, "--json", "out.json")
    done = subprocess.run(command, cwd=tmp_path, env=refcheck_env(), capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in output, output
    _LAST_PEAK_MB[0] = float(peak_file.read_text()) if peak_file.exists() else float("inf")
    result = json.loads((tmp_path / "out.json").read_text("utf-8")) if (tmp_path / "out.json").exists() else {}
    return done.returncode, result, output


def documents_by_path(result: dict[str, object]) -> dict[str, dict[str, object]]:
    documents = result["documents"]
    assert isinstance(documents, list)
    return {document["path"]: document for document in documents}


def links_by_url(result: dict[str, object]) -> dict[str, dict[str, object]]:
    links = result["links"]
    assert isinstance(links, list)
    return {link["url"]: link for link in links}


# ---------------------------------------------------------------------- end to end


def test_sitemap_index_gzip_and_feed_end_to_end_then_304s(tmp_path: Path) -> None:
    with serve_site() as (web, site):
        args = ["--sitemap", f"{web}/sitemap_index.xml", "--feed", f"{web}/feed.xml", "--report-dir", "reports"]
        code, result, output = run_json(tmp_path, *args)
        assert code == 1, output  # a dead link, default --fail-on dead
        documents = documents_by_path(result)
        pages = [f"{web}/articles/one", f"{web}/articles/two", f"{web}/articles/three", f"{web}/articles/four"]
        # The old sitemap (lastmod 2010) is read too: no --since. Its page is a 404 -> an error document.
        assert set(pages) <= set(documents)
        assert all(documents[page]["url"] == page and documents[page]["format"] == "html" for page in pages)
        assert "cannot fetch: HTTP 404" in str(documents[f"{web}/old/gone"]["error"])
        links = links_by_url(result)
        # Relative links resolved against the page's address ('../sources/gone' from /articles/two).
        assert links[f"{web}/sources/gone"]["status"] == "dead"
        assert links[f"{web}/sources/ok"]["status"] == "ok"
        cited_by = {cite["path"] for cite in links[f"{web}/sources/gone"]["cited_by"]}
        assert cited_by == {f"{web}/articles/two"}
        notes = "\n".join(result["summary"]["notes"])
        assert "elsewhere.invalid" not in json.dumps(result["documents"])  # other host: dropped
        assert "on another host dropped" in notes and "not http(s) dropped" in notes
        report = next((tmp_path / "reports").glob("*/report.md")).read_text("utf-8")
        assert f"{web}/articles/two" in report and f"{web}/sources/gone" in report
        first_full = sum(site.full.values())

        # The second run: every page, sitemap and feed answers 304 -- nothing downloaded
        # again but the cited pages the link checks ask for (their verdicts are cached too).
        article_paths = ["/sitemap_index.xml", "/sitemaps/articles.xml.gz", "/sitemaps/old.xml", "/feed.xml",
                         *(path for path in ARTICLES)]  # fmt: skip
        before = {path: site.full[path] for path in article_paths}
        code_again, again, output_again = run_json(tmp_path, *args)
        assert code_again == 1, output_again
        assert {path: site.full[path] for path in article_paths} == before
        assert all(site.not_modified[path] == 1 for path in article_paths), site.not_modified
        assert sum(site.full.values()) == first_full + 1  # only the 404 page (not cached) again
        assert documents_by_path(again).keys() == documents.keys()
        assert "unchanged since the last run (304)" in "\n".join(again["summary"]["notes"])
        # What changed is said against the previous run over this very corpus.
        assert "since " in output_again and "0 newly dead" in output_again


def test_live_page_mixed_with_a_file_offline_from_the_cache(tmp_path: Path) -> None:
    (tmp_path / "local.txt").write_text("See https://example.invalid/local for more.\n", encoding="utf-8")
    with serve_site() as (web, site):
        code, result, output = run_json(tmp_path, "local.txt", f"{web}/articles/two")
        assert code == 1, output
        documents = documents_by_path(result)
        assert set(documents) == {"local.txt", f"{web}/articles/two"}
        served = site.full["/articles/two"]
    # Offline: the page comes from the cache, the server is gone.
    code, result, output = run_json(tmp_path, "local.txt", f"{web}/articles/two", "--offline")
    assert served == 1
    assert documents_by_path(result)[f"{web}/articles/two"]["error"] is None, output
    assert f"{web}/sources/gone" in links_by_url(result)
    # A page never read: listed as not read (offline), the run goes on.
    code, result, output = run_json(tmp_path, "local.txt", f"{web}/articles/never", "--offline")
    assert documents_by_path(result)[f"{web}/articles/never"]["skipped"] == "not read (offline): not in the cache"
    assert code in (0, 1)


def test_since_keeps_recent_entries_and_undated_ones(tmp_path: Path) -> None:
    with serve_site() as (web, site):
        _code, result, output = run_json(
            tmp_path, "--sitemap", f"{web}/sitemap_index.xml", "--feed", f"{web}/feed.xml", "--since", "2026-11-03"
        )
        documents = documents_by_path(result)
        # one: lastmod 2026-11-02 (before), but the feed lists it dated 2 Nov: left out there too.
        # two: 2026-11-03T08:00+01:00 = 07:00 UTC on the 3rd: kept. three: no lastmod: kept.
        assert set(documents) == {f"{web}/articles/two", f"{web}/articles/three", f"{web}/articles/four"}, output
        assert site.full["/sitemaps/old.xml"] == 0  # its lastmod says nothing newer is in it
        notes = "\n".join(result["summary"]["notes"])
        assert "without lastmod kept" in notes and "last modified before --since" in notes
        assert "dated before --since left out" in notes


def test_settings_file_keys(tmp_path: Path) -> None:
    with serve_site() as (web, _):
        (tmp_path / "site.toml").write_text(
            f'sitemaps = ["{web}/sitemaps/articles.xml.gz"]\nfeeds = []\nsince = "2026-11-03"\nmax-pages = 1\n',
            encoding="utf-8",
        )
        _code, result, output = run_json(tmp_path, "--config", "site.toml")
        assert list(documents_by_path(result)) == [f"{web}/articles/two"], output
        assert "cut at --max-pages 1" in "\n".join(result["summary"]["notes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--sitemap", "ftp://example.org/sitemap.xml"],
            "refcheck: --sitemap 'ftp://example.org/sitemap.xml': not an http(s) address",
        ),
        (["--feed", "https://"], "refcheck: --feed 'https://': no host in the address"),
        (
            ["--sitemap", "https://example.org/s.xml", "--since", "yesterday"],
            "refcheck: --since 'yesterday' is not a date",
        ),
        (["--sitemap", "https://example.org/s.xml", "--max-pages", "0"], "refcheck: --max-pages must be at least 1"),
        (["ftp://example.org/story"], "refcheck: ftp://example.org/story: not a supported address"),
        (["https://exa mple.org/story"], "refcheck: https://exa mple.org/story: an address has no spaces"),
        (["--offline"], "refcheck: nothing to read: give a PATH"),
    ],
)
def test_bad_addresses_and_values_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = refcheck(tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('sitemaps = "https://example.org/s.xml"', "setting 'sitemaps' must be a list of strings"),
        ('feeds = ["file:///etc/passwd"]', "setting 'feeds': 'file:///etc/passwd': not an http(s) address"),
        ('since = "2026-13-45"', "setting 'since': '2026-13-45' is not a date"),
        ("max-pages = 0", "setting 'max-pages' must be at least 1"),
        ("max-page-size = true", "setting 'max-page-size' must be a whole number"),
    ],
)
def test_bad_settings_file_values_exit_2(tmp_path: Path, setting: str, message: str) -> None:
    (tmp_path / "refcheck.toml").write_text(setting + "\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Nothing here.\n", encoding="utf-8")
    done = refcheck(tmp_path, "a.txt", "--offline")
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


# ---------------------------------------------------------------------- hostile inputs


def peak_child_memory_mb() -> float:
    """Peak resident memory of the last run_json's refcheck process, in MB."""
    return _LAST_PEAK_MB[0]


def test_a_sitemap_of_a_million_addresses_is_cut_at_max_pages(tmp_path: Path) -> None:
    with serve_site() as (web, site):
        started = time.monotonic()
        _code, result, output = run_json(tmp_path, "--sitemap", f"{web}/million.xml", "--max-pages", "20")
        elapsed = time.monotonic() - started
        assert len(result["documents"]) == 20, output
        assert "cut at --max-pages 20" in "\n".join(result["summary"]["notes"])
        assert site.sent_bytes["/million.xml"] < 5_000_000  # read only as far as needed (the server was cut off)
        assert elapsed < 30
        assert peak_child_memory_mb() < 400


def test_sitemap_reader_entry_limit_in_process() -> None:
    reader = SitemapReader(frozenset({"127.0.0.1:1"}), entry_limit=50_000)
    started = time.monotonic()
    assert reader.write(f"<urlset xmlns='{SITEMAP_NS}'>".encode())
    for chunk in million_entries("http://127.0.0.1:1"):
        if not reader.write(chunk):
            break
    reader.finish()
    assert reader.seen == 50_000 and len(reader.entries) == 50_000
    assert reader.stopped == "more than 50,000 entries: read that many"
    assert time.monotonic() - started < 10


def test_a_feed_that_never_ends_stops_at_its_byte_limit(tmp_path: Path) -> None:
    with serve_site() as (web, site):
        started = time.monotonic()
        _code, result, output = run_json(tmp_path, "--feed", f"{web}/endless-feed.xml")
        assert time.monotonic() - started < 60
        notes = result["summary"]["notes"]
        assert f"feed {web}/endless-feed.xml: more than 5 MB (a feed that never ends?): read that far" in notes, output
        assert list(documents_by_path(result)) == [f"{web}/articles/endless"]
        assert site.sent_bytes["/endless-feed.xml"] < 50_000_000
        assert peak_child_memory_mb() < 400


def test_a_gzip_bomb_sitemap_stops_at_the_decompressed_limit(tmp_path: Path) -> None:
    with serve_site() as (web, _):
        started = time.monotonic()
        _code, result, output = run_json(tmp_path, "--sitemap", f"{web}/bomb.xml.gz")
        assert time.monotonic() - started < 60
        notes = "\n".join(result["summary"]["notes"])
        assert "more than 50 MB (decompressed): read that far" in notes, output
        assert result["documents"] == []
        assert peak_child_memory_mb() < 400


def test_hostile_pages_each_give_one_clear_line(tmp_path: Path) -> None:
    with serve_site() as (web, _):
        pages = ["/loop-a", "/to-file", "/enormous", "/drip", "/picture.png", "/nowhere"]
        started = time.monotonic()
        code, result, output = run_json(
            tmp_path, *(web + page for page in pages), "--timeout", "0.5", "--max-page-size", "1000000"
        )
        assert time.monotonic() - started < 60
        assert code in (0, 1), output
        documents = documents_by_path(result)
        assert documents[f"{web}/loop-a"]["error"] == "cannot fetch: redirects more than 10 times (a loop?)"
        assert documents[f"{web}/to-file"]["error"] == (
            "cannot fetch: redirected to a non-web address (file:///etc/passwd): not followed"
        )
        enormous = documents[f"{web}/enormous"]
        assert enormous["error"] is None and enormous["notice"] == (
            "read the first 1 MB of a larger page (--max-page-size)"
        )
        assert documents[f"{web}/drip"]["error"] == "timeout: the page was still arriving after 3 s"
        assert documents[f"{web}/picture.png"]["skipped"] == "not an HTML page (Content-Type: image/png)"
        assert documents[f"{web}/nowhere"]["error"] == "cannot fetch: HTTP 404 (not found)"
        assert peak_child_memory_mb() < 400


def test_loopback_pages_refused_without_allow_private(tmp_path: Path) -> None:
    with serve_site() as (web, site):
        done = refcheck(tmp_path, f"{web}/articles/one", "--no-archive", "--json", "out.json")
        # The page alone, refused: nothing was read, so one line and exit 2 (was: exit 0 with the
        # page listed as failed -- a nightly job over a broken input stayed green).
        assert done.returncode == 2, done.stderr
        error = "cannot fetch: address 127.0.0.1 is not public (use --allow-private to check it)"
        assert done.stderr.strip() == f"refcheck: {web}/articles/one: {error}"
        assert sum(site.full.values()) == 0


def test_a_redirect_to_a_private_address_is_refused_before_connecting() -> None:
    """127.0.0.0/8 let through as public (as an intranet setting would), 10.0.0.1 still not:
    the redirect is refused by the address policy, no connection is tried."""
    from refcheck.extract import ExtractContext, OutletIndex

    with serve_site() as (web, _):
        settings = WebSettings(timeout=2, allowed_networks=("127.0.0.0/8",), host_interval=0)
        read = read_web(
            WebRequest(pages=(f"{web}/to-private", f"{web}/articles/one")), settings, None,
            ExtractContext(OutletIndex.load([]), []),
        )  # fmt: skip
    refused, fine = read.documents
    assert refused.error == "cannot fetch: address 10.0.0.1 is not public (use --allow-private to check it)"
    assert fine.error is None and fine.url == f"{web}/articles/one"
    assert any(citation.url == f"{web}/sources/ok" for citation in fine.citations)


# ---------------------------------------------------------------------- small parts


def test_addresses_and_dates() -> None:
    assert is_web_address("HTTPS://example.org/") and not is_web_address("corpus/a.txt")
    assert address_problem("https://example.org/story") is None
    assert address_problem("https://example.org:99999/") is not None
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_since("November")
    assert period_end("2026") == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert period_end("2026-02") == datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert period_end("2026-11-03T08:00:00+01:00") == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
    assert period_end("2026-11-03T08:00Z") == datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    assert period_end("last week") is None


def test_page_kind_and_decoding() -> None:
    assert page_kind("text/html", b"") == "html"
    assert page_kind("", b"  <!DOCTYPE html><html>") == "html"
    assert page_kind("application/octet-stream", b"%PDF-1.7") == "pdf"
    assert page_kind("image/png", b"<html>") is None
    assert page_kind("text/plain", b"just text") is None
    assert decode_page("café".encode("cp1252"), "text/html; charset=windows-1252") == "café"
    assert decode_page(b"<meta charset='iso-8859-1'>caf\xe9", None).endswith("café")
    assert decode_page(b"a\r\nb", "text/html") == "a\nb"


def test_parse_html_base_url_below_base_href() -> None:
    page = "<html><body><article><p><a href='../b/c'>c</a></p></article></body></html>"
    assert [link.href for link in parse_html(page, base_url="https://x.org/a/page").links] == ["https://x.org/b/c"]
    with_base = "<html><head><base href='https://y.org/z/'></head><body><p><a href='c'>c</a></p></body></html>"
    assert [link.href for link in parse_html(with_base, base_url="https://x.org/a/page").links] == ["https://y.org/z/c"]
    # A page saved to disk, without a base: relative links stay relative (local files).
    assert [link.href for link in parse_html(page).links] == ["../b/c"]


# ---------------------------------------------------------------------- review fixes


def every_file_under(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def test_credentials_in_page_sitemap_and_feed_addresses_are_never_written(tmp_path: Path) -> None:
    """The password of a page's, a sitemap's and a feed's address is used for their
    requests (the staff-only routes answer 401 without it) and for the links those pages
    make relative to them, and written nowhere: not the JSON, the reports, the graph, the
    history, the cache database -- on a first run, on a second one answered 304 (the
    cached lists and pages get the credentials back from the addresses given), offline."""
    with serve_site() as (web, site):
        staff = web.replace("http://", f"http://editor:{PASSWORD}@")
        masked = web.replace("http://", "http://***@")
        args = [f"{staff}/private/story", "--sitemap", f"{staff}/private/sitemap.xml",
                "--feed", f"{staff}/private/feed.xml", "--report-dir", "reports", "--graph", "json",
                "--graph-out", "graph.json"]  # fmt: skip
        outputs = ""
        for run in ("first", "again (304)", "offline"):
            extra = ["--offline"] if run == "offline" else []
            code, result, output = run_json(tmp_path, *args, *extra)
            outputs += output
            assert code == 0, (run, output)
            documents = documents_by_path(result)
            pages = {f"{masked}/private/story", f"{web}/articles/one", f"{masked}/private/story2"}
            assert set(documents) == pages, (run, output)
            assert all(document["error"] is None and document["skipped"] is None for document in documents.values())
            assert documents[f"{masked}/private/story"]["url"] == f"{masked}/private/story"
            # Checked with the page's credentials (a 401 otherwise), shown masked.
            assert links_by_url(result)[f"{masked}/private/minutes"]["status"] == "ok", run
            notes = result["summary"]["notes"]
            if run == "first":
                assert f"feed {masked}/private/feed.xml: 1 not http(s) dropped" in notes
        assert all(site.not_modified[path] == 1 for path in ("/private/story", "/private/sitemap.xml",
                                                             "/private/feed.xml", "/private/story2"))  # fmt: skip
        history = (tmp_path / "reports" / "history.jsonl").read_text("utf-8")
        assert f"sitemap:{masked}/private/sitemap.xml" in history and f"feed:{masked}/private/feed.xml" in history
    assert PASSWORD not in outputs
    written = list(every_file_under(tmp_path))
    assert any(path.name == "cache.db" for path in written) and any(path.name == "report.json" for path in written)
    assert [path for path in written if PASSWORD.encode() in path.read_bytes()] == []


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--sitemap", "{web}/nope.xml"], "--sitemap {web}/nope.xml: cannot fetch: HTTP 404 (not found)"),
        (["--feed", "{web}/articles/one"], "--feed {web}/articles/one: not an RSS or Atom feed"),
        (
            ["--sitemap", "{web}/broken-index.xml"],
            "--sitemap {web}/broken-index.xml: no sitemap it lists could be read"
            " ({web}/missing/a.xml: cannot fetch: HTTP 404 (not found))",
        ),
        # Every page the sitemap lists fails (its only page is a 404).
        (["--sitemap", "{web}/sitemaps/old.xml"], "{web}/old/gone: cannot fetch: HTTP 404 (not found)"),
        (
            ["--sitemap", "{web}/sitemap_index.xml", "--offline"],
            "--sitemap {web}/sitemap_index.xml: not read (offline)",
        ),
        (
            ["--sitemap", "{web}/nope.xml", "{web}/nowhere"],
            "nothing could be read: --sitemap {web}/nope.xml: cannot fetch: HTTP 404 (not found);"
            " {web}/nowhere: cannot fetch: HTTP 404 (not found)",
        ),
    ],
)
def test_web_inputs_alone_that_read_nothing_exit_2_naming_why(tmp_path: Path, args: list[str], line: str) -> None:
    with serve_site() as (web, _):
        done = refcheck(tmp_path, *(arg.format(web=web) for arg in args), *NETWORK, "--no-report")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"refcheck: {line.format(web=web)}"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_unreachable_or_refused_sitemap_exits_2(tmp_path: Path) -> None:
    from localweb import closed_port

    unreachable = f"http://127.0.0.1:{closed_port()}/sitemap.xml"
    done = refcheck(tmp_path, "--sitemap", unreachable, *NETWORK, "--no-report")
    assert done.returncode == 2 and done.stderr.startswith(f"refcheck: --sitemap {unreachable}: cannot fetch: ")
    with serve_site() as (web, site):
        done = refcheck(tmp_path, "--sitemap", f"{web}/sitemap_index.xml", "--no-archive", "--no-report")
    assert done.returncode == 2 and sum(site.full.values()) == 0
    assert done.stderr.strip() == (
        f"refcheck: --sitemap {web}/sitemap_index.xml: cannot fetch: address 127.0.0.1 is not public"
        " (use --allow-private to check it)"
    )


def test_a_failed_sitemap_beside_inputs_that_work_is_a_note_and_in_the_exit_line(tmp_path: Path) -> None:
    with serve_site() as (web, _):
        code, result, output = run_json(tmp_path, "--sitemap", f"{web}/nope.xml", "--feed", f"{web}/feed.xml")
        assert code == 0, output
        assert f"{web}/articles/four" in documents_by_path(result)
        assert f"--sitemap {web}/nope.xml: cannot fetch: HTTP 404 (not found)" in result["summary"]["notes"]
        exit_line = output.strip().splitlines()[-1]
        assert exit_line.startswith("exit 0: ") and exit_line.endswith(
            f"; --sitemap {web}/nope.xml not read (see the notes)"
        ), output
        # With an article file too, the web part failing whole is a note as well, not exit 2.
        (tmp_path / "a.txt").write_text("See https://example.invalid/x.\n", encoding="utf-8")
        done = refcheck(tmp_path, "a.txt", "--sitemap", f"{web}/nope.xml", "--offline", "--no-report")
        assert done.returncode == 0 and "--sitemap" in done.stdout.strip().splitlines()[-1], done.stdout


def test_a_sitemap_with_nothing_new_since_is_not_a_failure(tmp_path: Path) -> None:
    """An empty list is an answer: the nightly run over a quiet site stays green."""
    with serve_site() as (web, _):
        code, result, output = run_json(tmp_path, "--sitemap", f"{web}/sitemaps/old.xml", "--since", "2026-11-01")
    assert code == 0, output
    assert result["documents"] == [] and "not read" not in output


def test_sitemap_hosts_compare_names_and_ports_not_user_info() -> None:
    from refcheck.webinput.sitemap import host_key, sitemap_hosts

    hosts = sitemap_hosts("https://user:pw@News.Example.org/sitemap.xml")
    assert hosts == {"news.example.org"}
    reader = SitemapReader(hosts)
    entries = [
        "https://news.example.org:443/kept-default-port", "https://NEWS.example.org./kept-case",
        "https://someone:else@news.example.org/kept-user-info", "http://news.example.org/kept-http",
        "https://news.example.org:8443/other-port", "https://other.example.org/other-host",
    ]  # fmt: skip
    body = f"<urlset xmlns='{SITEMAP_NS}'>" + "".join(f"<url><loc>{loc}</loc></url>" for loc in entries) + "</urlset>"
    assert reader.write(body.encode())
    reader.finish()
    assert [entry.loc.rsplit("/", 1)[1] for entry in reader.entries] == [
        "kept-default-port", "kept-case", "kept-user-info", "kept-http"
    ]  # fmt: skip
    assert reader.other_host == 2
    assert (
        host_key("https://bücher.example/x")
        == host_key("https://XN--BCHER-KVA.example:443/")
        == "xn--bcher-kva.example"
    )
    assert host_key("http://[::1]:8080/") == "[::1]:8080" and host_key("http://127.0.0.1:80/") == "127.0.0.1"
    assert host_key("https://example.org:99999/") is None and host_key("https:///x") is None


def test_feed_entries_not_http_are_said_in_a_note() -> None:
    from refcheck.extract import ExtractContext, OutletIndex

    with serve_site() as (web, _):
        staff = web.replace("http://", f"http://editor:{PASSWORD}@")
        read = read_web(
            WebRequest(feeds=(f"{staff}/private/feed.xml",)), WebSettings(timeout=5, allow_private=True, host_interval=0),
            None, ExtractContext(OutletIndex.load([]), []),
        )  # fmt: skip
    masked = web.replace("http://", "http://***@")
    assert f"feed {masked}/private/feed.xml: 1 not http(s) dropped" in read.notes
    assert [document.path for document in read.documents] == [f"{masked}/private/story2"]
    assert read.documents[0].error is None and PASSWORD not in repr(read.notes)
