"""Security: credentials in URLs, private addresses by every path, hostile URLs
at the resolver. (Cache pickles: test_resolve.py; report escaping: test_reports.py
and test_browser.py.)"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import refcheck
from localweb import running

from refcheck.models import LinkResult
from refcheck.redact import redact, without_userinfo
from refcheck.resolve.resolver import ResolveSettings, resolve_links

SECRET = "s3cret-Pa55"
USER = "qzuser7"  # a user name no library ships (report.html inlines Cytoscape, whose colour table has "aliceblue")


def recording_handler(seen: list[tuple[str, str | None]], redirect_to: str | None = None) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Authorization")))
            if redirect_to is not None and self.path == "/private":
                self.send_response(302)
                self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"<html><head><title>Members</title></head><body>hello</body></html>"
            self.send_response(200 if self.path in ("/private", "/landing") else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def test_redact_masks_user_info_only() -> None:
    assert redact("see https://alice:pw@example.org/a?b=c@d") == "see https://***@example.org/a?b=c@d"
    assert redact("ftp://bob@host/x and http://h/p@q") == "ftp://***@host/x and http://h/p@q"
    assert redact(redact("http://a:b@h/")) == "http://***@h/"
    assert without_userinfo("http://a:b@h/x") == "http://h/x"
    assert redact("mail me: someone@example.org") == "mail me: someone@example.org"
    assert redact("https://user:p@ss-s3cret@example.org/y") == "https://***@example.org/y"  # split at the last @
    assert without_userinfo("https://user:p@ss-s3cret@example.org/y") == "https://example.org/y"
    assert redact('<a href="//alice:pw@intra.example/x">') == '<a href="//***@intra.example/x">'
    assert redact("http://h/a?next=//x@y") == "http://h/a?next=//***@y"  # harmless over-masking in a query


def test_credentials_go_only_to_their_host_and_never_into_reports_logs_or_cache(tmp_path: Path) -> None:
    landing_seen: list[tuple[str, str | None]] = []
    private_seen: list[tuple[str, str | None]] = []
    with (
        running(recording_handler(landing_seen), "127.0.0.2") as landing,
        running(recording_handler(private_seen, redirect_to=f"{landing}/landing"), "127.0.0.1") as private,
    ):
        address = private.replace("http://", f"http://{USER}:{SECRET}@") + "/private"
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "a.md").write_text(
            f"# Members page\n\nAs the intranet shows[^1], and again ({address}).\n\n"
            f"[^1]: Intranet, 28 August 2018, {address}\n",
            encoding="utf-8",
        )
        done = refcheck(tmp_path, "corpus", "--allow-private", "--archive", "none", "--host-interval", "0",
                        "--cache-dir", "cache", "--report-dir", "reports", "--json", "-")  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected = "Basic " + base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    assert ("/private", expected) in private_seen  # checked with its credentials...
    assert landing_seen and all(auth is None for _, auth in landing_seen)  # ...never sent on to another host
    assert all(auth is None for path, auth in private_seen if path != "/private")  # nor on the made-up probe
    [link] = json.loads(done.stdout)["links"]
    assert link["url"] == private.replace("http://", "http://***@") + "/private"
    assert link["status"] == "ok" and link["final_url"] == f"{landing}/landing"
    leaks = [done.stdout, done.stderr]
    for folder in (tmp_path / "reports", tmp_path / "cache"):
        for path in folder.rglob("*"):
            if path.is_file():
                leaks.append(path.read_bytes().decode("latin-1"))
    assert all(SECRET not in text and USER not in text for text in leaks)


def resolve(urls: list[str], **check: object) -> dict[str, LinkResult]:
    from refcheck.resolve.check import CheckSettings

    links = {url: LinkResult(url, None) for url in urls}
    settings = ResolveSettings(host_interval=0.0, archive="none", check=CheckSettings(timeout=3, retries=0, **check))  # type: ignore[arg-type]
    resolve_links(links, settings, None)
    return links


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://[::1]:9/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://printer.local/",
        "http://240.0.0.1/",  # reserved
        "http://[64:ff9b::a00:1]/",  # NAT64 form of 10.0.0.1
        "http://[2002:a9fe:a9fe::]/",  # 6to4 form of 169.254.169.254
        "http://[::127.0.0.1]/",  # IPv4-compatible form of loopback
        "http://[::ffff:0:7f00:1]/",  # IPv4-translated form of loopback
        "http://[fec0::1]/",  # site-local
    ],
)
def test_no_request_reaches_a_non_public_address(url: str) -> None:
    [link] = resolve([url]).values()
    error = link.error or ""
    assert link.status == "skipped" and ("not public" in error or "is local" in error), error


def test_a_name_that_resolves_to_loopback_is_refused_after_dns() -> None:
    """``localtest.me``-style names are not available offline; the machine's own
    name resolves locally, which is enough to show the check happens after DNS."""
    import socket

    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80)}
    except OSError:
        pytest.skip("this machine's name does not resolve here")
    import ipaddress

    if all(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
        pytest.skip("this machine's name resolves to a public address")
    [link] = resolve([f"http://{name}:9/"]).values()
    assert link.status == "skipped" and "not public" in (link.error or "")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://example.org/" + "a" * 100_000, "invalid"),  # 100 KB: refused before any lookup
        ("javascript:alert(1)", "skipped"),
        ("data:text/html,<script>alert(1)</script>", "skipped"),
        ("file:///etc/passwd", "skipped"),
        ("http://exa mple.org/", "invalid"),
        ("http://example.org:99999/", "invalid"),
        ("http://2130706433/", "invalid"),  # 127.0.0.1 as one number
        ("http://127.1/", "invalid"),  # 127.0.0.1, shortened
        ("http://0x7f000001/", "invalid"),
        ("http://017700000001/", "invalid"),  # octal
    ],
)
def test_hostile_urls_get_a_verdict_without_a_request(url: str, status: str) -> None:
    [link] = resolve([url]).values()
    assert link.status == status, (link.status, link.error)


def test_terminal_summary_shows_no_escape_sequences(tmp_path: Path) -> None:
    """A publisher or path from the corpus reaches the terminal summary: an ANSI
    escape sequence in it must not reach the terminal raw (it could clear the
    screen or hide lines), nor may a lone surrogate end the run on a strict
    UTF-8 stdout."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        '---\npublisher: "Evil\\e[2J\\e[31mPub\\ud800"\ndate: 2018-08-28\n---\n\nText [^1].\n\n[^1]: Note.\n',
        encoding="utf-8",
    )
    (corpus / "b\x1b[8m.txt").write_text("Plain text.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "refcheck", str(corpus), "--offline", "--no-report"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
    )
    assert done.returncode in (0, 1), done.stderr
    assert b"Traceback" not in done.stderr
    assert b"\x1b" not in done.stdout and b"\x1b" not in done.stderr
    assert b"Evil" in done.stdout  # the summary still names the publisher, escaped
