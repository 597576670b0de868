"""Start-up cost (issue 12): what a command imports, checked in fresh interpreters.

These tests assert behaviour -- which modules end up in ``sys.modules`` -- never timing."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import refcheck.report
from refcheck import __version__

REPORT_MODULES = sorted(f"refcheck.report.{info.name}" for info in pkgutil.iter_modules(refcheck.report.__path__))

# The network stack and the run's machinery: no report module may pull them in.
NOT_FROM_REPORTS = (
    "aiohttp",
    "httpx",
    "tenacity",
    "refcheck.pipeline",
    "refcheck.resolve.transport",
    "refcheck.extract.urls",
)


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REFCHECK_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def imported_after(code: str) -> list[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_the_report_modules_are_found() -> None:
    assert "refcheck.report.graph" in REPORT_MODULES and "refcheck.report.files" in REPORT_MODULES


@pytest.mark.parametrize("module", REPORT_MODULES)
def test_a_report_module_imports_no_network_stack_nor_pipeline(module: str) -> None:
    loaded = set(imported_after(f"import {module}"))
    assert module in loaded
    assert sorted(loaded.intersection(NOT_FROM_REPORTS)) == []
    # report/ reads the records only: nothing from the pipeline, extraction or the resolver
    assert [name for name in loaded if name.startswith(("refcheck.extract", "refcheck.resolve"))] == []


def test_the_progress_bar_imports_rich_only_when_drawn() -> None:
    loaded = imported_after(
        "import io\nfrom refcheck.report.progress import RunProgress\n"
        "with RunProgress(False, io.StringIO()) as progress:\n    progress.stage('x', 1)\n    progress.file('a')"
    )
    assert [name for name in loaded if name == "rich" or name.startswith("rich.")] == []


# Exactly what ``refcheck --version`` may load of refcheck: the entry module and the two
# small modules it names at the top. No typer, no settings, no pipeline, no reports.
VERSION_MODULES = {"refcheck", "refcheck.__main__", "refcheck.cli", "refcheck.defaults", "refcheck.errors"}


def _modules_of_a_command(*args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the console entry point in a fresh interpreter; the modules it loaded
    are dumped by an exit hook (``entry()`` ends with ``sys.exit``)."""
    boot = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
        "sys.argv[0] = 'refcheck'\n"
        "from refcheck.cli import entry\n"
        "entry()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", boot, *args], capture_output=True, text=True, env=_env(), timeout=60, check=False
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    assert marker, done.stderr
    return done, list(json.loads(marker[-1].removeprefix("MODULES ")))


def test_version_imports_only_a_few_refcheck_modules() -> None:
    done, loaded = _modules_of_a_command("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"refcheck {__version__}\n"
    ours = {name for name in loaded if name == "refcheck" or name.startswith("refcheck.")}
    assert ours <= VERSION_MODULES, sorted(ours - VERSION_MODULES)
    heavy = ("typer", "click", "rich", "aiohttp", "httpx", "tenacity", "tldextract", "lxml", "markdown_it", "diskcache")
    assert [name for name in loaded if name.split(".")[0] in heavy] == []


def test_python_m_refcheck_version(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "refcheck", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"refcheck {__version__}\n", "")


def test_version_among_other_arguments_goes_through_typer() -> None:
    done, _loaded = _modules_of_a_command("corpus", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"refcheck {__version__}\n"


def test_help_loads_neither_the_pipeline_nor_rich() -> None:
    done, loaded = _modules_of_a_command("--help")
    assert done.returncode == 0, done.stderr
    assert "--offline" in done.stdout
    banned = (
        "refcheck.pipeline",
        "refcheck.extract",
        "refcheck.resolve",
        "refcheck.report",
        "rich",
        "aiohttp",
        "httpx",
    )
    assert [name for name in loaded if name.startswith(banned)] == []


def test_a_usage_error_loads_no_pipeline(tmp_path: Path) -> None:
    done, loaded = _modules_of_a_command(str(tmp_path), "--graph", "nonsense")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith("refcheck: --graph: unknown format")
    assert [name for name in loaded if name.startswith(("refcheck.pipeline", "refcheck.extract", "aiohttp"))] == []


def test_an_offline_run_imports_no_network_stack(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "# A headline\n\nAs [Reuters reported](https://www.reuters.com/a) and "
        "[the BBC](https://www.bbc.co.uk/news/b) said.\n",
        encoding="utf-8",
    )
    cache = str(tmp_path / "cache")
    for _ in range(2):  # the second run is the warm re-run
        done, loaded = _modules_of_a_command(
            str(corpus), "--offline", "--no-report", "--cache-dir", cache, "--json", str(tmp_path / "out.json")
        )
        assert done.returncode in (0, 1), done.stderr
        assert [name for name in loaded if name.split(".")[0] in ("aiohttp", "httpx", "tenacity", "rich")] == []
        assert "refcheck.resolve.transport" not in loaded


def test_the_graph_takes_a_shortened_links_destination_from_the_records() -> None:
    """A followed short link counts under its destination's site; when the corpus cites
    that site, its domain comes from the records and no public-suffix code is loaded."""
    code = (
        "from refcheck.models import Citation, Document, LinkResult, LinkStatus, Verdict\n"
        "from refcheck.report.graph import build_graph\n"
        "short, cited = 'https://ift.tt/2okojva', 'https://www.zerohedge.com/a'\n"
        "document = Document('a.txt', 'text', citations=[Citation(short, short, 'ift.tt', 'inline', None, 3),"
        " Citation(cited, cited, 'zerohedge.com', 'inline', None, 4)])\n"
        "verdict = Verdict(status=LinkStatus.OK, final_url='https://news.zerohedge.com/geopolitical/story')\n"
        "links = {short: LinkResult(short, 'ift.tt', verdict=verdict), cited: LinkResult(cited, 'zerohedge.com')}\n"
        "graph = build_graph([document], links)\n"
        "assert 'zerohedge.com' in graph.nodes and 'ift.tt' not in graph.nodes, graph.nodes\n"
        "assert graph.nodes['zerohedge.com'].citations == 2\n"
    )
    loaded = imported_after(code)
    assert [name for name in loaded if name.startswith(("refcheck.extract", "tldextract"))] == []


def test_the_graph_follows_a_short_link_to_a_site_cited_nowhere_else() -> None:
    from refcheck.models import Citation, Document, LinkResult, LinkStatus, Verdict
    from refcheck.report.graph import build_graph

    short = "https://ift.tt/2okojva"
    document = Document("a.txt", "text", citations=[Citation(short, short, "ift.tt", "inline", None, 3)])
    verdict = Verdict(status=LinkStatus.OK, final_url="https://www.zerohedge.com/geopolitical/story")
    # The pipeline names the destination's domain in the record (pipeline.resolve).
    graph = build_graph([document], {short: LinkResult(short, "ift.tt", verdict=verdict, final_domain="zerohedge.com")})
    assert "zerohedge.com" in graph.nodes and "ift.tt" not in graph.nodes
    assert "ift.tt" in build_graph([document], {short: LinkResult(short, "ift.tt")}).nodes
