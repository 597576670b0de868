"""The command line, run for real in a subprocess (``python -m refcheck``) in
tmp_path: exit codes, what goes to stdout and stderr, and the JSON output.
Every run is --offline; nothing here touches the network."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import refcheck

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
        "corpus/a.txt: 1 citations, 1 footnotes, 1 outlets named (publisher unknown, date unknown)",
        "",
        "offline run: 1 links not in the cache are 'unknown'",
        f"reports written to reports/{report_folder}",
        "",
        "1 of 1 articles read, 1 citations, 1 unique links (1 unknown), 0 footnote problems",
    ]
    assert "missing-footnote" not in done.stdout


def test_missing_footnote_exits_1_and_prints_the_problem(tmp_path: Path) -> None:
    make_corpus(tmp_path, MISSING)
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == (
        "1 of 1 articles read, 1 citations, 1 unique links (1 unknown), 1 footnote problems"
    )


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
    (corpus / "c.pdf").write_bytes(b"%PDF-1.4")
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "corpus/b.txt: skipped: binary file (NUL bytes)" in lines
    assert "corpus/c.pdf: skipped: not an article (.pdf)" in lines
    assert lines[-1] == (
        "1 of 2 articles read, 1 citations, 1 unique links (1 unknown), 0 footnote problems, 2 files skipped"
    )


# --- user errors: exit 2, one line on stderr, no traceback ----------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    done = refcheck(tmp_path, "nope", "--offline")
    assert one_line_error(done) == "refcheck: nope: no such file or folder"
    assert done.stdout == ""


def test_folder_without_articles(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "a.pdf").write_bytes(b"%PDF")
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
    assert line == "refcheck: setting 'concurrency' must be at least 1"


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
    assert set(result) == {"schema", "generated_at", "documents", "links", "summary"}
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
            "cited_by": [{"path": "corpus/a.txt", "line": 7, "footnote": 1, "date": "2020-03-03"}],
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
        }
    ]
    summary = result["summary"]
    assert summary["documents"] == 1 and summary["documents_read"] == 1
    assert summary["problems"] == {"missing-footnote": 1}
    assert summary["statuses"] == {"unknown": 1}
    [report_folder] = [p.name for p in (tmp_path / "reports").iterdir() if p.is_dir() and p.name != "latest"]
    assert summary["notes"] == [
        "offline run: 1 links not in the cache are 'unknown'",
        f"reports written to reports/{report_folder}",
    ]
    # the human summary moved to stderr
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in done.stderr.splitlines()
    assert done.stderr.splitlines()[-1] == (
        "1 of 1 articles read, 1 citations, 1 unique links (1 unknown), 1 footnote problems"
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
    assert done.stdout.splitlines()[-1] == (
        "1 of 1 articles read, 1 citations, 1 unique links (1 unknown), 0 footnote problems"
    )


def test_json_to_unwritable_place_keeps_the_results(tmp_path: Path) -> None:
    make_corpus(tmp_path, MISSING)
    target = tmp_path / "no-such-dir" / "x.json"
    done = refcheck(tmp_path, "corpus", "--offline", "--json", str(target))
    line = one_line_error(done)
    assert line.startswith(f"refcheck: {target}: cannot write JSON")
    # the human summary still reached the terminal
    assert "  corpus/a.txt:3: error: missing-footnote: marker 2 has no footnote" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == (
        "1 of 1 articles read, 1 citations, 1 unique links (1 unknown), 1 footnote problems"
    )
    assert done.stdout.count("1 of 1 articles read") == 1  # printed once, not twice
    assert not target.parent.exists()


def test_short_article_notes_are_not_its_byline(tmp_path: Path) -> None:
    make_corpus(tmp_path, f"A headline\n\nAs the BBC reported (1), the agency said more.\n\nNotes\n\n{NOTE}\n")
    done = refcheck(tmp_path, "corpus", "--offline", "--json", "-")
    [document] = json.loads(done.stdout)["documents"]
    assert document["publisher"] is None
    assert document["date"] is None
