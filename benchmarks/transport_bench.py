"""Which HTTP layer under the checker: each candidate on the same farm, side by side.

    .venv/bin/python benchmarks/transport_bench.py [--write] [--runs 3] [--urls 2000] [--hosts 20]

Run by hand, never in tests; everything on 127.0.0.x, every loop bounded. The farm
is resolve_bench.py's (CPU 1); each candidate runs in a fresh subprocess pinned to
CPU 0 and fetches the same U URLs over K hosts at 20 ms latency with at most 4 in
flight per host (one asyncio worker group per host), reading up to 64 KiB of each
body. Figures: URLs/s (wall) and CPU ms per URL (``time.process_time``), medians.

Candidates, from the bare minimum up to refcheck as it runs:

* ``aiohttp``: one ClientSession, ``limit_per_host=4`` -- the floor;
* ``httpx``: one plain ``httpx.AsyncClient`` (httpcore pool);
* ``httpx per host``: one small AsyncClient per host (httpcore);
* ``AsyncClient + refcheck transport``: httpx's client over refcheck's transport;
* ``Request -> refcheck transport``: ``httpx.Request`` straight to the transport
  (what the checker does);
* ``Checker.check``: refcheck's checker (redirects, retries, throttle, verdict),
  soft-404 probe off, no cache;
* ``resolve()``: the whole checking phase (probe, cache writes) -- same as
  resolve_bench.py case (a).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import resolve_bench  # noqa: E402  (the farm and corpus writer)

RESULTS = HERE / "RESULTS.md"
START, END = "<!-- transport-bench:start -->", "<!-- transport-bench:end -->"
CANDIDATES = {
    "aiohttp": "minimal aiohttp, one session, limit_per_host=4",
    "httpx": "one plain httpx.AsyncClient (httpcore pool)",
    "httpx-per-host": "one httpx.AsyncClient per host (httpcore)",
    "client+transport": "httpx.AsyncClient over refcheck's transport",
    "request+transport": "httpx.Request straight to refcheck's transport (the checker's way)",
    "checker": "refcheck Checker.check (redirects, retries, throttle, verdict; no probe, no cache)",
    "resolve": "refcheck resolve() (the whole checking phase: probe, cache writes)",
}
BODY = 64 * 1024
HEADERS = {"User-Agent": "transport-bench", "Accept": "text/html", "Accept-Encoding": "gzip, deflate"}


def child(name: str, urls: list[str], corpus: str, cache: str) -> dict[str, float]:
    os.sched_setaffinity(0, {0})
    if name == "resolve":
        from refcheck.config import Settings
        from refcheck.pipeline import resolve, run

        settings = Settings(allow_private=True, archive="none", cache_dir=cache, no_report=True, host_interval=0.0)
        result = run([Path(corpus)], settings)
        wall, cpu = time.perf_counter(), time.process_time()
        resolve(result, settings)
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "count": len(result.links)}
    return asyncio.run(_fetch_all(name, urls))


async def _fetch_all(name: str, urls: list[str]) -> dict[str, float]:
    import aiohttp
    import httpx

    from refcheck.resolve.check import Checker, CheckSettings
    from refcheck.resolve.politeness import Throttle
    from refcheck.resolve.safety import AddressPolicy
    from refcheck.resolve.transport import AiohttpTransport

    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(url.split("/")[2], []).append(url)
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, limit_per_host=4), cookie_jar=aiohttp.DummyCookieJar()
    )
    transport = AiohttpTransport(AddressPolicy(allow_private=True), 4)
    plain = httpx.AsyncClient(headers=HEADERS, limits=httpx.Limits(max_connections=80, max_keepalive_connections=80))
    per_host: dict[str, httpx.AsyncClient] = {}
    over = httpx.AsyncClient(headers=HEADERS, transport=transport)
    checker = Checker(CheckSettings(allow_private=True, probe_soft_404=False), Throttle(128, 4, 0.0))
    headers = httpx.Headers(HEADERS)
    timeout = {"timeout": {"connect": 20.0, "read": 20.0, "write": 20.0, "pool": 20.0}}

    async def read(response: httpx.Response) -> None:
        got = 0
        async for chunk in response.aiter_bytes():
            got += len(chunk)
            if got >= BODY:
                break

    async def one(url: str) -> None:
        if name == "aiohttp":
            async with session.get(url, headers=HEADERS, allow_redirects=False) as answer:
                await answer.content.read(BODY)
        elif name == "httpx":
            async with plain.stream("GET", url) as response:
                await read(response)
        elif name == "httpx-per-host":
            host = url.split("/")[2]
            client = per_host.get(host)
            if client is None:
                client = per_host[host] = httpx.AsyncClient(headers=HEADERS, limits=httpx.Limits(max_connections=4))
            async with client.stream("GET", url) as response:
                await read(response)
        elif name == "client+transport":
            async with over.stream("GET", url) as response:
                await read(response)
        elif name == "request+transport":
            response = await transport.handle_async_request(
                httpx.Request("GET", url, headers=headers, extensions=timeout)
            )
            try:
                await read(response)
            finally:
                await response.aclose()
        else:
            await checker.check(url)

    async def worker(queue: list[str]) -> None:
        for _ in range(len(urls)):  # bounded
            if not queue:
                break
            await one(queue.pop())

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(queue) for queue in by_host.values() for _ in range(4)))
    out = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "count": len(urls)}
    await session.close()
    await transport.aclose()
    await plain.aclose()
    await over.aclose()
    await checker.aclose()
    for client in per_host.values():
        await client.aclose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="replace the transport-bench section of RESULTS.md")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--only", default=",".join(CANDIDATES))
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        urls = json.loads(Path(spec["urls"]).read_text())
        print("RESULT " + json.dumps(child(spec["name"], urls, spec["corpus"], spec["cache"])), flush=True)
        return
    began = time.perf_counter()
    farm = resolve_bench.Farm(args.hosts)
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="transport-bench-") as tmp:
        try:
            urls = farm.urls(args.urls, args.hosts)
            (Path(tmp) / "urls.json").write_text(json.dumps(urls))
            resolve_bench.write_corpus(Path(tmp) / "corpus", urls)
            farm.latency(0.020)
            for name in args.only.split(","):
                runs = []
                for index in range(args.runs):
                    farm.reset()
                    spec = {"name": name, "urls": str(Path(tmp) / "urls.json"), "corpus": str(Path(tmp) / "corpus"),
                            "cache": str(Path(tmp) / f"cache-{name}-{index}")}  # fmt: skip
                    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                                          capture_output=True, text=True, timeout=600)  # fmt: skip
                    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
                    if line is None:
                        raise RuntimeError(f"{name} failed: {done.stderr[:1500]}")
                    result = json.loads(line[7:])
                    stats = farm.stats(args.hosts)
                    result["peak"] = max(stats["peak"])
                    runs.append(result)
                    print(f"  {name} run {index + 1}: {result['count'] / result['wall']:.0f} URLs/s, "
                          f"{result['cpu'] * 1000 / result['count']:.3f} ms CPU/URL, peak/host {result['peak']}",
                          flush=True)  # fmt: skip
                rows[name] = {
                    "ups": statistics.median(r["count"] / r["wall"] for r in runs),
                    "cpu": statistics.median(r["cpu"] * 1000 / r["count"] for r in runs),
                    "peak": max(r["peak"] for r in runs),
                }
        finally:
            farm.close()
    text = render(rows, args, time.perf_counter() - began)
    print(text)
    if args.write:
        current = RESULTS.read_text(encoding="utf-8")
        section = f"{START}\n{text}\n{END}"
        if START in current:
            current = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: section, current, flags=re.S)
        else:
            current = current.rstrip("\n") + "\n\n## Which HTTP layer (transport)\n\n" + section + "\n"
        RESULTS.write_text(current, encoding="utf-8")
        print(f"wrote {RESULTS}")


def render(rows: dict[str, dict[str, float]], args: argparse.Namespace, took: float) -> str:
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    nproc = os.cpu_count()
    lines = [
        f"Command: `.venv/bin/python benchmarks/transport_bench.py {' '.join(sys.argv[1:])}`  ",
        f"Date: {date}; nproc {nproc}; {platform.python_implementation()} {platform.python_version()}; "
        f"took {took / 60:.1f} min  ",
        f"Same farm as below (CPU 1), each candidate a fresh process on CPU 0; U={args.urls:,} URLs over "
        f"K={args.hosts} hosts, 20 ms latency, 4 in flight per host; medians of {args.runs} runs.",
        "",
        "| Candidate | What | URLs/s | CPU ms/URL | Max in flight per host |",
        "|---|---|---:|---:|---:|",
    ]
    for name, row in rows.items():
        lines.append(f"| `{name}` | {CANDIDATES[name]} | {row['ups']:,.0f} | {row['cpu']:.3f} | {row['peak']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
