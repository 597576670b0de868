"""A real HTTP server on 127.0.0.1 for the resolver tests: one route per
behaviour of the verdict table. It counts requests and records the most
requests in flight at once. Every loop in it is bounded."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0

    def enter(self, path: str) -> None:
        with self.lock:
            self.requests[path] += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    @property
    def total(self) -> int:
        return sum(self.requests.values())


FLIPS: dict[str, int] = {}
"""Status codes of ``/flip/<name>`` routes, changed by tests between runs."""

FLIPS: dict[str, int] = {}
"""Status codes of ``/flip/<name>`` routes, changed by tests between runs."""

PAGE = b"<html><head><title>A real story</title></head><body><h1>A real story</h1>" + b"x" * 2000 + b"</body></html>"
NOT_FOUND_PAGE = b"<html><head><title>Page not found | Example News</title></head><body>Sorry</body></html>"
CHALLENGE_PAGE = b"<html><head><title>Just a moment...</title></head><body>cf-chl-bypass</body></html>"


DRIFT_PAGES: dict[str, bytes] = {}
"""Bodies of ``/drift/<name>`` routes (the live pages of content-drift tests), changed by tests."""


def make_handler(stats: Stats) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _leave_once(self) -> None:
            # Counted as done just before the answer goes out: once the client has the
            # answer it may start its next request, possibly before this thread has
            # finished, and that overlap must not look like a broken limit.
            if not getattr(self, "_left", False):
                self._left = True
                stats.leave()

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self._leave_once()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            self._left = False
            stats.enter(path)
            try:
                self._route(path)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                self._leave_once()

        def do_HEAD(self) -> None:
            self._send(405)

        def _route(self, path: str) -> None:
            count = stats.requests[path]
            if path in ("/", "/ok", "/story/2018/08/ok") or path.startswith("/ok-"):
                self._send(200, PAGE)
            elif path == "/gone":
                self._send(404, NOT_FOUND_PAGE)
            elif path == "/removed":
                self._send(410)
            elif path == "/chain-1":
                self._send(301, headers={"Location": "/chain-2"})
            elif path == "/chain-2":
                self._send(302, headers={"Location": "/ok"})
            elif path == "/loop-a":
                self._send(302, headers={"Location": "/loop-b"})
            elif path == "/loop-b":
                self._send(302, headers={"Location": "/loop-a"})
            elif path == "/deep/section/article-gone":
                self._send(301, headers={"Location": "/"})
            elif path == "/soft":
                self._send(200, NOT_FOUND_PAGE)
            elif path == "/soft-path":
                self._send(302, headers={"Location": "/errors/404"})
            elif path == "/errors/404":
                self._send(200, b"<html><head><title>Oops</title></head></html>")
            elif path == "/forbidden":
                self._send(403)
            elif path == "/legal":
                self._send(451)
            elif path == "/challenge":
                self._send(503, CHALLENGE_PAGE, {"cf-mitigated": "challenge"})
            elif path == "/too-many":
                self._send(429, headers={"Retry-After": "0"})
            elif path == "/too-many-forever":
                self._send(429, headers={"Retry-After": "3600"})
            elif path == "/flaky":
                if count == 1:
                    self._send(503)
                else:
                    self._send(200, PAGE)
            elif path == "/broken":
                self._send(500)
            elif path == "/slow":
                time.sleep(3)
                self._send(200, PAGE)
            elif path.startswith("/busy-"):
                time.sleep(0.15)
                self._send(200, PAGE)
            elif path == "/huge":
                self._stream_huge()
            elif path == "/drip":  # a byte at a time: never a read time-out, never done
                self._leave_once()
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(200):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif path.startswith("/to-host/"):  # redirect to another local address
                target = path[len("/to-host/") :]
                self._send(302, headers={"Location": f"http://{target}/ok"})
            elif path.startswith("/flip/"):
                status = FLIPS.get(path[len("/flip/") :], 404)
                self._send(status, PAGE if status == 200 else NOT_FOUND_PAGE)
            elif path.startswith("/catchall/"):  # answers every address with one page
                self._send(200, b"<html><head><title>Welcome to Example</title></head><body>Home</body></html>")
            elif path == "/to-ftp":
                self._send(302, headers={"Location": "ftp://example.org/file"})
            elif path.startswith("/drift/"):  # pages whose content tests change between runs
                page = DRIFT_PAGES.get(path[len("/drift/") :])
                self._send(200, page) if page is not None else self._send(404, NOT_FOUND_PAGE)
            else:
                self._send(404, NOT_FOUND_PAGE)

        def _stream_huge(self) -> None:
            """2 GB announced and streamed lazily; stops when the client hangs up."""
            size = 2 * 1024**3
            self._leave_once()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"\0" * 65536
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)

    return Handler


@contextmanager
def running(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> Iterator[str]:
    """A threaded HTTP server on ``host`` and a free port, stopped on exit; yields its base URL."""
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve(host: str = "127.0.0.1", stats: Stats | None = None) -> Iterator[tuple[str, Stats]]:
    stats = stats or Stats()
    with running(make_handler(stats), host) as base:
        yield base, stats


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a stand-in for the archive.org APIs, speaking their JSON -----------------------------

BLOCKED_SITE = (
    "org.archive.util.io.RuntimeIOException: "
    "org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error"
)


class ArchiveStandIn:
    """Availability and CDX endpoints over a table of captures (url -> 14-digit timestamps)."""

    def __init__(self) -> None:
        self.captures: dict[str, list[str]] = {}
        self.empty_availability: set[str] = set()
        """URLs whose availability answer is empty although CDX has captures (the real API's quirk)."""
        self.blocked: set[str] = set()
        self.rate_limit_next = 0
        """How many of the next requests get 429."""
        self.empty_body_cdx = False
        self.stats = Stats()
        self.keys = ("test-access", "test-secret")
        self.save_refuse: set[str] = set()
        self.save_error: set[str] = set()
        self.jobs: dict[str, tuple[str, int]] = {}
        """job id -> (url, status polls so far)."""
        self.authorizations: list[str] = []
        self.pages: dict[str, bytes] = {}
        """Raw captures (``/web/<timestamp>id_/<url>``) by original URL (the page as archived)."""

    def closest(self, url: str, timestamp: str) -> str | None:
        captures = self.captures.get(url)
        if not captures:
            return None
        target = int((timestamp + "00000000000000")[:14])
        return min(captures, key=lambda capture: abs(int(capture) - target))

    def handler(self) -> type[BaseHTTPRequestHandler]:
        archive = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                import json
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length", "0"))
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                archive.stats.enter("POST " + self.path)
                try:
                    authorization = self.headers.get("Authorization", "")
                    archive.authorizations.append(authorization)
                    if authorization != f"LOW {archive.keys[0]}:{archive.keys[1]}":
                        self._send(401, json.dumps({"message": "bad keys"}), "application/json")
                        return
                    url = form.get("url", "")
                    if url in archive.save_refuse:
                        message = "The same snapshot had been made 3 minutes ago. You can make new capture of this URL after 2 hours."
                        self._send(
                            200, json.dumps({"url": url, "job_id": None, "message": message}), "application/json"
                        )
                        return
                    job = f"spn2-{len(archive.jobs):040x}"
                    archive.jobs[job] = (url, 0)
                    self._send(200, json.dumps({"url": url, "job_id": job}), "application/json")
                finally:
                    archive.stats.leave()

            def do_GET(self) -> None:
                import json
                from urllib.parse import parse_qs

                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                archive.stats.enter(parts.path)
                try:
                    if archive.rate_limit_next > 0:
                        archive.rate_limit_next -= 1
                        self._send(429, "Too Many Requests", "text/plain")
                        return
                    url = query.get("url", "")
                    if parts.path.startswith("/web/") and "id_/" in self.path:
                        # A capture's page as archived: /web/<timestamp>id_/<original URL, query and all>.
                        original = self.path.split("id_/", 1)[1]
                        page = archive.pages.get(original)
                        if page is None:
                            self._send(404, "not in the archive", "text/plain")
                        else:
                            self._send(200, page.decode("utf-8"), "text/html; charset=utf-8")
                        return
                    if parts.path.startswith("/save/status/"):
                        job = parts.path.rsplit("/", 1)[1]
                        saved_url, polls = archive.jobs.get(job, ("", 0))
                        archive.jobs[job] = (saved_url, polls + 1)
                        if not saved_url or polls == 0:
                            answer = {"status": "pending", "job_id": job, "resources": []}
                        elif saved_url in archive.save_error:
                            answer = {"status": "error", "job_id": job, "status_ext": "error:not-found",
                                      "message": "Server returned 404", "resources": []}  # fmt: skip
                        else:
                            answer = {"status": "success", "job_id": job, "original_url": saved_url,
                                      "timestamp": "20261121030000", "duration_sec": 6.2, "resources": [saved_url]}  # fmt: skip
                            archive.captures.setdefault(saved_url, []).append("20261121030000")
                        self._send(200, json.dumps(answer), "application/json")
                        return
                    if parts.path == "/wayback/available":
                        answer: dict[str, object] = {"url": url, "archived_snapshots": {}}
                        if "timestamp" in query:
                            answer["timestamp"] = query["timestamp"]
                        capture = archive.closest(url, query.get("timestamp", "99991231"))
                        if capture and url not in archive.empty_availability:
                            answer["archived_snapshots"] = {
                                "closest": {
                                    "status": "200",
                                    "available": True,
                                    "url": f"http://web.archive.org/web/{capture}/{url}",
                                    "timestamp": capture,
                                }
                            }
                        self._send(200, json.dumps(answer), "application/json")
                    elif parts.path == "/cdx/search/cdx":
                        if url in archive.blocked:
                            self._send(
                                403, BLOCKED_SITE, "text/plain", {"x-archive-wayback-runtime-error": BLOCKED_SITE}
                            )
                            return
                        capture = archive.closest(url, query.get("closest", "99991231"))
                        if capture is None:
                            self._send(200, "" if archive.empty_body_cdx else "[]", "application/json")
                        else:
                            rows = [["timestamp", "original", "statuscode"], [capture, url, "200"]]
                            self._send(200, json.dumps(rows), "application/json")
                    else:
                        self._send(404, "not found", "text/plain")
                finally:
                    archive.stats.leave()

        return Handler


@contextmanager
def serve_archive() -> Iterator[tuple[str, ArchiveStandIn]]:
    archive = ArchiveStandIn()
    with running(archive.handler()) as base:
        yield base, archive


# --- a stand-in for a Memento aggregator (Time Travel's JSON API) ---------------------------


class MementoStandIn:
    """``/api/json/<YYYYMMDDhhmmss>/<URI-R>`` over a table of mementos, answering as Time
    Travel does (docs/archive-wire-formats.md, section 6): the navigation relations
    closest/prev/next/first/last, each ``{"datetime": RFC 3339, "uri": [...]}``; 404 when
    there is none. Switches make it misbehave."""

    def __init__(self) -> None:
        self.mementos: dict[str, list[tuple[str, object]]] = {}
        """URI-R -> (14-digit capture time, the ``uri`` value sent: a list, or a string as MemGator sends)."""
        self.stats = Stats()
        self.asked: list[str] = []
        """Request targets as received (path and query), in order."""
        self.status_next: list[tuple[int, dict[str, str]]] = []
        """Statuses (with headers) answered to the next requests instead of the answer (429, 503…)."""
        self.garbage = False
        self.huge = 0
        """Bytes of a JSON answer padded out to this size (0: a normal answer)."""
        self.delay = 0.0
        """Seconds to wait before answering (a silent aggregator), at most 5."""

    def answer(self, url: str, target: str) -> dict[str, object] | None:
        """Time Travel's description of the memento of ``url`` closest to ``target``."""
        found = sorted(self.mementos.get(url, []), key=lambda item: item[0])
        if not found:
            return None
        aim = int((target + "00000000000000")[:14])
        index = min(range(len(found)), key=lambda i: abs(int(found[i][0]) - aim))

        def relation(i: int) -> dict[str, object]:
            stamp, uri = found[i]
            moment = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}Z"
            return {"datetime": moment, "uri": uri}

        mementos = {"first": relation(0), "last": relation(len(found) - 1), "closest": relation(index)}
        if index > 0:
            mementos["prev"] = relation(index - 1)
        if index < len(found) - 1:
            mementos["next"] = relation(index + 1)
        return {
            "original_uri": url,
            "mementos": mementos,
            "timegate_uri": f"http://timetravel.mementoweb.org/timegate/{url}",
            "timemap_uri": {
                "json_format": f"http://timetravel.mementoweb.org/timemap/json/{url}",
                "link_format": f"http://timetravel.mementoweb.org/timemap/link/{url}",
            },
        }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        aggregator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                import json

                aggregator.stats.enter("/api/json")
                aggregator.asked.append(self.path)
                try:
                    if aggregator.delay:
                        time.sleep(min(aggregator.delay, 5.0))
                    if aggregator.status_next:
                        status, headers = aggregator.status_next.pop(0)
                        self._send(status, b"Too busy", "text/plain", headers)
                        return
                    prefix = "/api/json/"
                    stamp, _, url = self.path[len(prefix) :].partition("/")
                    if not self.path.startswith(prefix) or not stamp.isdigit():
                        self._send(400, b"Malformed request", "text/plain")
                        return
                    if aggregator.garbage:
                        self._send(200, b"<html><body>Time Travel is down</body></html>", "text/html")
                        return
                    answer = aggregator.answer(url, stamp)
                    if answer is None:
                        self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")
                        return
                    body = json.dumps(answer).encode()
                    if aggregator.huge:
                        body = body[:-1] + b', "padding": "' + b"x" * aggregator.huge + b'"}'
                    self._send(200, body, "application/json")
                finally:
                    aggregator.stats.leave()

        return Handler


@contextmanager
def serve_memento() -> Iterator[tuple[str, MementoStandIn]]:
    aggregator = MementoStandIn()
    with running(aggregator.handler()) as base:
        yield base, aggregator
