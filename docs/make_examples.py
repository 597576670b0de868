"""Capture the worked examples of docs/drift.md and docs/fix.md from real runs.

Nothing leaves the machine. A staged newsroom (two articles citing pages of
made-up outlets, ``www.example-*.com``/``.org``) is checked by the real
``refcheck`` command; every name it looks up -- the outlets, ``archive.org`` and
``web.archive.org`` -- resolves to one local HTTPS server (a certificate for those
names from a throw-away authority, ``trustme``) that plays the outlets' sites and
the Internet Archive's availability API, CDX API and captures. Only the name
lookup and the trusted authority are staged (and ``--allow-private`` added, as the
names lead to 127.0.0.1); the check, the archive lookups, drift, fix mode and
everything they print are refcheck's own.

    .venv/bin/python docs/make_examples.py          # rewrites the blocks in docs/*.md
    .venv/bin/python docs/make_examples.py --print  # shows them only
"""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import trustme

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

STORY_MD = """\
The port reopened in August.[^1] As [Reuters reported][wire], ships queued for days.

[wire]: https://www.example-news.com/2018/08/28/port
[^1]: Port authority statement, August 28, 2018, https://port.example.org/news/42
"""

IDLIB_TXT = """\
Idlib: the last talks

By the Example Ledger, 1 September 2018

Ankara asked Moscow for more time (1). The envoy met officials in Damascus (2), the UN
warned of a catastrophe (3) and the ministry published its figures (4).

Notes
(1) Example Wire: Turkey asks Russia for more time on Idlib, August 28, 2018, https://www.example-wire.com/2018/08/28/turkey-russia-idlib
(2) Example Times: Envoy meets officials in Damascus, August 29, 2018, https://www.example-times.com/world/envoy-damascus
(3) Example Agency: UN warns of humanitarian catastrophe in Idlib, August 30, 2018, https://www.example-agency.org/news/un-idlib-warning
(4) Ministry of Example: Displacement figures for August, August 31, 2018, https://www.example-ministry.org/figures/2018-08
"""

WIRE = [
    "Turkey has asked Russia to delay a military offensive on the rebel-held province of Idlib, "
    "two officials familiar with the talks said on Tuesday, as Ankara tries to prevent a new wave "
    "of refugees from reaching its southern border.",
    "The request was made during a meeting of defence and intelligence chiefs in Moscow last week, "
    "the officials said, speaking on condition of anonymity because the talks were confidential.",
    "Russia and Iran back the government in Damascus, while Turkey supports some of the rebel groups "
    "that still hold the province, home to about three million people, half of them displaced from "
    "other parts of the country.",
    "Ankara fears that an offensive would drive hundreds of thousands of people towards the border, "
    "where camps are already full, and has reinforced its observation posts inside the province.",
    "The foreign ministers of the three countries are due to meet in Tehran next week to discuss "
    "the fate of the province and a possible settlement of the conflict.",
]
ENVOY = [
    "The envoy met senior security officials in Damascus on Wednesday in the first such meeting "
    "in years, according to two people briefed on the visit.",
    "The talks covered the presence of foreign forces in the south of the country and the "
    "reopening of the main border crossing with Jordan, the people said.",
    "Neither government has confirmed the meeting, which took place at a security compound on "
    "the outskirts of the capital and lasted several hours.",
    "Diplomats in the region said the visit showed that contacts between the two sides had "
    "continued despite years of sanctions and public hostility.",
]
UN = [
    "The United Nations warned on Thursday that a full-scale offensive on Idlib could cause the "
    "worst humanitarian catastrophe of the century, with up to eight hundred thousand people "
    "forced from their homes.",
    "Aid agencies have prepositioned food and medical supplies for several hundred thousand "
    "people, but say they could not cope with the numbers an all-out assault would displace.",
    "The organisation's envoy urged Russia and Turkey to agree on humanitarian corridors that "
    "would let civilians leave the areas where fighting is expected.",
    "He said the world body was ready to help with the evacuation of civilians and the "
    "separation of armed groups from the population.",
]
UN_EDITED = [
    *UN[:2],
    "The organisation's envoy urged all parties to agree on corridors through which civilians "
    "could leave, and offered to go to the province himself to help.",
    UN[3],
    "This story was updated on 31 August with the envoy's offer and comments from aid agencies "
    "working in the north of the country, who described shortages of fuel and clean water.",
]
HOME = [
    "Top stories: markets rally as central banks hold rates.",
    "Weather: a warm weekend ahead for most of the region.",
    "Sport: the cup final goes to extra time.",
    "Opinion: what the new budget means for you.",
]
FIGURES = [
    "The ministry recorded the arrival of displaced families in the north of the province "
    "throughout the month, most of them from the south and east of Idlib.",
    "Registration centres were opened in four districts, and the figures are updated weekly.",
]


def article(title: str, paragraphs: list[str], site: str) -> bytes:
    body = "".join(f"<p>{text}</p>\n" for text in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title} | {site}</title></head>"
        f"<body><header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        f"<main><article><h1>{title}</h1>\n{body}</article></main>"
        f"<footer>© {site}</footer></body></html>"
    ).encode()


WIRE_URL = "https://www.example-wire.com/2018/08/28/turkey-russia-idlib"
TIMES_URL = "https://www.example-times.com/world/envoy-damascus"
AGENCY_URL = "https://www.example-agency.org/news/un-idlib-warning"
MINISTRY_URL = "https://www.example-ministry.org/figures/2018-08"
PORT_URL = "https://port.example.org/news/42"
NEWS_URL = "https://www.example-news.com/2018/08/28/port"

LIVE = {  # what each address answers now: (status, page)
    WIRE_URL: (200, article("Turkey asks Russia for more time on Idlib", WIRE, "Example Wire")),
    TIMES_URL: (200, article("Example Times - News, sport and opinion", HOME, "Example Times")),
    AGENCY_URL: (200, article("UN warns of humanitarian catastrophe in Idlib", UN_EDITED, "Example Agency")),
    MINISTRY_URL: (200, article("Displacement figures for August", FIGURES, "Ministry of Example")),
}
CAPTURES = {  # original -> (timestamp, the page as archived then)
    WIRE_URL: ("20180828151200", article("Turkey asks Russia for more time on Idlib", WIRE, "Example Wire")),
    TIMES_URL: ("20180829174500", article("Envoy meets officials in Damascus", ENVOY, "Example Times")),
    AGENCY_URL: ("20180830094000", article("UN warns of humanitarian catastrophe in Idlib", UN, "Example Agency")),
    PORT_URL: ("20180830120000", article("Port reopens to shipping", ["The port reopened today."] * 3, "Port")),
    NEWS_URL: ("20180829061500", article("Ships queue as port reopens", ["Ships queued for days."] * 3, "News")),
}
NAMES = sorted({urlsplit(url).hostname or "" for url in [*LIVE, *CAPTURES]} | {"archive.org", "web.archive.org"})
NOT_FOUND = article("Page not found", ["Sorry, we could not find that page."], "Site")


class Stage(BaseHTTPRequestHandler):
    """Every staged host by its Host header: the outlets' pages, the archive's APIs."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._send(405, b"")

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if host == "archive.org" and parts.path == "/wayback/available":
            self._available(query.get("url", [""])[0])
        elif host == "web.archive.org" and parts.path == "/cdx/search/cdx":
            self._cdx(query.get("url", [""])[0])
        elif host == "web.archive.org" and parts.path.startswith("/web/"):
            self._capture(parts.path)
        else:
            status, page = LIVE.get(f"https://{host}{parts.path}", (404, NOT_FOUND))
            self._send(status, page)

    def _available(self, url: str) -> None:
        found = CAPTURES.get(_https(url))
        closest = {"status": "200", "available": True, "timestamp": found[0],
                   "url": f"http://web.archive.org/web/{found[0]}/{_https(url)}"} if found else None  # fmt: skip
        answer = {"url": url, "archived_snapshots": {"closest": closest} if closest else {}}
        self._send(200, json.dumps(answer).encode(), "application/json")

    def _cdx(self, url: str) -> None:
        found = CAPTURES.get(_https(url))
        rows = [["timestamp", "original", "statuscode"], [found[0], _https(url), "200"]] if found else []
        self._send(200, json.dumps(rows).encode(), "application/json")

    def _capture(self, path: str) -> None:
        match = re.match(r"/web/(\d{14})id_/(.+)", path)
        found = CAPTURES.get(match.group(2)) if match else None
        if found is None or match is None or found[0] != match.group(1):
            self._send(404, NOT_FOUND)
        else:
            self._send(200, found[1])

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _https(url: str) -> str:
    return "https://" + url.split("://", 1)[1] if "://" in url else url


@contextmanager
def stage(work: Path) -> Iterator[dict[str, str]]:
    """The HTTPS server for every staged name; yields the environment of the runs."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*NAMES).configure_cert(context)
    bundle = work / "authority.pem"
    authority.cert_pem.write_to_path(str(bundle))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stage)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield {"STAGE_NAMES": ",".join(NAMES), "STAGE_PORT": str(server.server_address[1]), "STAGE_CA": str(bundle)}
    finally:
        server.shutdown()
        server.server_close()


# Run in the child: staged names lead to the local server, its authority is trusted.
BOOTSTRAP = """
import os, socket, sys
import certifi
names = set(os.environ["STAGE_NAMES"].split(","))
port = int(os.environ["STAGE_PORT"])
real = socket.getaddrinfo
def staged(host, service, *args, **kwargs):
    if host in names:
        return real("127.0.0.1", port, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
socket.getaddrinfo = staged
certifi.where = lambda: os.environ["STAGE_CA"]
sys.modules["uvloop"] = None  # libuv resolves names itself: asyncio's loop asks socket.getaddrinfo
from refcheck.cli import entry
sys.argv = ["refcheck", *sys.argv[1:]]
entry()
"""

STAGED_OPTIONS = ["--allow-private", "--host-interval", "0", "--archive-interval", "0"]


def run(work: Path, env: dict[str, str], *args: str) -> tuple[str, str, int]:
    """``refcheck ARGS`` in ``work``; (stdout, stderr, exit status) as a user would see them."""
    fix = args[:1] == ("fix",)
    command = [sys.executable, "-c", BOOTSTRAP, *args[:1], *STAGED_OPTIONS, *args[1:]] if fix else [
        sys.executable, "-c", BOOTSTRAP, *args, *STAGED_OPTIONS]  # fmt: skip
    environment = {**os.environ, **env, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "100"}
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300, env=environment)
    if done.returncode not in (0, 1):
        raise SystemExit(f"refcheck {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout, done.stderr, done.returncode


def console(command: str, stdout: str, stderr: str = "") -> str:
    shown = (stdout + stderr).rstrip("\n")
    return f"```console\n$ {command}\n{shown}\n```"


def examples() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        newsroom = work / "newsroom"
        newsroom.mkdir()
        (newsroom / "story.md").write_text(STORY_MD, "utf-8")
        (newsroom / "idlib-talks.txt").write_text(IDLIB_TXT, "utf-8")
        blocks: dict[str, str] = {"story": f"```markdown\n{STORY_MD}```", "idlib": f"```text\n{IDLIB_TXT}```"}
        with stage(work) as env:
            out, err, _ = run(work, env, "newsroom/", "--drift")
            blocks["drift-run"] = console("refcheck newsroom/ --drift", _plain(out, work), _plain(err, work))
            out, err, _ = run(work, env, "fix", "newsroom/story.md")
            blocks["fix-diff"] = console("refcheck fix newsroom/story.md", _plain(out, work), _plain(err, work))
            out, err, _ = run(work, env, "fix", "--drift", "newsroom/idlib-talks.txt")
            blocks["fix-drift"] = console(
                "refcheck fix --drift newsroom/idlib-talks.txt", _plain(out, work), _plain(err, work)
            )
            out, err, _ = run(work, env, "fix", "--write", "newsroom/story.md")
            again, again_err, _ = run(work, env, "fix", "newsroom/story.md")
            blocks["fix-again"] = console(
                "refcheck fix --write newsroom/story.md && refcheck fix newsroom/story.md",
                _plain(out + again, work),
                _plain(err + again_err, work),
            )
    return blocks


def _plain(text: str, work: Path) -> str:
    """The run's output without the throw-away folder's path and run-folder times."""
    text = text.replace(str(work) + "/", "").replace(str(work), ".")
    return re.sub(r"\d{4}-\d\d-\d\dT\d{6}(?:-\d+)?", "<run>", text)


BLOCK_RE = re.compile(r"(<!-- example: (?P<name>[\w-]+) -->\n)(?P<body>(?:(?!<!-- ).*?\n)??)(<!-- end -->)", re.DOTALL)


def fill(path: Path, blocks: dict[str, str]) -> None:
    """Replace the body of every ``<!-- example: NAME -->`` … ``<!-- end -->`` block."""
    text = path.read_text("utf-8")

    def body(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in blocks:
            raise SystemExit(f"{path}: no example named {name!r}")
        return match.group(1) + blocks[name] + "\n" + match.group(4)

    path.write_text(BLOCK_RE.sub(body, text), "utf-8")


def main() -> None:
    blocks = examples()
    if "--print" in sys.argv:
        for name, block in blocks.items():
            print(f"== {name}\n{block}\n")
        return
    for name in ("drift.md", "fix.md"):
        fill(DOCS / name, blocks)
        print(f"wrote {DOCS / name}")


if __name__ == "__main__":
    main()
