"""The command line, run for real in a subprocess (``python -m refcheck``) in
tmp_path: exit codes, what goes to stdout and stderr, and the JSON output.
Every run is --offline; nothing here touches the network."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import exit_line, refcheck, totals_line

from refcheck import __version__

PAD = "This sentence pads the paragraph so that it is long enough to end the header of the article. " * 3
NOTE = "(1) Reuters, 3 March 2020: https://www.reuters.com/a"


def article(body: str) -> str:
    """A headline, one long paragraph (line 3), then the notes (the note on line 7)."""
    return f"A headline\n\n{body} {PAD}\n\nNotes\n\n{NOTE}\n"


CLEAN = article("As the BBC reported (1), the agency said more.")
MISSING = article("As the BBC reported (1), the agency said more (2).")


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("refcheck: ")
    return lines[0]


def make_corpus(tmp_path: Path, text: str = CLEAN, name: str = "a.txt") -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / name).write_text(text, encoding="utf-8")
    return corpus


# --- exit codes ----------------------------------------------------------------------------------


def test_clean_corpus_exits_0(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [report_folder] = [p.name for p in (tmp_path / "reports").iterdir() if p.is_dir() and p.name != "latest"]
    assert done.stdout.splitlines() == [
        "1 of 1 link not checked (offline 1): their fate is unknown, not healthy",
        "corpus/a.txt: 1 citation, 1 footnote, 1 outlet named (publisher unknown, date unknown)",
        "",
        f"reports written to reports/{report_folder}",
        "",
        "1 of 1 article read, 1 citation, 1 unique link (1 unknown), 0 footnote problems",
        "exit 0: 1 link not checked (offline) — nothing failed",
    ]
    assert "missing-footnote" not in done.stdout


def test_missing_footnote_exits_1_and_prints_the_problem(tmp_path: Path) -> None:
    make_corpus(tmp_path, MISSING)
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in done.stdout.splitlines()
    assert totals_line(done.stdout) == (
        "1 of 1 article read, 1 citation, 1 unique link (1 unknown), 1 footnote problem"
    )
    assert exit_line(done.stdout) == "exit 1: 1 footnote problem (--fail-on problems)"


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [("none", 0), ("footnote-errors", 1), ("dead", 0), ("dead,footnote-errors", 1)],
)
def test_fail_on(tmp_path: Path, fail_on: str, code: int) -> None:
    make_corpus(tmp_path, MISSING)
    done = refcheck(tmp_path, "corpus", "--offline", "--fail-on", fail_on)
    assert done.returncode == code, done.stderr
    assert "missing-footnote" in done.stdout  # still reported, whatever the exit code


def test_fail_on_from_settings_file(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, MISSING)
    (corpus / "refcheck.toml").write_text('fail-on = "none"\n', encoding="utf-8")
    assert refcheck(tmp_path, "corpus", "--offline").returncode == 0
    assert refcheck(tmp_path, "corpus", "--offline", "--fail-on", "problems").returncode == 1  # command line wins


def test_binary_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "b.txt").write_bytes(b"\x00\x01binary")
    (corpus / "c.epub").write_bytes(b"PK\x03\x04")
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "corpus/b.txt: skipped: binary file (NUL bytes)" in lines
    assert "corpus/c.epub: skipped: not an article (.epub)" in lines
    assert totals_line(done.stdout) == (
        "1 of 2 articles read, 1 citation, 1 unique link (1 unknown), 0 footnote problems, 2 files skipped"
    )


# --- user errors: exit 2, one line on stderr, no traceback ----------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    done = refcheck(tmp_path, "nope", "--offline")
    assert one_line_error(done) == "refcheck: nope: no such file or folder"
    assert done.stdout == ""


def test_folder_without_articles(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "a.epub").write_bytes(b"PK")
    line = one_line_error(refcheck(tmp_path, "empty", "--offline"))
    assert line.startswith("refcheck: no articles found in empty")


def test_unknown_option(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--bogus"))
    assert "--bogus" in line


def test_bad_option_value(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--concurrency", "x"))
    assert "--concurrency" in line


def test_out_of_range_option_value(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--concurrency", "0"))
    assert line == "refcheck: --concurrency must be at least 1"


def test_unknown_fail_on_condition(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--fail-on", "sometimes"))
    assert "unknown condition 'sometimes'" in line


def test_no_arguments(tmp_path: Path) -> None:
    done = refcheck(tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_malformed_settings_file_next_to_corpus(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "refcheck.toml").write_text("offline = \n[broken\n", encoding="utf-8")
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline"))
    assert line.startswith("refcheck: corpus/refcheck.toml: invalid TOML")


def test_unknown_key_in_settings_file(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "refcheck.toml").write_text("concurency = 4\n", encoding="utf-8")
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline"))
    assert line == "refcheck: corpus/refcheck.toml: unknown setting 'concurency'"


def test_missing_config_option_file(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--config", "nothere.toml"))
    assert line == "refcheck: nothere.toml: no such settings file"


def test_version(tmp_path: Path) -> None:
    done = refcheck(tmp_path, "--version")
    assert done.returncode == 0
    assert done.stdout == f"refcheck {__version__}\n"
    assert done.stderr == ""


def test_help(tmp_path: Path) -> None:
    done = refcheck(tmp_path, "--help")
    assert done.returncode == 0
    assert "--offline" in done.stdout and "--fail-on" in done.stdout


# --- JSON ----------------------------------------------------------------------------------------

DOCUMENT_KEYS = {"path", "format", "publisher", "date", "footnotes", "citations", "mentions", "problems"}
FOOTNOTE_KEYS = {"number", "line", "text", "date", "urls"}
CITATION_KEYS = {"text", "url", "domain", "kind", "footnote", "line"}
MENTION_KEYS = {"name", "domain", "line"}
PROBLEM_KEYS = {"kind", "footnote", "line", "message"}


def check_shape(result: dict[str, object]) -> None:
    # "corpus" (which input paths the run read) was added by the per-corpus history
    assert set(result) - {"corpus"} == {"schema", "generated_at", "documents", "links", "summary"}
    assert result["schema"] == 1
    assert isinstance(result["generated_at"], str)
    documents = result["documents"]
    assert isinstance(documents, list) and documents
    for document in documents:
        assert set(document) >= DOCUMENT_KEYS
        for note in document["footnotes"]:
            assert set(note) >= FOOTNOTE_KEYS
        for citation in document["citations"]:
            assert set(citation) >= CITATION_KEYS
        for mention in document["mentions"]:
            assert set(mention) >= MENTION_KEYS
        for problem in document["problems"]:
            assert set(problem) >= PROBLEM_KEYS
    links = result["links"]
    assert isinstance(links, list)
    for link in links:
        assert link["status"] == "unknown"  # offline: not in the cache, not checked
        assert link["cited_by"]
        for cited in link["cited_by"]:
            assert {"path", "line"} <= set(cited)
            assert isinstance(cited["path"], str) and isinstance(cited["line"], int)


def test_json_to_stdout(tmp_path: Path) -> None:
    make_corpus(tmp_path, MISSING)
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "-")
    assert done.returncode == 1
    result = json.loads(done.stdout)  # stdout holds the JSON and nothing else
    check_shape(result)
    [document] = result["documents"]
    assert document["path"] == "corpus/a.txt"
    assert document["format"] == "text"
    assert document["publisher"] is None
    assert document["date"] is None
    assert document["footnotes"] == [
        {
            "number": 1,
            "line": 7,
            "text": "Reuters, 3 March 2020: https://www.reuters.com/a",
            "date": "2020-03-03",
            "urls": ["https://www.reuters.com/a"],
        }
    ]
    [citation] = document["citations"]
    assert {key: citation[key] for key in CITATION_KEYS} == {
        "text": "https://www.reuters.com/a",
        "url": "https://www.reuters.com/a",
        "domain": "reuters.com",
        "kind": "footnote",
        "footnote": 1,
        "line": 7,
    }
    [mention] = document["mentions"]
    assert {key: mention[key] for key in MENTION_KEYS} == {"name": "BBC", "domain": "bbc.co.uk", "line": 3}
    assert [{key: p[key] for key in PROBLEM_KEYS} for p in document["problems"]] == [
        {"kind": "missing-footnote", "footnote": 2, "line": 3, "message": "marker 2 has no footnote"}
    ]
    assert result["links"] == [
        {
            "url": "https://www.reuters.com/a",
            "domain": "reuters.com",
            # title added: the title this citation gives the page (content drift compares it)
            # unit added (issue 16): what "line" counts in the citing document (pages of a PDF…)
            "cited_by": [
                {"path": "corpus/a.txt", "line": 7, "footnote": 1, "date": "2020-03-03", "title": None, "unit": "line"}
            ],
            "status": "unknown",
            "alive": None,
            "http_status": None,
            "final_url": None,
            "redirects": [],
            "error": "offline run: not checked",
            "checked_at": None,
            "elapsed_ms": None,
            "from_cache": False,
            "history": [],
            "failures": 0,
            # offline: the archive is not asked either, and the cache has nothing
            "archive": {"available": None, "url": None, "timestamp": None, "source": None},
            "final_domain": None,  # added: where redirects ended, when another site
            "drift": None,  # added: content drift, when --drift looked at it
        }
    ]
    summary = result["summary"]
    assert summary["documents"] == 1 and summary["documents_read"] == 1
    assert summary["problems"] == {"missing-footnote": 1}
    assert summary["statuses"] == {"unknown": 1}
    [report_folder] = [p.name for p in (tmp_path / "reports").iterdir() if p.is_dir() and p.name != "latest"]
    # the offline run is said by the coverage record (and at the top of every report), not by a note
    assert summary["notes"] == [f"reports written to reports/{report_folder}"]
    assert summary["coverage"]["not_checked"] == 1 and summary["coverage"]["offline"] is True
    # the human summary moved to stderr
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in done.stderr.splitlines()
    assert totals_line(done.stderr) == (
        "1 of 1 article read, 1 citation, 1 unique link (1 unknown), 1 footnote problem"
    )


def test_json_links_are_shared_across_documents(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    make_corpus(tmp_path, article("Another text (1) on the same story."), name="b.txt")
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "-")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    check_shape(result)
    assert [document["path"] for document in result["documents"]] == ["corpus/a.txt", "corpus/b.txt"]
    [link] = result["links"]  # one entry per unique URL
    assert link["url"] == "https://www.reuters.com/a"
    assert [(c["path"], c["line"], c["footnote"]) for c in link["cited_by"]] == [
        ("corpus/a.txt", 7, 1),
        ("corpus/b.txt", 7, 1),
    ]
    assert result["summary"]["unique_links"] == 1
    assert result["summary"]["citations"] == 2


def test_json_to_file(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "out.json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    check_shape(written)
    assert [document["path"] for document in written["documents"]] == ["corpus/a.txt"]
    assert totals_line(done.stdout) == (
        "1 of 1 article read, 1 citation, 1 unique link (1 unknown), 0 footnote problems"
    )


def test_json_to_unwritable_place_keeps_the_results(tmp_path: Path) -> None:
    make_corpus(tmp_path, MISSING)
    target = tmp_path / "no-such-dir" / "x.json"
    done = refcheck(tmp_path, "corpus", "--offline", "--json", str(target))
    line = one_line_error(done)
    assert line.startswith(f"refcheck: {target}: cannot write JSON")
    # the human summary still reached the terminal
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in done.stdout.splitlines()
    assert totals_line(done.stdout) == (
        "1 of 1 article read, 1 citation, 1 unique link (1 unknown), 1 footnote problem"
    )
    assert exit_line(done.stdout) == f"exit 2: {target}: cannot write JSON"  # the run fails, and says why
    assert done.stdout.count("1 of 1 article read") == 1  # printed once, not twice
    assert not target.parent.exists()


def test_short_article_notes_are_not_its_byline(tmp_path: Path) -> None:
    make_corpus(tmp_path, f"A headline\n\nAs the BBC reported (1), the agency said more.\n\nNotes\n\n{NOTE}\n")
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "-")
    [document] = json.loads(done.stdout)["documents"]
    assert document["publisher"] is None
    assert document["date"] is None


# --- help, flags and one consumer of stdout ---------------------------------------------------------


def test_short_help_is_help(tmp_path: Path) -> None:
    done = refcheck(tmp_path, "-h")
    assert done.returncode == 0, done.stderr
    assert done.stdout == refcheck(tmp_path, "--help").stdout
    assert "--exclude REGEX" in done.stdout and "--format FMT" in done.stdout and "-v, --verbose" in done.stdout


def test_flags_take_no_value_and_show_none_in_help(tmp_path: Path) -> None:
    help_text = refcheck(tmp_path, "--help").stdout
    assert "<bool>" not in help_text
    assert "--offline / --no-offline" in help_text
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "true"))
    assert line.startswith("refcheck: true: no such file or folder (flags such as --offline take no value")


def test_no_form_switches_off_a_settings_file_flag(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "refcheck.toml").write_text("offline = true\n", encoding="utf-8")
    done = refcheck(tmp_path, "corpus", "--no-offline", "--no-report", "--json", "-", "--cache-dir", "cache",
                    "--wayback-url", "http://wayback.invalid", "--cdx-url", "http://wayback.invalid",
                    "--no-archive", "--retries", "0")  # fmt: skip
    coverage = json.loads(done.stdout)["summary"]["coverage"]
    assert coverage["offline"] is False  # the run went to the network (which answers nothing here)


def test_timeout_help_and_readme_agree(tmp_path: Path) -> None:
    help_text = " ".join(refcheck(tmp_path, "--help").stdout.split())
    assert "Seconds each step of a request may take: connecting, each read (default 20)." in help_text
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "| `--timeout S` | seconds each step of a request may take: connecting, each read |" in readme


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--json", "-", "--graph", "dot"], "--json - and --graph dot (without --graph-out) both write to stdout"),
        (["--json", "-", "--format", "junit"], "--json - and --format junit both write to stdout"),
        (["--graph", "json", "--format", "github"], "--graph json (without --graph-out) and --format github both"),
        (
            ["--json", "-", "--graph", "json", "--format", "junit"],
            "--json -, --graph json (without --graph-out) and --format junit all write to stdout",
        ),
    ],
)
def test_one_consumer_of_stdout_at_a_time(tmp_path: Path, args: list[str], named: str) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", *args))
    assert line.startswith(f"refcheck: {named}")
    assert not (tmp_path / "reports").exists()  # refused before anything ran


def test_graph_to_a_file_leaves_stdout_to_json(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "-", "--graph", "dot", "--graph-out", "g.dot")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").strip()


def test_unknown_format(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--format", "xml"))
    assert line == "refcheck: --format: unknown format 'xml' (choose from text, junit, github)"


def test_quiet_and_verbose_together(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    assert one_line_error(refcheck(tmp_path, "corpus", "-q", "-v")) == "refcheck: --quiet and --verbose: choose one"


def test_named_file_of_an_unsupported_format(tmp_path: Path) -> None:
    # Issue 16 reads PDF and Word documents: an e-book is still not an article format.
    (tmp_path / "book.epub").write_bytes(b"PK\x03\x04")
    line = one_line_error(refcheck(tmp_path, "book.epub", "--offline"))
    assert line == "refcheck: book.epub: not a supported article format (.txt, .md, .html, .docx, .odt, .pdf)"


def test_settings_file_is_not_a_skipped_article(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "refcheck.toml").write_text('fail-on = "none"\n', encoding="utf-8")
    (corpus / "pyproject.toml").write_text("[tool.other]\nx = 1\n", encoding="utf-8")
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "-")
    skipped = [item["path"] for item in json.loads(done.stdout)["summary"]["skipped_files"]]
    assert skipped == ["corpus/pyproject.toml"]  # a pyproject.toml that is not refcheck's is still listed
    assert "refcheck.toml" not in done.stderr


def test_pyproject_settings_file_in_use_is_not_listed(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "pyproject.toml").write_text('[tool.refcheck]\nfail-on = "none"\n', encoding="utf-8")
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 0, done.stdout
    assert "pyproject.toml" not in done.stdout


def test_plurals(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report")
    assert "corpus/a.txt: 1 citation, 1 footnote, 1 outlet named" in done.stdout
    assert "1 citations" not in done.stdout and "1 links" not in done.stdout and "1 outlets" not in done.stdout


# --- the exit line: why the exit status is what it is ----------------------------------------------

WARNING_ONLY = f"A headline\n\nAs the BBC reported (1), the agency said more. {PAD}\n\nNotes\n\n{{}}\n"


def dead_corpus(tmp_path: Path, web: str, urls: list[str], name: str = "a.txt") -> None:
    notes = "\n\n".join(f"({n}) Reuters, 3 March 2020: {web}{url}" for n, url in enumerate(urls, 1))
    markers = " ".join(f"Claim ({n})." for n in range(1, len(urls) + 1))
    make_corpus(tmp_path, f"A headline\n\n{markers} {PAD}\n\nNotes\n\n{notes}\n", name)


LIVE = ["--allow-private", "--no-archive", "--host-interval", "0", "--retries", "0"]


def test_exit_lines_for_each_fail_on(tmp_path: Path) -> None:
    from localweb import serve

    with serve() as (web, _):
        dead_corpus(tmp_path, web, ["/ok", "/gone"])
        first = refcheck(tmp_path, "corpus", *LIVE, "--fail-on", "new-dead")
        again = refcheck(tmp_path, "corpus", *LIVE, "--fail-on", "new-dead")
        default = refcheck(tmp_path, "corpus", *LIVE)
        none = refcheck(tmp_path, "corpus", *LIVE, "--fail-on", "none")
        both = refcheck(tmp_path, "corpus", *LIVE, "--fail-on", "dead,problems", "--refresh")
    assert (first.returncode, exit_line(first.stdout)) == (1, "exit 1: 1 newly dead link (--fail-on new-dead)")
    assert (again.returncode, exit_line(again.stdout)) == (0, "exit 0: 1 dead link (not failing: --fail-on new-dead)")
    assert (default.returncode, exit_line(default.stdout)) == (1, "exit 1: 1 dead link (--fail-on dead)")
    assert (none.returncode, exit_line(none.stdout)) == (0, "exit 0: 1 dead link (not failing: --fail-on none)")
    assert exit_line(both.stdout) == "exit 1: 1 dead link (--fail-on dead)"


def test_exit_line_for_footnote_errors_and_warnings(tmp_path: Path) -> None:
    make_corpus(tmp_path, MISSING)
    errors = refcheck(tmp_path, "corpus", "--offline", "--fail-on", "footnote-errors")
    assert exit_line(errors.stdout) == "exit 1: 1 footnote error (--fail-on footnote-errors)"
    unreferenced = article("As the BBC reported, the agency said more.")  # note 1 is never referenced
    make_corpus(tmp_path, unreferenced)
    from localweb import serve

    with serve() as (web, _):
        make_corpus(tmp_path, unreferenced.replace("https://www.reuters.com/a", f"{web}/ok"))
        warned = refcheck(tmp_path, "corpus", *LIVE, "--fail-on", "new-dead")
    assert warned.returncode == 0, warned.stdout
    assert exit_line(warned.stdout) == "exit 0: no dead links, 1 footnote warning (not failing: --fail-on new-dead)"


def test_exit_line_when_nothing_was_checked(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    done = refcheck(tmp_path, "corpus", "--offline")
    assert exit_line(done.stdout) == "exit 0: 1 link not checked (offline) — nothing failed"


# --- the dead links in the terminal, and the levels -------------------------------------------------


def test_terminal_names_each_dead_link_with_its_place_and_reason(tmp_path: Path) -> None:
    from localweb import serve

    with serve() as (web, _):
        dead_corpus(tmp_path, web, ["/ok", "/gone", "/soft"])
        done = refcheck(tmp_path, "corpus", *LIVE)
    lines = done.stdout.splitlines()
    start = lines.index("dead links: 2 (1 dead, 1 soft-404), 2 newly dead, cited 2 times in 1 article:")
    assert lines[start + 1] == "  corpus/a.txt"
    gone, soft = lines[start + 2], lines[start + 3]
    assert gone.startswith(f"    line 9, note 2: {web}/gone — dead: HTTP 404")
    assert gone.endswith("(newly dead)")
    assert soft.startswith(f"    line 11, note 3: {web}/soft — soft-404: ")
    assert exit_line(done.stdout) == "exit 1: 2 dead links (--fail-on dead)"


def test_dead_list_is_cut_and_says_where_the_rest_is(tmp_path: Path) -> None:
    from localweb import serve

    with serve() as (web, _):
        dead_corpus(tmp_path, web, [f"/missing-{n}" for n in range(25)])
        done = refcheck(tmp_path, "corpus", *LIVE)
        unreported = refcheck(tmp_path, "corpus", *LIVE, "--no-report")
        verbose = refcheck(tmp_path, "corpus", *LIVE, "--no-report", "-v")
    [folder] = [p.name for p in (tmp_path / "reports").iterdir() if p.is_dir() and p.name != "latest"]
    entries = [line for line in done.stdout.splitlines() if line.startswith("    line ")]
    assert len(entries) == 20
    assert f"  … and 5 more in reports/{folder}/report.md" in done.stdout.splitlines()
    assert "  … and 5 more (-v lists them all)" in unreported.stdout.splitlines()
    assert len([line for line in verbose.stdout.splitlines() if line.startswith("    line ")]) == 25
    assert "… and" not in verbose.stdout


def test_archive_copy_is_shown_with_its_day(tmp_path: Path) -> None:
    from localweb import serve, serve_archive

    with serve() as (web, _), serve_archive() as (archive_base, archive):
        archive.captures[f"{web}/gone"] = ["20200307120000"]
        dead_corpus(tmp_path, web, ["/gone"])
        done = refcheck(tmp_path, "corpus", "--allow-private", "--host-interval", "0", "--archive-interval", "0",
                        "--wayback-url", archive_base, "--cdx-url", archive_base, "--no-report")  # fmt: skip
    lines = done.stdout.splitlines()
    [entry] = [index for index, line in enumerate(lines) if line.startswith("    line 7, note 1: ")]
    assert lines[entry + 1].startswith("      archive copy of 2020-03-07 (4 days after it was cited): ")
    assert "20200307120000" in lines[entry + 1]


def test_levels(tmp_path: Path) -> None:
    from localweb import serve

    text = article("As the BBC reported (1), the agency said more (2).").replace(
        "(1) Reuters, 3 March 2020: https://www.reuters.com/a",
        "(1) Reuters, 3 March 2020: {web}/gone; Some Book, 2001",
    )
    with serve() as (web, _):
        make_corpus(tmp_path, text.replace("{web}", web))
        quiet = refcheck(tmp_path, "corpus", *LIVE, "--no-report", "-q")
        default = refcheck(tmp_path, "corpus", *LIVE, "--no-report")
        verbose = refcheck(tmp_path, "corpus", *LIVE, "--no-report", "-v")
    for done in (quiet, default, verbose):
        assert f"{web}/gone — dead: HTTP 404" in done.stdout  # the dead list at every level
        assert exit_line(done.stdout).startswith("exit 1: ")
    assert "corpus/a.txt: 1 citation" not in quiet.stdout  # no per-article lines
    assert "footnote problems: 1 error (missing-footnote 1)" in quiet.stdout
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in quiet.stdout
    assert "unlinked-work" not in quiet.stdout and "unlinked-work" not in default.stdout  # info: -v only
    assert "corpus/a.txt: 1 citation" in default.stdout
    assert "info: unlinked-work" in verbose.stdout
    assert totals_line(default.stdout).endswith("1 footnote problem (and 1 work cited without a link)")


def test_a_refused_address_never_shows_its_password(tmp_path: Path) -> None:
    """A live page or sitemap address refused at start-up is named with its credentials masked."""
    page = refcheck(tmp_path, "https://u:Pw9secret@exa mple.org/")
    sitemap = refcheck(tmp_path, "--sitemap", "ftp://u:Pw9secret@x.org/s.xml")
    assert page.returncode == sitemap.returncode == 2
    assert page.stderr.strip() == "refcheck: https://***@exa mple.org/: an address has no spaces or control characters"
    assert sitemap.stderr.strip() == "refcheck: --sitemap 'ftp://***@x.org/s.xml': not an http(s) address"
