"""Cold check, then the nightly re-run of an unchanged corpus, against a local farm.

    python benchmarks/rerun_bench.py [--urls 2000] [--hosts 20] [--latency-ms 0]

Starts K HTTP servers on 127.0.0.1 ... 127.0.0.K (threads, keep-alive; in a child
process, so that the CPU time reported is refcheck's alone), writes a
corpus citing U unique URLs over them, runs refcheck's pipeline twice on a fresh
cache (archive lookups off, --allow-private), and prints wall time, requests
served and verdicts for both runs. Everything stays on loopback; every loop is
bounded. Figures go in benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from refcheck.config import Settings
from refcheck.pipeline import resolve, run


class Farm:
    """Runs in a child process; ``count`` is shared memory."""

    def __init__(self, hosts: int, latency: float) -> None:
        self.hosts = hosts
        self.latency = latency
        self.shared = multiprocessing.Value("q", 0)
        self.addresses: list[tuple[str, int]] = []
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=self._serve, args=(child,), daemon=True)
        self.process.start()
        self.addresses = parent.recv()

    @property
    def count(self) -> int:
        return int(self.shared.value)

    def _serve(self, pipe: object) -> None:
        self.lock = threading.Lock()
        self.servers: list[ThreadingHTTPServer] = []
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with farm.shared.get_lock():
                    farm.shared.value += 1
                if farm.latency:
                    time.sleep(farm.latency)
                status = 404 if self.path.endswith("-gone") or "refcheck-" in self.path else 200
                body = b"<html><head><title>Story " + self.path.encode() + b"</title></head><body>text</body></html>"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        for index in range(1, self.hosts + 1):
            server = ThreadingHTTPServer((f"127.0.0.{index}", 0), Handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        pipe.send([server.server_address[:2] for server in self.servers])  # type: ignore[attr-defined]
        threading.Event().wait(3600)  # bounded: the parent ends this process long before

    def urls(self, count: int) -> list[str]:
        rng = random.Random(1)
        urls = []
        for index in range(count):
            host, port = self.addresses[index % len(self.addresses)]
            tail = "-gone" if rng.random() < 0.1 else ""
            urls.append(f"http://{host}:{port}/news/{index // 50}/story-{index}{tail}")
        return urls

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


def write_corpus(folder: Path, urls: list[str], articles: int) -> None:
    folder.mkdir(parents=True)
    per = max(1, len(urls) // articles)
    for index in range(articles):
        chunk = urls[index * per : (index + 1) * per]
        body = " ".join(f"Claim {n} ({n})." for n in range(1, len(chunk) + 1))
        notes = "\n\n".join(f"({n}) Source, 28 August 2018, {url}" for n, url in enumerate(chunk, 1))
        (folder / f"article-{index:04d}.txt").write_text(f"Title {index}\n\n{body}\n\n{notes}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--articles", type=int, default=100)
    args = parser.parse_args()
    farm = Farm(args.hosts, args.latency_ms / 1000)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_corpus(root / "corpus", farm.urls(args.urls), args.articles)
            settings = Settings(allow_private=True, archive="none", cache_dir=str(root / "cache"), host_interval=0.0)
            for label in ("cold", "warm"):
                before = farm.count
                started = time.perf_counter()
                cpu = time.process_time()
                result = run([root / "corpus"], settings)
                resolve(result, settings)
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu
                served = farm.count - before
                per_request = f", {cpu / served * 1000:.2f} ms CPU per request" if served else ""
                verdicts = {str(status): count for status, count in result.summary.statuses.items()}
                print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU{per_request}, {served} requests served, "
                      f"{len(result.links)} unique links, verdicts {verdicts}, "
                      f"{result.summary.links_from_cache} from cache")  # fmt: skip
    finally:
        farm.close()


if __name__ == "__main__":
    main()
