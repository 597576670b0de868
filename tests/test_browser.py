"""report.html in a real browser (headless Chromium): the tables and the graph
render, the script ran under the page's Content-Security-Policy, and nothing
from a hostile corpus runs. Skips only where no Chromium can be found."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from localweb import serve

BROWSER = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium here (Debian package 'chromium'; .ci/run installs it)"
)

HOSTILE_TITLE = '<img src=x onerror="document.body.setAttribute(`data-pwned`,1)">'
HOSTILE_URL = 'https://x.test/"><script>document.body.setAttribute(`data-pwned`,2)</script>'


def browse(page: Path, tmp_path: Path, *mode: str) -> str:
    assert BROWSER is not None
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000", *mode, page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout


def test_report_renders_and_hostile_input_stays_inert(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with serve() as (web, _):
        (corpus / "a.txt").write_text(
            f"Title\n\nClaims (1) and (2).\n\n(1) Reuters, 28 August 2018, {web}/ok\n\n(2) Gone, 2018, {web}/gone\n",
            encoding="utf-8",
        )
        (corpus / "evil.md").write_text(
            f"---\ntitle: '{HOSTILE_TITLE}'\npublisher: '{HOSTILE_TITLE}'\n---\n# {HOSTILE_TITLE}\n\n"
            f"Text[^1] and [a click](javascript:document.body.setAttribute('data-pwned',3)).\n\n"
            f"[^1]: See {HOSTILE_URL}\n",
            encoding="utf-8",
        )
        (corpus / "evil.html").write_text(
            "<html><head><title></title></script><script>document.body.setAttribute('data-pwned',4)</script>"
            "</title><meta name='author' content='\"><svg onload=document.body.setAttribute(`data-pwned`,5)>'>"
            "</head><body><p>Said <a href=\"javascript:document.body.setAttribute('data-pwned',6)\">here</a>"
            "<sup><a href='#fn1'>1</a></sup> and <iframe src='data:text/html,<script>parent.pwn()</script>'>"
            "</iframe></p><ol class='references'><li id='fn1'>Evil, 2018, "
            "https://x.test/<style>body{display:none}</style></li></ol></body></html>",
            encoding="utf-8",
        )
        done = subprocess.run([sys.executable, "-m", "refcheck", "corpus", "--allow-private", "--no-archive",
                               "--host-interval", "0"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120, env=os.environ.copy())  # fmt: skip
        assert done.returncode == 1, done.stderr
    page = (tmp_path / "reports" / "latest" / "report.html").resolve()
    dom = browse(page, tmp_path, "--dump-dom")
    body = dom.split("<body", 1)[1].split(">", 1)[0]
    assert 'data-ready="yes"' in body  # our script ran (its hash is in the CSP)
    assert "data-pwned" not in body  # nothing from the corpus did
    assert "<img" not in dom and not re.findall(r'<svg(?! id="(?:trend|graph)")', dom)  # payloads are text
    assert "<iframe" not in dom and 'href="javascript:' not in dom.lower() and "<style>body" not in dom
    assert dom.count("<script") == 1
    assert 'id="graph"' in dom and dom.count('class="node"') >= 3
    assert 'id="trend"' in dom
    rows = int(dom.split('data-rows="', 1)[1].split('"', 1)[0])
    assert rows >= 3
    assert f"{web}/gone" in dom  # the dead link is listed
    screenshot = tmp_path / "report.png"
    browse(page, tmp_path, f"--screenshot={screenshot}")
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
