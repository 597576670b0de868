"""Report folders, nightly changes, --fail-on new-dead, Markdown safety and the graph."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SHARED_CORPUS, refcheck, totals_line
from localweb import FLIPS, serve


def corpus_citing(tmp_path: Path, urls: list[str], name: str = "a.txt") -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    body = " ".join(f"Claim ({n})." for n in range(1, len(urls) + 1))
    notes = "\n\n".join(f"({n}) Source, 28 August 2018, {url}" for n, url in enumerate(urls, 1))
    (corpus / name).write_text(f"Title\n\n{body}\n\n{notes}\n", encoding="utf-8")


def runs(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "reports").iterdir() if p.is_dir() and not p.is_symlink())


def test_nightly_changes_and_fail_on_new_dead(tmp_path: Path) -> None:
    with serve() as (web, _):
        FLIPS.update({"a": 200, "b": 404})
        corpus_citing(tmp_path, [f"{web}/flip/a", f"{web}/flip/b"])
        args = [
            "corpus",
            "--allow-private",
            "--no-archive",
            "--host-interval",
            "0",
            "--refresh",
            "--fail-on",
            "new-dead",
        ]

        first = refcheck(tmp_path, *args)
        assert first.returncode == 1, first.stderr  # first run: every dead link is new
        FLIPS.update({"a": 404, "b": 200})
        second = refcheck(tmp_path, *args)
        assert second.returncode == 1  # /flip/a died
        third = refcheck(tmp_path, *args)
        assert third.returncode == 0, third.stdout  # nothing newly dead
        assert refcheck(tmp_path, *args[:-1], "dead").returncode == 1  # but still dead

    folders = runs(tmp_path)
    assert len(folders) == 4  # one folder per run, none overwritten
    assert (tmp_path / "reports" / "latest").resolve() == folders[-1].resolve()
    second_changes = json.loads((folders[1] / "report.json").read_text("utf-8"))["changes"]
    assert second_changes["previous"] == folders[0].name
    assert second_changes["newly_dead"] == [f"{web}/flip/a"]
    assert second_changes["recovered"] == [f"{web}/flip/b"]
    assert second_changes["still_dead"] == []  # a newly dead link is not also "still dead"
    first_changes = json.loads((folders[0] / "report.json").read_text("utf-8"))["changes"]
    assert first_changes["newly_dead"] == [f"{web}/flip/b"] and first_changes["still_dead"] == []
    third_changes = json.loads((folders[2] / "report.json").read_text("utf-8"))["changes"]
    assert third_changes["newly_dead"] == []
    [still] = third_changes["still_dead"]
    assert still["url"] == f"{web}/flip/a" and still["runs"] == 2
    history = [json.loads(line) for line in (tmp_path / "reports" / "history.jsonl").read_text("utf-8").splitlines()]
    assert [row["run"] for row in history] == [folder.name for folder in folders]
    assert history[0]["statuses"] == {"dead": 1, "ok": 1}
    assert "since " + folders[1].name in third.stdout


def test_report_files_and_no_report(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://www.reuters.com/a"])
    refcheck(tmp_path, "corpus", "--offline")
    [folder] = runs(tmp_path)
    assert {p.name for p in folder.iterdir()} == {
        "report.json",
        "report.md",
        "report.html",
        "graph.json",
        "graph.graphml",
        "graph.dot",
    }
    ET.fromstring((folder / "graph.graphml").read_text("utf-8"))  # well-formed XML
    assert (folder / "graph.dot").read_text("utf-8").startswith("digraph citations {")
    report = json.loads((folder / "report.json").read_text("utf-8"))
    assert report["schema"] == 1 and "changes" in report and "graph" in report
    refcheck(tmp_path, "corpus", "--offline", "--no-report")
    assert len(runs(tmp_path)) == 1


def test_markdown_report_is_inert(tmp_path: Path) -> None:
    hostile = 'https://x.test/"><script>alert(1)</script>'
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "evil.md").write_text(
        f"---\ntitle: <img src=x onerror=alert(1)>\npublisher: '<b>Evil</b> | pipe'\n---\n"
        f"Text[^1] and [click](javascript:alert(1)).\n\n[^1]: See {hostile} and <script>alert(2)</script>\n",
        encoding="utf-8",
    )
    refcheck(tmp_path, "corpus", "--offline")
    [folder] = runs(tmp_path)
    text = (folder / "report.md").read_text("utf-8")
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    for line in text.splitlines():
        if line.startswith("| ") and "x.test" in line:
            assert line.count(" | ") == 5  # no extra table cells smuggled in


def test_graph_option_prints_the_graph(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://www.reuters.com/a", "https://www.bbc.co.uk/b"])
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--graph", "json")
    graph = json.loads(done.stdout)
    assert {node["id"] for node in graph["nodes"] if node["kind"] == "source"} == {"reuters.com", "bbc.co.uk"}
    assert "1 of 1 article read" in done.stderr  # the summary moved out of the way
    mermaid = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--graph", "mermaid", "--graph-out", "g.mmd")
    assert mermaid.returncode == 0
    assert (tmp_path / "g.mmd").read_text("utf-8").startswith("flowchart LR")
    bad = refcheck(tmp_path, "corpus", "--offline", "--graph", "png")
    assert bad.returncode == 2 and bad.stderr.startswith("refcheck: --graph: unknown format")


@pytest.mark.skipif(not (SHARED_CORPUS / "expected.json").is_file(), reason="../shared/corpus is not here")
def test_seed_corpus_chain_of_sources(tmp_path: Path) -> None:
    """The article citing Syriana Analysis reaches the Syriana Analysis article,
    which rests on Al-Akhbar."""
    done = refcheck(tmp_path, str(SHARED_CORPUS), "--offline", "--no-report", "--graph", "json")
    graph = json.loads(done.stdout)
    edges = {(e["source"].rsplit("/", 1)[-1], e["target"].rsplit("/", 1)[-1], e["kind"]) for e in graph["edges"]}
    assert ("003_d77863566ad15677.txt", "004_13d5b0a7579bcb0e.txt", "article-cites-article") in edges
    assert ("004_13d5b0a7579bcb0e.txt", "al-akhbar.com", "republished-from") in edges
    assert graph["self_citations"] >= 1  # thecommunists.net citing itself
    assert graph["most_cited"][0]["id"] == "reuters.com"


def test_shortened_links_count_under_their_target() -> None:
    from refcheck.models import Citation, Document, LinkResult, LinkStatus, Verdict
    from refcheck.report.graph import build_graph

    short = "https://ift.tt/2okojva"
    document = Document("a.txt", "text", citations=[Citation(short, short, "ift.tt", "inline", None, 3)])
    verdict = Verdict(LinkStatus.OK, final_url="https://www.zerohedge.com/geopolitical/story")
    # final_domain: as the pipeline fills it from final_url after the check.
    resolved = LinkResult(short, "ift.tt", verdict=verdict, final_domain="zerohedge.com")
    graph = build_graph([document], {short: resolved})
    assert "zerohedge.com" in graph.nodes and "ift.tt" not in graph.nodes
    unresolved = build_graph([document], {short: LinkResult(short, "ift.tt")})
    assert "ift.tt" in unresolved.nodes


def test_terminal_summary_and_quiet(tmp_path: Path) -> None:
    with serve() as (web, _):
        corpus_citing(tmp_path, [f"{web}/ok", f"{web}/gone"])
        args = ["corpus", "--allow-private", "--no-archive", "--host-interval", "0", "--no-report"]
        loud = refcheck(tmp_path, *args)
        quiet = refcheck(tmp_path, *args, "--quiet")
    assert "corpus/a.txt: 2 citations" in loud.stdout
    assert "most dead links: corpus/a.txt (1)" in loud.stdout
    assert "link rot by outlet: (no domain) 1/2 (50%)" in loud.stdout
    assert "corpus/a.txt: 2 citations" not in quiet.stdout
    assert "most dead links" not in quiet.stdout
    assert (
        totals_line(quiet.stdout)
        == "1 of 1 article read, 2 citations, 2 unique links (1 dead, 1 ok), 0 footnote problems"
    )
    assert quiet.stderr == ""  # no progress bar when stderr is not a terminal


def test_run_folders_never_collide_and_history_survives_damage(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from refcheck.report.files import new_run_folder, previous_run, read_history

    now = datetime(2026, 11, 21, 3, 0, 0, tzinfo=UTC)
    first, second, third = (new_run_folder(tmp_path, now) for _ in range(3))
    assert [first.name, second.name, third.name] == ["2026-11-21T030000", "2026-11-21T030000-2", "2026-11-21T030000-3"]
    assert previous_run(tmp_path) == third
    (tmp_path / "history.jsonl").write_text('{"run": "a", "statuses": {}}\n{broken\n\n{"run": "b", "statuses": {}}\n')
    assert [row["run"] for row in read_history(tmp_path)] == ["a", "b"]
