"""`refcheck` as a user runs it, against local servers: verdicts, archive copies,
the cache on a second run, exit codes and secrets."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from conftest import refcheck, refcheck_command, refcheck_env
from localweb import serve, serve_archive
from test_interruption import default_sigint


def write_corpus(tmp_path: Path, web: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "A headline\n\nBy Jane Doe, 28 August 2018\n\n"
        "The agency confirmed it (1) and the ministry denied it (2).\n\n"
        f"(1) Reuters: Officials met, August 28, 2018, {web}/ok\n\n"
        f"(2) Ministry statement, 30.08.2018, {web}/gone\n",
        encoding="utf-8",
    )
    return corpus


def test_full_run_then_cached_rerun(tmp_path: Path) -> None:
    with serve() as (web, stats), serve_archive() as (archive_base, archive):
        archive.captures[web + "/gone"] = ["20180829000000"]
        write_corpus(tmp_path, web)
        common = ["corpus", "--allow-private", "--archive-interval", "0", "--host-interval", "0",
                  "--wayback-url", archive_base, "--cdx-url", archive_base, "--json", "-"]  # fmt: skip
        first = refcheck(tmp_path, *common)
        assert first.returncode == 1, first.stderr  # a dead link, and the default --fail-on includes dead
        result = json.loads(first.stdout)
        links = {link["url"]: link for link in result["links"]}
        assert links[web + "/ok"]["status"] == "ok" and links[web + "/ok"]["alive"] is True
        gone = links[web + "/gone"]
        assert (gone["status"], gone["alive"], gone["http_status"]) == ("dead", False, 404)
        assert gone["archive"] == {
            "available": True,
            "url": f"{archive_base}/web/20180829000000/{web}/gone",
            "timestamp": "20180829000000",
            "source": "availability",
        }
        assert result["summary"]["statuses"] == {"dead": 1, "ok": 1}
        requests_before = stats.total
        archive_before = archive.stats.total

        started = time.monotonic()
        second = refcheck(tmp_path, *common)
        elapsed = time.monotonic() - started
        assert second.returncode == 1
        again = json.loads(second.stdout)
        assert stats.total == requests_before  # nothing asked of the sites
        assert archive.stats.total == archive_before  # nor of the archive
        assert all(link["from_cache"] for link in again["links"])
        assert again["summary"]["requests"] == 0
        assert elapsed < 30
        assert refcheck(tmp_path, *common, "--fail-on", "problems").returncode == 0


def test_offline_with_a_warm_cache(tmp_path: Path) -> None:
    with serve() as (web, stats):
        write_corpus(tmp_path, web)
        refcheck(tmp_path, "corpus", "--allow-private", "--no-archive", "--host-interval", "0")
        before = stats.total
        done = refcheck(tmp_path, "corpus", "--offline", "--json", "-")
        statuses = {link["url"]: link["status"] for link in json.loads(done.stdout)["links"]}
        assert statuses == {web + "/ok": "ok", web + "/gone": "dead"}
        assert stats.total == before


def test_private_links_are_skipped_without_allow_private(tmp_path: Path) -> None:
    with serve() as (web, stats):
        write_corpus(tmp_path, web)
        done = refcheck(tmp_path, "corpus", "--no-archive", "--json", "-")
        assert {link["status"] for link in json.loads(done.stdout)["links"]} == {"skipped"}
        assert stats.total == 0


def test_save_missing_needs_keys(tmp_path: Path) -> None:
    write_corpus(tmp_path, "https://example.org")
    env = {"REFCHECK_IA_ACCESS_KEY": "", "REFCHECK_IA_SECRET_KEY": ""}
    done = refcheck(tmp_path, "corpus", "--save-missing", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "refcheck: --save-missing needs REFCHECK_IA_ACCESS_KEY and REFCHECK_IA_SECRET_KEY in the environment"
    ]


def test_keys_never_reach_the_output(tmp_path: Path) -> None:
    with serve() as (web, _), serve_archive() as (archive_base, archive):
        write_corpus(tmp_path, web)
        env = {"REFCHECK_IA_ACCESS_KEY": archive.keys[0], "REFCHECK_IA_SECRET_KEY": archive.keys[1]}
        done = refcheck(tmp_path, "corpus", "--allow-private", "--save-missing", "--archive-interval", "0",
                        "--wayback-url", archive_base, "--cdx-url", archive_base, "--json", "out.json", env=env)  # fmt: skip
        assert done.returncode == 1, done.stderr
        written = (tmp_path / "out.json").read_text(encoding="utf-8")
        assert archive.stats.requests["POST /save"] >= 1
        for secret in archive.keys:
            assert secret not in written and secret not in done.stdout and secret not in done.stderr
        cache_files = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
        assert archive.keys[1].encode() not in cache_files


def busy_corpus(tmp_path: Path, web: str, count: int) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    body = " ".join(f"Claim ({n})." for n in range(1, count + 1))
    notes = "\n\n".join(f"({n}) Source, 28 August 2018, {web}/busy-{n}" for n in range(1, count + 1))
    (corpus / "busy.txt").write_text(f"Title\n\n{body}\n\n{notes}\n", encoding="utf-8")


def test_interrupted_run_loses_nothing_it_finished(tmp_path: Path) -> None:
    import signal

    with serve() as (web, stats):
        busy_corpus(tmp_path, web, 40)
        args = refcheck_command("corpus", "--allow-private", "--no-archive", "--per-host", "1", "--host-interval", "0",
                                "--fail-on", "none")  # fmt: skip
        process = subprocess.Popen(args, cwd=tmp_path, env=refcheck_env(), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)  # fmt: skip
        deadline = time.monotonic() + 30
        while sum(n for path, n in stats.requests.items() if path.startswith("/busy-")) < 10:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 130, stderr
        assert "Traceback" not in stderr
        finished_first = sum(n for path, n in stats.requests.items() if path.startswith("/busy-"))
        assert finished_first < 40

        done = refcheck(tmp_path, "corpus", "--allow-private", "--no-archive", "--per-host", "4",
                        "--host-interval", "0", "--json", "-")  # fmt: skip
        result = json.loads(done.stdout)
        from_cache = sum(link["from_cache"] for link in result["links"])
        assert from_cache >= finished_first - 1  # at most the one in flight at the signal is lost
        assert result["summary"]["links_checked"] == 40 - from_cache
        assert result["summary"]["statuses"] == {"ok": 40}


def test_two_runs_at_once_on_one_cache(tmp_path: Path) -> None:
    with serve() as (web, _):
        busy_corpus(tmp_path, web, 30)
        args = ["corpus", "--allow-private", "--no-archive", "--host-interval", "0", "--json", "-"]
        runs = [subprocess.Popen(refcheck_command(*args), cwd=tmp_path, env=refcheck_env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
                for _ in range(2)]  # fmt: skip
        outputs = [run.communicate(timeout=60) for run in runs]
        for run, (stdout, stderr) in zip(runs, outputs, strict=True):
            assert run.returncode == 0, stderr
            assert json.loads(stdout)["summary"]["statuses"] == {"ok": 30}
        third = json.loads(refcheck(tmp_path, *args).stdout)
        assert all(link["from_cache"] for link in third["links"])
