"""The red-team catalogue: each attack on refcheck found by the review of
SECURITY.md's threat model, replayed the way an attacker would do it -- real
symbolic links in a shared report or cache folder, a real row planted in the
cache's Settings table, real files with hostile names, a real local server that
accepts and closes without answering. Used by tests/test_redteam.py (one test
each) and by benchmarks/redteam.py (all of them, one line each).

An attack is a function of an empty work folder that returns what went wrong
(an empty list: the attack was held). Every server is on 127.0.0.x, started
and stopped here; names under ``.invalid`` fail inside the refcheck process
(no DNS query leaves the machine). Nothing here needs the internet.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import conftest
from localweb import running

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("REDTEAM_REFCHECK", ROOT))
"""The refcheck source tree attacked (benchmarks/redteam.py --against OTHER_TREE sets it)."""

# refcheck's command line (tests/conftest.py: in a child process whose resolver
# fails ``.invalid`` names at once, so no DNS query leaves), run from TARGET; a
# traceback is one of the problems an attack reports, not an error of its own.
refcheck = partial(conftest.refcheck, tree=TARGET, timeout=180, errors="backslashreplace", tracebacks_fail=False)


@dataclass(frozen=True)
class Attack:
    id: str
    finding: str
    """The finding of the review it replays ("1", "2"… or "extra")."""
    what: str
    run: Callable[[Path], list[str]]


ATTACKS: list[Attack] = []


def attack(finding: str, what: str) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    def register(function: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        ATTACKS.append(Attack(function.__name__.replace("_", "-"), finding, what, function))
        return function

    return register


# --------------------------------------------------------------------------- helpers


def article(folder: Path, name: str = "a.txt", url: str = "https://example.org/story") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Title\n\nA claim (1).\n\n(1) Source, 28 August 2018, {url}\n", encoding="utf-8")
    return path


def everything_written(work: Path, leave_out: tuple[str, ...] = ("corpus", "private")) -> str:
    """Every byte refcheck wrote under ``work`` (reports, cache, outputs), as text;
    never through a symbolic link."""
    texts = []
    for path in sorted(work.rglob("*")):
        if path.parts[len(work.parts)] in leave_out or path.is_symlink() or not path.is_file():
            continue
        if any(part.is_symlink() for part in path.parents if part != work and work in part.parents):
            continue
        texts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(texts)


def json_out(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The ``--json -`` output of a run, or an empty result when there is none."""
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return {"links": [], "documents": []}
    return data if isinstance(data, dict) else {"links": [], "documents": []}


def one_line_exit_2(done: subprocess.CompletedProcess[str], expected: str) -> list[str]:
    problems = []
    if done.returncode != 2:
        problems.append(f"exit {done.returncode}, not 2")
    if "Traceback" in done.stderr or len(done.stderr.strip().splitlines()) != 1:
        problems.append(f"not one line on stderr: {done.stderr.strip()[-300:]!r}")
    if expected not in done.stderr:
        problems.append(f"stderr does not say {expected!r}: {done.stderr.strip()[-200:]!r}")
    return problems


def no_traceback(done: subprocess.CompletedProcess[str], codes: tuple[int, ...] = (0, 1)) -> list[str]:
    problems = []
    if done.returncode not in codes:
        problems.append(f"exit {done.returncode}: {(done.stdout + done.stderr).strip()[-400:]!r}")
    if "Traceback" in done.stderr:
        problems.append("a traceback")
    return problems


@contextmanager
def closes_without_answering(host: str = "127.0.0.3") -> Iterator[str]:
    """A TCP server that accepts every connection and closes it at once, saying nothing."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, 0))
    server.listen(64)
    server.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        server.close()


def raw_handler(routes: dict[str, tuple[int, dict[str, bytes], bytes]]) -> type[BaseHTTPRequestHandler]:
    """An HTTP server answering ``path -> (status, headers as raw bytes, body)``;
    anything else 404. Headers are written as bytes (UTF-8 where a test wants it)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            status, headers, body = routes.get(path, (404, {}, b"<html><title>Not found</title></html>"))
            head = f"HTTP/1.1 {status} X\r\n".encode()
            for name, value in {**headers, "Content-Length": str(len(body)).encode()}.items():
                head += name.encode() + b": " + value + b"\r\n"
            self.wfile.write(head + b"\r\n" + body)

    return Handler


# --------------------------------------------------------------------------- 1: shared report folder

PRIVATE = "PRIVATE-do-not-leak-7f3a"


def _private_file(work: Path, name: str, text: str) -> Path:
    folder = work / "private"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@attack("1", "reports/history.jsonl is a symbolic link to a private file of the runner")
def history_symlink(work: Path) -> list[str]:
    article(work / "corpus")
    secret = _private_file(work, "notes.txt", f"{PRIVATE}\nnot JSON lines\n")
    before = secret.read_bytes()
    reports = work / "reports"
    reports.mkdir()
    (reports / "history.jsonl").symlink_to(secret)
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache")
    problems = no_traceback(done)
    if secret.read_bytes() != before:
        problems.append("the private file was written through the link")
    if PRIVATE in everything_written(work):
        problems.append("the private file's contents reached the report folder")
    if list(reports.glob("history.jsonl.damaged-*")):
        problems.append("a 'damaged' copy was made")
    if "history.jsonl is a symbolic link" not in done.stdout + done.stderr:
        problems.append("no warning naming history.jsonl")
    return problems


@attack("1", "reports/latest is a non-empty folder and reports/latest.txt a link to a config file")
def latest_folder_and_latest_txt_symlink(work: Path) -> list[str]:
    article(work / "corpus")
    config = _private_file(work, "config.toml", "token = 'keep-me'\n")
    before = config.read_bytes()
    reports = work / "reports"
    (reports / "latest").mkdir(parents=True)
    (reports / "latest" / "planted.txt").write_text("x", encoding="utf-8")
    (reports / "latest.txt").symlink_to(config)
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache")
    problems = no_traceback(done)
    if config.read_bytes() != before:
        problems.append("the config file was overwritten through latest.txt")
    leftovers = [path.name for path in reports.iterdir() if path.name.startswith(".latest-")]
    if leftovers:
        problems.append(f"leftover temporary links: {leftovers}")
    if "latest was left alone" not in done.stdout + done.stderr:
        problems.append("no warning naming reports/latest")
    return problems


@attack("1", "reports/.history.lock is a symbolic link to a file that does not exist yet")
def lock_symlink(work: Path) -> list[str]:
    article(work / "corpus")
    target = work / "private" / "created-by-refcheck"
    target.parent.mkdir()
    reports = work / "reports"
    reports.mkdir()
    (reports / ".history.lock").symlink_to(target)
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache")
    problems = no_traceback(done)
    if target.exists():
        problems.append("the link's target was created")
    if ".history.lock is a symbolic link" not in done.stdout + done.stderr:
        problems.append("no warning naming .history.lock")
    return problems


@attack("1", "a planted newest run whose report.json (and a run folder) are links to private files")
def previous_report_symlink(work: Path) -> list[str]:
    article(work / "corpus")
    private_json = {"links": [{"url": f"https://private.example/{PRIVATE}", "status": "dead"}]}
    secret = _private_file(work, "report.json", json.dumps(private_json))
    reports = work / "reports"
    (reports / "2999-01-01T000000").mkdir(parents=True)
    (reports / "2999-01-01T000000" / "report.json").symlink_to(secret)
    (reports / "2999-01-02T000000").symlink_to(secret.parent, target_is_directory=True)
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache")
    problems = no_traceback(done)
    if PRIVATE in everything_written(work) + done.stdout:
        problems.append("a private report.json was read through a link")
    if "report.json is a symbolic link" not in done.stdout + done.stderr:
        problems.append("no warning naming the planted report.json")
    return problems


@attack("1", "a damaged private history is set aside by renaming, never copied")
def damaged_history_is_not_copied(work: Path) -> list[str]:
    article(work / "corpus")
    reports = work / "reports"
    reports.mkdir()
    history = reports / "history.jsonl"
    history.write_text(f'{{"run": "x", "statuses": {{}}}}\n{PRIVATE} torn\n', encoding="utf-8")
    history.chmod(0o600)
    inode = history.stat().st_ino
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache")
    problems = no_traceback(done)
    aside = list(reports.glob("history.jsonl.damaged-*"))
    if len(aside) != 1:
        return [*problems, f"expected one damaged history set aside, found {len(aside)}"]
    if aside[0].stat().st_ino != inode or aside[0].stat().st_mode & 0o077:
        problems.append("the damaged history was copied (new file, or readable by others), not renamed")
    if PRIVATE in history.read_text("utf-8"):
        problems.append("the damaged line is still in the history")
    if history.stat().st_mode & 0o077:
        problems.append("the rebuilt history is readable by others (the old one was not)")
    return problems


# --------------------------------------------------------------------------- 2 and 3: shared cache folder


def _cache_with_an_entry(work: Path) -> Path:
    """A corpus and a cache folder as a run leaves them (diskcache's own tables,
    one entry written through refcheck's cache)."""
    from refcheck.models import LinkStatus
    from refcheck.resolve.cache import Cache

    article(work / "corpus")
    cache = Cache(work / "cache")
    cache.set_probe("https://example.org/", LinkStatus.OK, None, None)
    cache.close()
    return work / "cache" / "cache.db"


@attack("2", "one row planted in the cache's diskcache Settings table, three ways")
def planted_settings_rows(work: Path) -> list[str]:
    problems: list[str] = []
    plants = {
        "get": [("get", 1)],  # becomes an attribute: cache.get is 1
        "disk_": [("disk_planted", 1)],  # becomes an argument of the Disk constructor
        "others": [("sqlite_user_version", "7; ATTACH 'x' AS y"), (b"blob", 1), ("count", "many")],
    }
    for label, rows in plants.items():
        folder = work / label
        database = _cache_with_an_entry(folder)
        with sqlite3.connect(database) as connection:
            connection.executemany("INSERT OR REPLACE INTO Settings VALUES (?, ?)", rows)
        for attempt in ("first", "second"):
            done = refcheck(folder, "corpus", "--offline", "--no-report", "--cache-dir", "cache")
            problems += [f"{label}, {attempt} run: {problem}" for problem in no_traceback(done, (0,))]
            said = (done.stdout + done.stderr).count("unexpected Settings rows removed")
            if said != (1 if attempt == "first" else 0):
                problems.append(f"{label}, {attempt} run: {said} warnings about the Settings table, not one")
        if list(folder.glob("cache.damaged-*")):
            problems.append(f"{label}: the whole cache was thrown aside instead of its Settings repaired")
    return problems


@attack("3", "cache/cache.db is a symbolic link to another SQLite database of the runner")
def cache_database_symlink(work: Path) -> list[str]:
    article(work / "corpus")
    other = work / "private" / "accounts.db"
    other.parent.mkdir()
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE accounts (name TEXT)")
    before = other.read_bytes()
    (work / "cache").mkdir()
    (work / "cache" / "cache.db").symlink_to(other)
    done = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache")
    problems = no_traceback(done, (0,))
    if other.read_bytes() != before:
        problems.append("refcheck wrote into the other database")
    if "cache.db is a symbolic link" not in done.stdout + done.stderr:
        problems.append("no warning naming cache.db")
    if (work / "cache" / "cache.db").is_symlink():
        problems.append("the link is still in place")
    return problems


@attack("3", "cache/cache.db-wal is a symbolic link to a private file (SQLite refuses it; the cache must survive)")
def cache_wal_symlink(work: Path) -> list[str]:
    _cache_with_an_entry(work)
    secret = _private_file(work, "journal.txt", PRIVATE * 100)
    before = secret.read_bytes()
    wal = work / "cache" / "cache.db-wal"
    if wal.exists():
        wal.unlink()
    wal.symlink_to(secret)
    done = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache")
    problems = no_traceback(done, (0,))
    if secret.read_bytes() != before:
        problems.append("SQLite wrote through the -wal link")
    if list(work.glob("cache.damaged-*")):
        problems.append("one planted link cost the whole cache (moved aside)")
    return problems


# --------------------------------------------------------------------------- 4: Markdown injection

HOSTILE_NAME = "x|<img src=x onerror=alert(1)>.txt"


def _archive_answering(original: str) -> type[BaseHTTPRequestHandler]:
    """An archive whose availability API answers every URL with a capture whose
    ``original`` is the given (hostile) string."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            answer = {"archived_snapshots": {"closest": {"status": "200", "available": True,
                      "timestamp": "20180829120000",
                      "url": f"http://web.archive.org/web/20180829120000/{original}"}}}  # fmt: skip
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def markdown_html(text: str) -> str:
    """report.md as GitHub would render it: CommonMark with tables, raw HTML allowed."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def smuggled_elements(html_text: str) -> list[str]:
    """Elements in rendered HTML that no report ever makes (the payloads, had they become markup)."""
    import lxml.html

    tree = lxml.html.fromstring(f"<div>{html_text}</div>")
    return [element.tag for element in tree.iter() if element.tag in ("img", "script", "svg", "iframe", "b", "style")]


def table_rows_are_whole(html_text: str) -> list[str]:
    import lxml.html

    problems = []
    tree = lxml.html.fromstring(f"<div>{html_text}</div>")
    for table in tree.iter("table"):
        width = len(table.xpath(".//thead/tr/th"))
        for row in table.xpath(".//tbody/tr"):
            if len(row.xpath("./td")) != width or row.text_content().count("`"):
                problems.append(f"a table row broken apart: {row.text_content()[:80]!r}")
    return problems


@attack("4", "a file named 'x|<img src=x onerror=alert(1)>.txt' and an archive 'original' with '|'")
def markdown_pipe_injection(work: Path) -> list[str]:
    routes = {"/gone": (404, {}, b"<html><title>Not found</title></html>")}
    with running(raw_handler(routes), "127.0.0.2") as web, \
            running(_archive_answering("https://x.test/a|<img src=x onerror=alert(2)>"), "127.0.0.4") as archive:  # fmt: skip
        article(work / "corpus", HOSTILE_NAME, f"{web}/gone")
        done = refcheck(work, "corpus", "--allow-private", "--host-interval", "0", "--archive-interval", "0",
                        "--wayback-url", archive, "--cdx-url", archive, "--cache-dir", "cache")  # fmt: skip
    problems = no_traceback(done)
    latest = work / "reports" / "latest" / "report.md"
    if not latest.is_file():
        return [*problems, "no report.md"]
    text = latest.read_text("utf-8")
    if "onerror" not in text or "20180829120000" not in text:
        problems.append("the hostile strings are not in the report at all (nothing was tested)")
    rendered = markdown_html(text)
    problems += [f"<{tag}> rendered from report.md" for tag in smuggled_elements(rendered)]
    problems += table_rows_are_whole(rendered)
    return problems


# --------------------------------------------------------------------------- 5: credentials in titles and notes


@attack("5", "credentials in a page <title> and a scheme-less user:password@host/path in a note")
def credentials_in_title_and_note(work: Path) -> list[str]:
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "a.html").write_text(
        "<html><head><title>http://alice:S3CRET-TITLE@intranet.example.com/t</title></head><body>"
        "<p>As the intranet says<sup><a href='#fn1'>1</a></sup>.</p><ol class='references'><li id='fn1'>"
        "Intranet, 2018, bob:S3CRET-NOTE@intranet.example.com/path/page</li></ol></body></html>",
        encoding="utf-8",
    )
    first = refcheck(work, "corpus", "--offline", "--cache-dir", "cache", "--json", "-")
    second = refcheck(work, "corpus", "--offline", "--cache-dir", "cache", "--json", "out.json", "--graph",
                      "graphml", "--graph-out", "graph.graphml")  # fmt: skip
    third = refcheck(work, "corpus", "--offline", "--cache-dir", "cache", "--no-report", "--graph", "dot")
    problems = no_traceback(first) + no_traceback(second) + no_traceback(third)
    seen = "\n".join(done.stdout + done.stderr for done in (first, second, third)) + everything_written(work)
    if "intranet.example.com" not in seen:
        problems.append("the article's text reached no output (nothing was tested)")
    for secret in ("S3CRET-TITLE", "S3CRET-NOTE"):
        if secret in seen:
            problems.append(f"{secret} is in an output, a report or the cache")
    return problems


# --------------------------------------------------------------------------- 6: symbolic links out of the corpus


@attack("6", "an article that is a symbolic link to a private file outside the corpus")
def symlink_out_of_the_corpus(work: Path) -> list[str]:
    secret = _private_file(
        work, "secrets.txt", f"Title\n\nSee (1).\n\n(1) Wiki, 2018, https://wiki.corp.example.com/{PRIVATE}\n"
    )
    article(work / "corpus")
    (work / "corpus" / "notes.txt").symlink_to(secret)
    (work / "corpus" / "same.txt").symlink_to("a.txt")  # a link inside the corpus is read as usual
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache", "--json", "out.json")
    problems = no_traceback(done)
    if PRIVATE in everything_written(work) + done.stdout + done.stderr:
        problems.append("the linked private file was read into the outputs")
    if "leading out of the corpus folder" not in done.stdout + done.stderr:
        problems.append("no note saying why notes.txt was skipped")
    try:
        data = json.loads((work / "out.json").read_text("utf-8"))
    except (OSError, ValueError):
        data = {"documents": []}
    read = {document["path"] for document in data["documents"]}
    if "corpus/same.txt" not in read:
        problems.append("a link inside the corpus was not read")
    followed = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache", "--follow-symlinks",
                        "--json", "-")  # fmt: skip
    if PRIVATE not in followed.stdout:
        problems.append("--follow-symlinks did not read the linked file")
    return problems


# --------------------------------------------------------------------------- 7: control characters in labels


def parse_graphml(path: Path) -> list[str]:
    try:
        ET.parse(path)
    except ET.ParseError as exc:
        return [f"graph.graphml is not XML: {exc}"]
    try:
        import networkx
    except ImportError:
        return []
    try:
        networkx.read_graphml(path)
    except Exception as exc:  # whatever networkx raises on a file it cannot read
        return [f"networkx cannot read graph.graphml: {exc}"]
    return []


def parse_dot(path: Path) -> list[str]:
    problems = []
    text = path.read_text("utf-8")
    if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        problems.append("graph.dot carries raw control characters")
    try:
        import pydot
    except ImportError:
        pydot = None
    if pydot is not None and not pydot.graph_from_dot_data(text):
        problems.append("pydot cannot read graph.dot")
    import shutil

    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            problems.append(f"Graphviz cannot read graph.dot: {done.stderr.strip()[:200]}")
    return problems


@attack("7", "control characters in a front-matter publisher and an og:site_name")
def control_characters_in_labels(work: Path) -> list[str]:
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        '---\npublisher: "Pub\\x01lisher\\x1b[31m"\ntitle: "T\\x0bitle \\u202eevil"\n---\n'
        "# Story\n\nA claim[^1].\n\n[^1]: Source, 2018, https://example.org/a\n",
        encoding="utf-8",
    )
    (corpus / "b.html").write_text(
        "<html><head><meta property='og:site_name' content='Site&#x1;Name&#xb;'><title>B</title></head>"
        "<body><p>Text <a href='https://example.net/b'>link</a>.</p></body></html>",
        encoding="utf-8",
    )
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache")
    problems = no_traceback(done)
    folder = work / "reports" / "latest"
    if not (folder / "graph.graphml").is_file():
        return [*problems, "no graph.graphml written"]
    graphml = (folder / "graph.graphml").read_text("utf-8")
    if "Pub" not in graphml or "Site" not in graphml:
        problems.append("the labels are not in the graph (nothing was tested)")
    problems += parse_graphml(folder / "graph.graphml")
    problems += parse_dot(folder / "graph.dot")
    for name in ("report.md", "report.html", "graph.graphml", "graph.dot"):
        if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", (folder / name).read_text("utf-8")):
            problems.append(f"{name} carries raw control characters")
    return problems


# --------------------------------------------------------------------------- 8: an archive that closes at once


@attack("8", "--archive pointed at a server that accepts and closes, while DNS fails")
def archive_that_closes_without_answering(work: Path) -> list[str]:
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Title\n\nClaims (1) and (2).\n\n(1) Gone, 2018, http://first-site.invalid/a\n\n"
        "(2) Gone too, 2018, http://second-site.invalid/b\n",
        encoding="utf-8",
    )
    with closes_without_answering() as archive:
        done = refcheck(work, "corpus", "--archive", "all", "--wayback-url", archive, "--cdx-url", archive,
                        "--archive-interval", "0", "--cache-dir", "cache", "--no-report", "--json", "-")  # fmt: skip
    problems = no_traceback(done)
    statuses = {link["url"]: link["status"] for link in json_out(done)["links"]}
    if set(statuses.values()) != {"unknown"}:
        problems.append(f"verdicts while nothing answered: {statuses}")
    later = refcheck(work, "corpus", "--offline", "--cache-dir", "cache", "--no-report", "--json", "-")
    problems += no_traceback(later)
    statuses = {link["url"]: link["status"] for link in json_out(later)["links"]}
    if "dead" in statuses.values():
        problems.append(f"'dead' was cached and read back offline: {statuses}")
    return problems


# --------------------------------------------------------------------------- 9: input errors


@attack("9", "--cache-dir pointing at a file")
def cache_dir_is_a_file(work: Path) -> list[str]:
    article(work / "corpus")
    (work / "cache").write_text("not a folder", encoding="utf-8")
    return one_line_exit_2(refcheck(work, "corpus", "--offline", "--cache-dir", "cache"), "is not a folder")


@attack("9", "outlets-file malformed, a folder, or missing")
def outlets_file_unusable(work: Path) -> list[str]:
    article(work / "corpus")
    problems = []
    (work / "broken.json").write_text('{"outlets": [{"name": ', encoding="utf-8")
    (work / "shape.json").write_text('{"outlets": {"name": "x"}}', encoding="utf-8")
    (work / "folder.json").mkdir()
    for name, says in (("broken.json", "not valid JSON"), ("shape.json", "must hold a list of outlets"),
                       ("folder.json", "is a folder"), ("missing.json", "does not exist")):  # fmt: skip
        (work / "refcheck.toml").write_text(f'outlets-file = "{name}"\n', encoding="utf-8")
        done = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache")
        problems += [f"{name}: {problem}" for problem in one_line_exit_2(done, says)]
    return problems


@attack("9", "a relative outlets-file is looked up next to the settings file")
def outlets_file_next_to_the_settings(work: Path) -> list[str]:
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\nAccording to the Zanzibar Lantern, it rained.\n", encoding="utf-8")
    (corpus / "refcheck.toml").write_text('outlets-file = "our-outlets.json"\n', encoding="utf-8")
    (corpus / "our-outlets.json").write_text(
        json.dumps([{"name": "Zanzibar Lantern", "domains": ["zanzibarlantern.example"]}]), encoding="utf-8"
    )
    done = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache", "--json", "-")
    problems = no_traceback(done)
    mentions = [m["outlet"] for d in json_out(done)["documents"] for m in d["mentions"]]
    if "Zanzibar Lantern" not in mentions:
        problems.append(f"the outlet of our-outlets.json was not used: {mentions}")
    return problems


# --------------------------------------------------------------------------- 10: numbers


@attack("10", "nan, inf and huge numbers for the numeric options (command line and settings file)")
def numbers_out_of_range(work: Path) -> list[str]:
    article(work / "corpus")
    problems = []
    huge = str(10**30)
    for option, value, says in (("--timeout", "nan", "finite"), ("--timeout", "inf", "finite"),
                                ("--timeout", "-inf", "finite"), ("--host-interval", "nan", "finite"),
                                ("--max-age", "nan", "finite"), ("--archive-interval", "inf", "finite"),
                                ("--concurrency", huge, "at most"), ("--retries", huge, "at most"),
                                ("--per-host", huge, "at most"), ("--max-file-size", huge, "at most"),
                                ("--timeout", "1e9", "at most")):  # fmt: skip
        done = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache", option, value)
        problems += [f"{option} {value}: {problem}" for problem in one_line_exit_2(done, says)]
    (work / "refcheck.toml").write_text("timeout = nan\n", encoding="utf-8")
    done = refcheck(work, "corpus", "--offline", "--no-report", "--cache-dir", "cache")
    problems += [f"timeout = nan in refcheck.toml: {problem}" for problem in one_line_exit_2(done, "finite")]
    return problems


# --------------------------------------------------------------------------- extras


@attack("extra", "a redirect to a full-width host name (Location sent as UTF-8)")
def full_width_redirect(work: Path) -> list[str]:
    target = "http://ｇｏｎｅ-ｓｉｔｅ.invalid/page"
    routes = {"/moved": (301, {"Location": target.encode("utf-8")}, b"")}
    with running(raw_handler(routes), "127.0.0.2") as web:
        article(work / "corpus", url=f"{web}/moved")
        done = refcheck(work, "corpus", "--allow-private", "--archive", "none", "--host-interval", "0",
                        "--cache-dir", "cache", "--no-report", "--json", "-")  # fmt: skip
    problems = no_traceback(done)
    final = [link["final_url"] for link in json_out(done)["links"]]
    if final != [target]:
        problems.append(f"final_url is {final}, not [{target!r}]")
    return problems


@attack("extra", "lone surrogates in front matter ('\\ud800' escapes) reaching report.json, graph.json and --json")
def lone_surrogates_in_front_matter(work: Path) -> list[str]:
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        '---\ntitle: "T\\ud800x"\npublisher: "P\\udc80ub"\n---\n# S\n\nA claim[^1].\n\n[^1]: Source, 2018, https://example.org/a\n',
        encoding="utf-8",
    )
    # The terminal summary prints the publisher too; how the console writes a lone
    # surrogate depends on the locale, and is not what this attack is about.
    quiet = {"PYTHONIOENCODING": "utf-8:backslashreplace"}
    done = refcheck(work, "corpus", "--offline", "--cache-dir", "cache", "--json", "out.json", env=quiet)
    problems = no_traceback(done)
    for path in (
        work / "out.json",
        work / "reports" / "latest" / "report.json",
        work / "reports" / "latest" / "graph.json",
    ):
        try:
            json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name} not written or not JSON: {exc}")
    return problems
