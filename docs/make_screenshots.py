"""Make docs/report.png (the top of report.html) and docs/graph.png (its citation
graph) from a staged run, for the README.

Nothing leaves the machine: a small newsroom corpus cites pages of a web server
on 127.0.0.1 (some gone, one gone soft, one that dies between the two runs) and
an archive stand-in on 127.0.0.1 answers the Wayback availability API; refcheck
runs twice over the corpus (so the trend has two points), then headless Chromium
(Debian's ``chromium``, driven by Playwright) opens the second report.

    .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

PAGE = b"<html><head><title>A story</title></head><body><h1>A story</h1>" + b"<p>Text.</p>" * 200 + b"</body></html>"
NOT_FOUND = b"<html><head><title>Page not found | The Agency</title></head><body>Sorry</body></html>"
DIES_AT_RUN_2 = "/agency/2018/08/29/idlib-ceasefire-talks"
CAPTURES = {  # path -> the archive's capture of it (around the day it was cited)
    "/monitor/2018/08/israel-syria-golan-russia-gone": "20180807120000",
    "/bbc/news/world-middle-east-40361734/removed": "20170624093000",
    DIES_AT_RUN_2: "20180831080000",
}
state = {"run": 1}
cited_paths: set[str] = set()


class Site(BaseHTTPRequestHandler):
    """Pages by their path: ``…-gone`` 404, ``…/removed…`` 410, ``…/moved-soft…`` a
    "not found" page with status 200 (a soft-404), a path the corpus cites a story,
    any other 404 (refcheck asks for a made-up address to tell a soft-404)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.endswith("-gone") or (path == DIES_AT_RUN_2 and state["run"] == 2):
            self._send(404, NOT_FOUND)
        elif "/removed" in path:
            self._send(410, NOT_FOUND)
        elif "/moved-soft" in path:
            self._send(200, NOT_FOUND)
        elif path in cited_paths:
            self._send(200, PAGE)
        else:
            self._send(404, NOT_FOUND)

    def do_HEAD(self) -> None:
        self._send(405, b"")

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Archive(Site):
    """The Wayback availability API (and an empty CDX answer) over ``CAPTURES``."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        url = parse_qs(parts.query).get("url", [""])[0]
        if parts.path == "/wayback/available":
            capture = CAPTURES.get(urlsplit(url).path)
            snapshots = (
                {
                    "closest": {
                        "status": "200",
                        "available": True,
                        "timestamp": capture,
                        "url": f"{self.server_base}/web/{capture}/{url}",
                    }
                }
                if capture
                else {}
            )
            self._send(200, json.dumps({"url": url, "archived_snapshots": snapshots}).encode(), "application/json")
        else:
            self._send(200, b"[]", "application/json")

    @property
    def server_base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


@contextmanager
def running(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_corpus(corpus: Path, web: str) -> None:
    corpus.mkdir(parents=True)
    (corpus / "idlib-countdown.txt").write_text(
        "Idlib: the countdown\n\nBy the Levant Ledger, 30 August 2018\n\n"
        "Hundreds of thousands of displaced people brace for an offensive (1). According to Reuters, "
        "Ankara has asked Moscow for more time (2), and TASS quotes the Russian foreign ministry (3). "
        "The ceasefire talks collapsed on 29 August (4). The UN warned of a catastrophe (5).\n\n"
        f"(1) Levant Ledger, 28 August 2018, {web}/ledger/2018/08/idlib-displaced-brace-offensive\n\n"
        f"(2) Al-Monitor, 27 August 2018, {web}/monitor/2018/08/russia-turkey-idlib-talks\n\n"
        f"(3) TASS, 29 August 2018, {web}/tass/politics/1017835\n\n"
        f"(4) The Agency, 29 August 2018, {web}{DIES_AT_RUN_2}\n",
        encoding="utf-8",
    )
    (corpus / "golan-line.md").write_text(
        "---\ntitle: Back to the line in the Golan\npublisher: Levant Ledger\ndate: 2018-08-31\n"
        f"url: {web}/ledger/2018/08/golan-line\n---\n\n"
        "Russian military police deployed on the Golan[^1], as Al-Monitor reported[^2]. "
        f"The [countdown in Idlib]({web}/ledger/2018/08/idlib-countdown) weighs on the south too[^3].\n\n"
        f"[^1]: The Agency, 2 August 2018, {web}/agency/2018/08/02/golan-military-police\n"
        f"[^2]: Al-Monitor, 3 August 2018, {web}/monitor/2018/08/israel-syria-golan-russia-gone\n"
        f"[^3]: Ynet, 30 August 2018, {web}/ynet/articles/0,7340,L-5337612,00/moved-soft\n",
        encoding="utf-8",
    )
    (corpus / "gulf-press.html").write_text(
        "<html lang='en'>\n<head><title>Press freedom in the Gulf</title>\n"
        "<meta property='og:site_name' content='Gulf Press Review'>\n"
        "<meta property='article:published_time' content='2018-08-28'></head>\n<body><article>\n"
        "<h1>Press freedom in the Gulf</h1>\n<p>The index fell again<sup><a href='#fn1'>1</a></sup>,\n"
        "as the BBC reported<sup><a href='#fn2'>2</a></sup>. The Levant Ledger's\n"
        f"<a href='{web}/ledger/2018/08/golan-line'>reading of the Golan</a> was echoed in Doha"
        "<sup><a href='#fn3'>3</a></sup>.</p>\n<ol class='references'>\n"
        f"<li id='fn1'>Guardian, 25 April 2018, {web}/guardian/media/2018/apr/25/press-freedom-index</li>\n"
        f"<li id='fn2'>BBC, 23 June 2017, {web}/bbc/news/world-middle-east-40361734/removed</li>\n"
        "</ol></article></body></html>\n",
        encoding="utf-8",
    )
    (corpus / "kirkuk-one-year-on.txt").write_text(
        "Kirkuk, one year on\n\nBy the Levant Ledger, 16 October 2018\n\n"
        f"Iraqi forces entered Kirkuk a year ago ({web}/guardian/world/2017/oct/16/iraqi-forces-enter-kirkuk). "
        f"Rudaw counted the displaced ({web}/rudaw/english/kurdistan/171020171-gone), and "
        f"Reuters followed the oil ({web}/reuters/article/iraq-kurds-oil-idUSKBN1CL0YZ).\n",
        encoding="utf-8",
    )


def run_refcheck(work: Path, web_archive: str) -> None:
    command = [sys.executable, "-m", "refcheck", "corpus", "--allow-private", "--host-interval", "0",
               "--archive-interval", "0", "--wayback-url", web_archive, "--cdx-url", web_archive,
               "--cache-dir", "cache", "--refresh", "--quiet"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode not in (0, 1):
        raise SystemExit(f"refcheck failed ({done.returncode}): {done.stderr}")
    print(done.stdout.strip().splitlines()[-1])


def screenshots(report: Path) -> None:
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        raise SystemExit("no chromium here (Debian package 'chromium')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_selector("body[data-ready=yes]")
        page.wait_for_timeout(3000)  # the graph's layout settles
        page.screenshot(path=str(DOCS / "report.png"))
        graph = page.locator("#graph")
        graph.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        graph.screenshot(path=str(DOCS / "graph.png"))
        browser.close()
    if asked != [report.as_uri()]:
        raise SystemExit(f"the report asked for more than itself: {asked}")


def _corpus_text(corpus: Path) -> str:
    return "\n".join(path.read_text("utf-8") for path in sorted(corpus.iterdir()))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="refcheck-screenshots-") as temporary:
        work = Path(temporary)
        with running(Site) as web, running(Archive) as archive:
            write_corpus(work / "corpus", web)
            cited_paths.update(re.findall(re.escape(web) + r"(/[^\s'<>)]*)", _corpus_text(work / "corpus")))
            for run in (1, 2):
                state["run"] = run
                run_refcheck(work, archive)
        screenshots((work / "reports" / "latest" / "report.html").resolve())
    print(f"wrote {DOCS / 'report.png'} and {DOCS / 'graph.png'}")


if __name__ == "__main__":
    main()
