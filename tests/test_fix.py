"""``refcheck fix``: archive copies added for dead citations, in each format's idiom,
byte for byte, against a local web server and the local archive stand-in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import refcheck_env
from localweb import ArchiveStandIn, serve, serve_archive

from refcheck.fix.edit import Article, markdown_destination
from refcheck.fix.plan import SHORT_COPY, Neighbourhood, archive_hosts, archived_address, is_rescued

# A paragraph long enough that the links beside it read as the article's own (a short
# paragraph of links reads as page furniture: a link list).
BODY = (
    "The council met on Tuesday to discuss the budget, and members argued for hours about the new road"
    " before a vote was taken late in the evening."
)

# Links the article carries to real archives are not checked (no test leaves this machine).
SETTINGS = "exclude-links = ['^https?://(web\\\\.archive\\\\.org|archive\\\\.(ph|today|is))/']\n"


@dataclass(frozen=True)
class Sites:
    web: str
    archive: str
    stand_in: ArchiveStandIn

    def copy(self, path: str, timestamp: str = "20180829000000") -> str:
        return f"{self.archive}/web/{timestamp}/{self.web}{path}"


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with serve_archive() as (archive, stand_in), serve() as (web, _stats):
        for path in ("/gone", "/soft", "/gone?a=1&b=2", "/gone-2"):
            stand_in.captures[web + path] = ["20180829000000"]
        yield Sites(web, archive, stand_in)


def fix(folder: Path, sites: Sites, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m refcheck.fix ARGS`` in ``folder``, pointed at the local servers."""
    (folder / "refcheck.toml").write_text(SETTINGS, "utf-8")
    command = [
        sys.executable, "-m", "refcheck.fix", *args, "--allow-private", "--host-interval", "0",
        "--archive-interval", "0", "--timeout", "5", "--wayback-url", sites.archive, "--cdx-url", sites.archive,
        "--cache-dir", str(folder / ".cache"),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=folder, env=refcheck_env(), capture_output=True, timeout=120)
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    return done


def article(folder: Path, name: str, data: bytes) -> Path:
    path = folder / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- every format


def _formats(s: Sites) -> dict[str, tuple[str, str]]:
    """name -> (article, the article fixed)."""
    w, gone, soft = s.web, s.copy("/gone"), s.copy("/soft")
    amp = s.copy("/gone?a=1&amp;b=2")
    return {
        "note.txt": (
            f"A story\n\n(1) Reuters, August 28, 2018, {w}/gone\n(2) Live one, {w}/ok\n",
            f"A story\n\n(1) Reuters, August 28, 2018, {w}/gone [archived: {gone}]\n(2) Live one, {w}/ok\n",
        ),
        "inline.md": (
            f'# A story\n\nAs [Reuters reported]({w}/gone "Story"), it was so.\n',
            f'# A story\n\nAs [Reuters reported]({w}/gone "Story") ([archived]({gone})), it was so.\n',
        ),
        "bare.md": (
            f"# A story\n\nSource: {w}/soft, then more.\n",
            f"# A story\n\nSource: {w}/soft ([archived]({soft})), then more.\n",
        ),
        "reference.md": (
            f"# A story\n\nAs [Reuters reported][wire] and [again][wire].\n\n[wire]: {w}/gone\n",
            f"# A story\n\nAs [Reuters reported][wire] ([archived][wire-archived]) and [again][wire]"
            f" ([archived][wire-archived]).\n\n[wire]: {w}/gone\n[wire-archived]: {gone}\n",
        ),
        "anchor.html": (
            f'<html><body><article><p>{BODY}</p><p>As <a href="{w}/gone?a=1&amp;b=2">Reuters\nreported</a>,'
            f" {BODY}</p></article></body></html>\n",
            f'<html><body><article><p>{BODY}</p><p>As <a href="{w}/gone?a=1&amp;b=2">Reuters\nreported</a>'
            f' <a href="{amp}">archived</a>, {BODY}</p></article></body></html>\n',
        ),
        "bare.html": (
            f"<html><body><article><p>{BODY} Source: {w}/soft, then more.</p></article></body></html>\n",
            f'<html><body><article><p>{BODY} Source: {w}/soft <a href="{soft}">archived</a>, then more.</p>'
            "</article></body></html>\n",
        ),
    }


def test_every_format_gets_its_own_idiom(tmp_path: Path, sites: Sites) -> None:
    cases = _formats(sites)
    for name, (before, _) in cases.items():
        article(tmp_path, name, before.encode())
    shown = fix(tmp_path, sites, "articles")
    assert shown.returncode == 1, shown.stderr.decode()
    for name, (before, _) in cases.items():  # --diff (the default) changes nothing
        assert (tmp_path / "articles" / name).read_bytes() == before.encode()
        assert f"+++ b/articles/{name}\n".encode() in shown.stdout
    written = fix(tmp_path, sites, "articles", "--write")
    assert written.returncode == 0, written.stderr.decode()
    for name, (before, after) in cases.items():
        assert (tmp_path / "articles" / name).read_bytes() == after.encode(), name
        assert (tmp_path / "articles" / f"{name}.bak").read_bytes() == before.encode()
    assert b"refcheck fix: 7 fixes written, 0 rescued already" in written.stderr
    again = fix(tmp_path, sites, "articles")  # idempotent: every citation is rescued now
    assert again.returncode == 0 and again.stdout == b"", again.stderr.decode()
    assert b"0 fixes proposed, 7 rescued already" in again.stderr, again.stderr.decode()


# ----------------------------------------------------------------------------- encodings


def _encodings(s: Sites) -> dict[str, tuple[bytes, bytes]]:
    w, gone, soft = s.web.encode(), s.copy("/gone").encode(), s.copy("/soft").encode()
    return {
        "bom.txt": (
            b"\xef\xbb\xbfA story \xe2\x80\x94 2018\n(1) " + w + b"/gone\n",
            b"\xef\xbb\xbfA story \xe2\x80\x94 2018\n(1) " + w + b"/gone [archived: " + gone + b"]\n",
        ),
        "western.md": (
            "Le caf\u00e9 fermé, selon [la source](".encode("cp1252") + w + b"/gone).\n",
            "Le caf\u00e9 fermé, selon [la source](".encode("cp1252") + w + b"/gone) ([archived](" + gone + b")).\n",
        ),
        "crlf.txt": (
            b"A story\r\n\r\n(1) " + w + b"/gone\r\n(2) " + w + b"/ok\r\n",
            b"A story\r\n\r\n(1) " + w + b"/gone [archived: " + gone + b"]\r\n(2) " + w + b"/ok\r\n",
        ),
        "mixed.txt": (
            b"A story\r\n(1) " + w + b"/gone\n(2) " + w + b"/soft\r\nlast line",
            b"".join(
                [
                    b"A story\r\n(1) ",
                    w,
                    b"/gone [archived: ",
                    gone,
                    b"]\n(2) ",
                    w,
                    b"/soft [archived: ",
                    soft,
                    b"]\r\nlast line",
                ]
            ),
        ),
        "nonewline.txt": (
            b"A story\n(1) " + w + b"/gone",
            b"A story\n(1) " + w + b"/gone [archived: " + gone + b"]",
        ),
    }


def test_encoding_bom_and_line_endings_are_kept(tmp_path: Path, sites: Sites) -> None:
    cases = _encodings(sites)
    for name, (before, _) in cases.items():
        article(tmp_path, name, before)
    written = fix(tmp_path, sites, "articles", "--write")
    assert written.returncode == 0, written.stderr.decode()
    for name, (_, after) in cases.items():
        assert (tmp_path / "articles" / name).read_bytes() == after, name
    assert fix(tmp_path, sites, "articles").stdout == b""


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_the_diff_applies(tmp_path: Path, sites: Sites, tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    for name, (before, _) in _formats(sites).items():
        article(tmp_path, name, before.encode())
    for name, (before_bytes, _) in _encodings(sites).items():
        article(tmp_path, name, before_bytes)
    shown = fix(tmp_path, sites, "articles")
    assert shown.returncode == 1 and shown.stdout
    (tmp_path / "fix.diff").write_bytes(shown.stdout)
    if tool == "git":
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        check = ["git", "apply", "--check", "fix.diff"]
    else:
        check = ["patch", "-p1", "--dry-run", "--binary", "-i", "fix.diff"]
    done = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    if tool == "git":  # applied for real: the same bytes as --write
        subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True)
        for name, (_, after) in _formats(sites).items():
            assert (tmp_path / "articles" / name).read_bytes() == after.encode(), name
        for name, (_, after_bytes) in _encodings(sites).items():
            assert (tmp_path / "articles" / name).read_bytes() == after_bytes, name


# ----------------------------------------------------------------------------- rescued, no capture


def test_rescued_citations_never_get_a_second_copy(tmp_path: Path, sites: Sites) -> None:
    w = sites.web
    texts = {
        "wayback.txt": f"(1) {w}/gone (archived at https://web.archive.org/web/2019/{w}/gone)\n",
        "today.md": f"[Story]({w}/gone) ([archive](https://archive.ph/2019.01.01-120000/{w}/gone))\n",
        "short.html": f'<article><p>{BODY}</p><p>As <a href="{w}/soft">Reuters reported</a>'
        f' (<a href="https://archive.ph/AbCd1">copy</a>), {BODY}</p></article>\n',
        "wiki.txt": f"{BODY}\n\nNotes\n\n(1) {{{{cite news |title=Story |url={w}/gone-2"
        " |archive-url=https://web.archive.org/web/2019/x |archive-date=2019-01-01}}\n",
    }
    for name, text in texts.items():
        article(tmp_path, name, text.encode())
    done = fix(tmp_path, sites, "articles")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    assert b"0 fixes proposed, 4 rescued already, 0 dead without a capture" in done.stderr
    for name, text in texts.items():
        assert (tmp_path / "articles" / name).read_text() == text


def test_a_copy_of_another_address_does_not_rescue(tmp_path: Path, sites: Sites) -> None:
    w = sites.web
    article(tmp_path, "other.txt", f"(1) {w}/gone, see also https://web.archive.org/web/2019/{w}/gone-2\n".encode())
    done = fix(tmp_path, sites, "articles")
    assert done.returncode == 1
    assert f"+(1) {w}/gone [archived: {sites.copy('/gone')}], see also".encode() in done.stdout


def test_links_without_a_capture_are_listed_not_touched(tmp_path: Path, sites: Sites) -> None:
    text = f"(1) {sites.web}/removed\n(2) {sites.web}/ok\n"
    path = article(tmp_path, "none.txt", text.encode())
    done = fix(tmp_path, sites, "articles", "--write")
    assert done.returncode == 1
    assert done.stdout == b""
    assert path.read_text() == text and not path.with_name("none.txt.bak").exists()
    assert f"articles/none.txt:1: dead, no archive capture: {sites.web}/removed (dead: HTTP 410)".encode() in (
        done.stderr
    )
    assert b"0 fixes written, 0 rescued already, 1 dead without a capture, 0 could not be located" in done.stderr


def test_citations_that_cannot_be_located_are_not_guessed(tmp_path: Path, sites: Sites) -> None:
    # An anchor left open (another one starts before its </a>): where it ends cannot be told.
    w = sites.web
    text = f'<article><p>{BODY} <a href="{w}/gone">story <a href="{w}/ok">other</a>, {BODY}</p></article>\n'
    path = article(tmp_path, "open.html", text.encode())
    done = fix(tmp_path, sites, "articles", "--write")
    assert done.returncode == 1
    assert path.read_text() == text and not path.with_name("open.html.bak").exists()
    assert f"articles/open.html:1: not changed: could not locate: {w}/gone (not found on its line)".encode() in (
        done.stderr
    )
    assert b"0 fixes written, 0 rescued already, 0 dead without a capture, 1 could not be located" in done.stderr


def test_a_link_and_its_bare_url_on_one_line_get_one_copy(tmp_path: Path, sites: Sites) -> None:
    # Extraction counts one citation of the address on that line (the link): one copy, after the link.
    w, gone = sites.web, sites.copy("/gone")
    article(tmp_path, "twice.md", f"{BODY}\n\nSee {w}/gone and [this]({w}/gone) again, {BODY}\n".encode())
    done = fix(tmp_path, sites, "articles", "--write")
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "articles" / "twice.md").read_text() == (
        f"{BODY}\n\nSee {w}/gone and [this]({w}/gone) ([archived]({gone})) again, {BODY}\n"
    )


def test_offline_uses_the_cache_only(tmp_path: Path, sites: Sites) -> None:
    article(tmp_path, "a.txt", f"{BODY}\n\n(1) {sites.web}/gone\n".encode())
    online = fix(tmp_path, sites, "articles")
    before = sites.stand_in.stats.total
    offline = fix(tmp_path, sites, "articles", "--offline")
    assert offline.returncode == 1 and offline.stdout == online.stdout and online.stdout
    assert sites.stand_in.stats.total == before  # not one request to the archive
    article(tmp_path, "b.txt", f"{BODY}\n\n(1) {sites.web}/gone-2\n".encode())
    unknown = fix(tmp_path, sites, "articles/b.txt", "--offline")
    assert unknown.returncode == 0 and unknown.stdout == b""
    assert b"1 citation not checked" in unknown.stderr


# ----------------------------------------------------------------------------- writing safely


def test_write_backs_up_without_overwriting_and_leaves_no_temporary(tmp_path: Path, sites: Sites) -> None:
    before = f"(1) {sites.web}/gone\n"
    path = article(tmp_path, "a.txt", before.encode())
    path.with_name("a.txt.bak").write_text("an older backup")
    path.chmod(0o640)
    done = fix(tmp_path, sites, "articles", "--write")
    assert done.returncode == 0, done.stderr.decode()
    assert path.with_name("a.txt.bak").read_text() == "an older backup"
    assert path.with_name("a.txt.bak.1").read_text() == before
    assert b"backup: a.txt.bak.1" in done.stderr
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.txt", "a.txt.bak", "a.txt.bak.1"]


def test_a_symlinked_article_is_not_written_through(tmp_path: Path, sites: Sites) -> None:
    text = f"(1) {sites.web}/gone\n"
    real = article(tmp_path, "real.txt", text.encode())
    link = real.with_name("link.txt")
    link.symlink_to("real.txt")
    done = fix(tmp_path, sites, "articles/link.txt", "--write")
    assert done.returncode == 1
    assert link.is_symlink() and real.read_text() == text
    assert b"articles/link.txt: not changed: is a symbolic link" in done.stderr


def test_usage_errors_are_one_line(tmp_path: Path, sites: Sites) -> None:
    article(tmp_path, "a.txt", b"text\n")
    for args in (["articles", "--diff", "--write"], ["missing-folder"], ["articles", "--bogus"]):
        done = fix(tmp_path, sites, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.decode().count("\n") == 1 and done.stderr.startswith(b"refcheck fix: ")


def test_main_returns_the_exit_status(tmp_path: Path) -> None:
    code = "import sys; from refcheck.fix.cli import main; sys.exit(main(['--diff', '--write', 'x']) + 40)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=refcheck_env(), capture_output=True)
    assert done.returncode == 42


# ----------------------------------------------------------------------------- units


def test_archived_address() -> None:
    hosts = archive_hosts("http://127.0.0.1:9")
    assert archived_address("https://web.archive.org/web/20180829000000/https://x.com/a?b=1", hosts) == (
        "https://x.com/a?b=1"
    )
    assert archived_address("http://127.0.0.1:9/web/2018id_/http://x.com/a", hosts) == "http://x.com/a"
    assert archived_address("archive.today/2019.01.01-120000/https://x.com/a", hosts) == "https://x.com/a"
    assert archived_address("https://archive.ph/AbCd1", hosts) == SHORT_COPY
    assert archived_address("https://x.com/web/2018/https://y.com", hosts) is None
    assert archived_address("https://x.com/a", hosts) is None


def test_rescued_needs_a_copy_of_the_same_address() -> None:
    hosts = archive_hosts()
    line = "https://www.x.com/a/ [https://web.archive.org/web/2018/http://x.com/a]"
    assert is_rescued("https://www.x.com/a/", [Neighbourhood(line, False)], hosts)
    assert not is_rescued("https://x.com/b", [Neighbourhood(line, False)], hosts)
    two = "https://x.com/a https://x.com/b https://archive.ph/AbCd1"
    assert not is_rescued("https://x.com/a", [Neighbourhood(two, False)], hosts)
    escaped = '<a href="https://x.com/a?b=1&amp;c=2">s</a> <a href="https://web.archive.org/web/1/https://x.com/a?b=1&amp;c=2">'
    assert is_rescued("https://x.com/a?b=1&c=2", [Neighbourhood(escaped, True)], hosts)


def test_markdown_destinations_and_lines() -> None:
    assert markdown_destination("https://w/web/1/https://x.com/a_(b)") == "<https://w/web/1/https://x.com/a_(b)>"
    assert markdown_destination("https://x.com/<a>") == "https://x.com/%3Ca%3E"
    text = Article("a\r\nb\rc\nd", "text")
    assert [text.line(n) for n in range(1, 5)] == ["a", "b", "c", "d"]
    assert text.newline_after(1) == "\r\n" and text.newline_after(4) == "\r\n"
    assert text.line_of(text.span(3)[0]) == 3


def test_module_entry_point_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "refcheck.fix", "--help"], env=refcheck_env(), capture_output=True, text=True
    )
    assert done.returncode == 0 and "--write" in done.stdout and "--save-missing" in done.stdout
    assert os.path.exists(Path(__file__).parent.parent / "refcheck" / "fix" / "__main__.py")


def test_a_replaced_page_gets_the_capture_the_drift_verdict_read(tmp_path: Path) -> None:
    """Content drift: a live page that now shows something else is fixed like a dead one,
    with the capture near the citation date; a page merely changed is left alone."""
    from refcheck.collect import SourceFile
    from refcheck.extract import ExtractContext, OutletIndex, extract_source
    from refcheck.fix.edit import Article, apply_insertions
    from refcheck.fix.plan import plan_article
    from refcheck.models import Drift, DriftVerdict, LinkResult, LinkStatus, Verdict

    text = (
        "Title\n\nClaims (1) and (2).\n\n"
        "(1) Example News, 28 August 2018, https://news.example.org/2018/story\n\n"
        "(2) Other News, 28 August 2018, https://other.example.org/2018/edited\n"
    )
    path = tmp_path / "a.txt"
    path.write_text(text, "utf-8")
    document = extract_source(text, SourceFile(path, "a.txt", "text"), ExtractContext(OutletIndex.load([]), []))
    capture = "https://web.archive.org/web/20180829000000/https://news.example.org/2018/story"
    links = {
        "https://news.example.org/2018/story": LinkResult(
            "https://news.example.org/2018/story", "example.org", verdict=Verdict(LinkStatus.OK, http_status=200),
            drift=Drift(DriftVerdict.REPLACED, reason="now a home page", capture_url=capture),
        ),
        "https://other.example.org/2018/edited": LinkResult(
            "https://other.example.org/2018/edited", "example.org", verdict=Verdict(LinkStatus.OK, http_status=200),
            drift=Drift(DriftVerdict.CHANGED, capture_url=capture.replace("news", "other")),
        ),
    }  # fmt: skip
    plan = plan_article(Article(text, "text"), document, links, frozenset({"web.archive.org"}), "article")
    fixed = apply_insertions(text, plan.edits.insertions)
    assert f"https://news.example.org/2018/story [archived: {capture}]" in fixed
    assert "edited [archived" not in fixed  # changed, not replaced: nothing to fix
    assert [finding.outcome for finding in plan.findings] == ["fix"]


def test_fix_refuses_a_live_page_in_one_line(tmp_path: Path) -> None:
    """A live page has no file to change: one line (its credentials masked), exit 2."""
    from conftest import refcheck

    done = refcheck(tmp_path, "fix", "https://editor:s3cret@news.example/story")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "refcheck fix: https://***@news.example/story: fix mode changes article files; a live page cannot be"
        " fixed here (run refcheck on it to list its dead links)"
    ]
