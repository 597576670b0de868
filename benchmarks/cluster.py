"""The same run on one machine three ways: local processes, a Ray cluster, Dask distributed.

    .venv/bin/python benchmarks/cluster.py [--urls 100000] [--hosts 500] [--latency 0.02]
                                           [--workers 2] [--modes local,ray,dask] [--rounds 3]
    .venv/bin/python benchmarks/cluster.py --model CORPUS... [--plan-links 100000000]
        (no benchmark: the host distribution of a real corpus and the scaling model over it)

Run by hand, never in tests; everything stays on 127.0.0.x. The loopback farm of
benchmarks/resolve_bench.py (one asyncio keep-alive listener per address, a fixed latency,
~10 % of paths 404, pinned to CPU 1) serves U URLs over K hosts, cited by U/20 articles
(every URL once, half of them twice). Each mode runs in a fresh child process:

* ``local``: extraction by a pool of ``--workers`` processes, checks sharded by registrable
  domain over ``--workers`` processes (what ``refcheck --workers 2`` does);
* ``ray``: ``ray.init(num_cpus=workers)`` (timed apart: start-up), extraction as Ray tasks over
  batches of files, checks by one checker actor per shard (``--executor ray``);
* ``dask``: a ``distributed.LocalCluster`` of ``--workers`` single-threaded processes (start-up
  timed apart), extraction as ``local``, the shard checks as Dask futures (``client.map``,
  results in order) -- Dask has no streaming actor call, so a shard's verdicts come back
  when the shard is done.

A sampling thread in the child (every 0.1 s, psutil) follows the child and every process
under it (pool workers; Ray's raylet, GCS and workers; Dask's nanny and workers): CPU time
(user+sys) per process and peak resident memory per process. URLs/s = U / wall of the
checking phase; CPU per URL = CPU of the whole process tree during the checking phase / U.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from resolve_bench import Farm, write_corpus  # noqa: E402


class Sampler:
    """CPU seconds and peak RSS of this process and every process under it."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self._psutil = psutil
        self.root = psutil.Process()
        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.peak: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        psutil = self._psutil
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        for process in processes:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    rss = process.memory_info().rss
                    if process.pid not in self.names:
                        forked = process.pid != self.root.pid and process.cmdline() == self.root.cmdline()
                        self.names[process.pid] = "pool worker" if forked else _role(process)
            except psutil.Error:
                continue
            self.cpu[process.pid] = times.user + times.system
            self.peak[process.pid] = max(self.peak.get(process.pid, 0), rss)

    def total_cpu(self) -> float:
        self.sample()
        return sum(self.cpu.values())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def memory(self) -> dict[str, Any]:
        """Peak RSS (MiB) of the driver, and the largest and the count of the others by role."""
        driver = self.root.pid
        roles: dict[str, list[float]] = {}
        for pid, peak in self.peak.items():
            role = "driver" if pid == driver else self.names.get(pid, "other")
            roles.setdefault(role, []).append(peak / 2**20)
        return {role: {"processes": len(values), "max_mib": round(max(values), 1), "sum_mib": round(sum(values), 1)}
                for role, values in sorted(roles.items())}  # fmt: skip


def _role(process: Any) -> str:
    try:
        arguments = process.cmdline()
        name = process.name()
    except Exception:
        return "other"
    first = arguments[0] if arguments else name
    if first.startswith("ray::"):  # a Ray worker names itself after its task or actor
        return "ray worker"
    for program in ("gcs_server", "raylet"):
        if program in name or first.endswith(program):
            return "ray gcs" if program == "gcs_server" else "raylet"
    line = " ".join(arguments)
    for marker, role in (("gcs_server", "ray gcs"), ("raylet", "raylet"), ("default_worker", "ray worker"),
                         ("dashboard", "ray dashboard"), ("log_monitor", "ray monitor"), ("monitor.py", "ray monitor"),
                         ("runtime_env", "ray agent"), ("agent", "ray agent"), ("dask", "dask"),
                         ("multiprocessing", "pool worker"), ("spawn_main", "pool worker")):  # fmt: skip
        if marker in line:
            return role
    return process.name()


# --------------------------------------------------------------------------- child


def child(spec: dict[str, Any]) -> None:
    """One mode, in a fresh process: extraction, then the checks; prints one JSON line."""
    sampler = Sampler()
    from refcheck import pipeline
    from refcheck.config import Settings

    mode, workers = spec["mode"], spec["workers"]
    settings = Settings(allow_private=True, archive="none", cache_dir=spec["cache"], no_report=True,
                        host_interval=0.0, per_host=spec["per_host"], workers=workers)  # fmt: skip
    out: dict[str, Any] = {"mode": mode}
    started = time.perf_counter()
    finish = _prepare(mode, workers, pipeline)
    out["startup_s"] = time.perf_counter() - started
    t0 = time.perf_counter()
    result = pipeline.run([Path(spec["corpus"])], settings)
    t1 = time.perf_counter()
    cpu0 = sampler.total_cpu()
    pipeline.resolve(result, settings)
    t2 = time.perf_counter()
    cpu1 = sampler.total_cpu()
    finish()
    sampler.stop()
    statuses: dict[str, int] = {}
    for link in result.links.values():
        statuses[str(link.status)] = statuses.get(str(link.status), 0) + 1
    result.documents.close()
    cache_bytes = sum(path.stat().st_size for path in Path(spec["cache"]).rglob("*") if path.is_file())
    out.update(cache_bytes=cache_bytes, extract_s=t1 - t0, check_s=t2 - t1, check_cpu_s=cpu1 - cpu0, links=len(result.links),
               requests=result.summary.requests, statuses=statuses, memory=sampler.memory())  # fmt: skip
    print("RESULT " + json.dumps(out), flush=True)


def _prepare(mode: str, workers: int, pipeline: Any) -> Any:
    """Set the run up for ``mode``; returns what ends it (shutting a cluster down)."""
    if mode == "local":
        return lambda: None
    if mode == "ray":
        import functools
        from dataclasses import replace

        import ray

        from refcheck.executor import make_executor
        from refcheck.resolve.resolver import resolve_links

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level="WARNING")

        def on_ray(sources: Any, settings: Any, job: Any) -> Any:
            if job.cache is not None:
                job.cache.close()
            worker_job = replace(job, cache=None, in_worker=True)
            return make_executor("ray", workers, setup=pipeline._start_job, arguments=(worker_job,),
                                 teardown=pipeline._close_job)  # fmt: skip

        pipeline._executor_for = on_ray
        pipeline.resolve_links = functools.partial(resolve_links, executor="ray")
        return ray.shutdown
    if mode == "dask":
        from distributed import Client, LocalCluster

        import refcheck.executor

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)

        class DaskFutures:
            """The shard checks as Dask futures, handed back in order (``LocalProcesses.map``'s contract)."""

            def __init__(self, count: int, *args: Any) -> None:
                self.workers = count

            def map(self, function: Any, items: Any) -> Any:
                futures = client.map(function, list(items), pure=False)
                for future in futures:
                    yield future.result()

            def close(self) -> None:
                return None

        refcheck.executor.LocalProcesses = DaskFutures  # type: ignore[misc]  # only the resolver's import of it
        pipeline.LocalProcesses = _ORIGINAL_POOL  # extraction stays on the local pool

        def finish() -> None:
            client.close()
            cluster.close()

        return finish
    raise SystemExit(f"unknown mode {mode}")


def _original_pool() -> Any:
    from refcheck.executor import LocalProcesses

    return LocalProcesses


_ORIGINAL_POOL = _original_pool()


# --------------------------------------------------------------------------- the model


def host_counts(paths: list[Path]) -> dict[str, int]:
    """Unique cited links per host of a real corpus (extracted offline, article links only)."""
    from urllib.parse import urlsplit

    from refcheck import pipeline
    from refcheck.config import Settings

    with tempfile.TemporaryDirectory(prefix="refcheck-model-") as cache:
        result = pipeline.run(paths, Settings(offline=True, workers=1, cache_dir=cache, no_report=True))
        result.documents.close()
    counts: dict[str, int] = {}
    for url in result.links:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            continue
        if host:
            counts[host] = counts.get(host, 0) + 1
    return counts


def model(counts: dict[str, int], args: argparse.Namespace) -> str:
    """wall ~ max(busiest host's links x max(interval, latency / per-host), total CPU / cores), with
    the corpus's host shares scaled to ``--plan-links`` links."""
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    top_share = ranked[0][1] / total
    per_link_host_s = max(args.interval, args.real_latency / args.per_host)
    lines = [
        f"corpus: {total:,} unique article links over {len(counts):,} hosts",
        "busiest hosts: " + ", ".join(f"{host} {count:,} ({count / total:.1%})" for host, count in ranked[:8]),
        f"share of links on the busiest 1% / 10% of hosts: "
        f"{sum(c for _, c in ranked[: max(1, len(ranked) // 100)]) / total:.1%} / "
        f"{sum(c for _, c in ranked[: max(1, len(ranked) // 10)]) / total:.1%}",
        f"hosts with one link: {sum(1 for _, c in ranked if c == 1) / len(ranked):.1%}",
        "",
        f"plan for {args.plan_links:,} links (the corpus's host shares kept), interval {args.interval} s, "
        f"per-host {args.per_host}, latency {args.real_latency} s, {args.cpu_ms} ms CPU per link:",
    ]
    busiest = top_share * args.plan_links
    host_bound = busiest * per_link_host_s
    cpu_total = args.plan_links * args.cpu_ms / 1000
    lines.append(f"  busiest host: {busiest:,.0f} links x {per_link_host_s} s = {host_bound / 3600:,.1f} h "
                 "(no number of workers shortens it)")  # fmt: skip
    for cores in (8, 16, 32, 64, 128):
        in_flight = cores * args.concurrency / args.real_latency  # links/s the event loops can have in flight
        rate = min(cores * 1000 / args.cpu_ms, in_flight)
        bulk = args.plan_links / rate
        lines.append(f"  {cores:>3} cores: CPU {cpu_total / cores / 3600:,.1f} h, bulk at {rate:,.0f} links/s "
                     f"{bulk / 3600:,.1f} h; wall ~ {max(bulk, host_bound) / 3600:,.1f} h")  # fmt: skip
    return "\n".join(lines)


# --------------------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="local,ray,dask")
    parser.add_argument("--rounds", type=int, default=1, help="runs of every mode, the order rotated each round")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--model", nargs="+", type=Path, help="no benchmark: the scaling model over this real corpus")
    parser.add_argument("--plan-links", type=int, default=100_000_000)
    parser.add_argument("--interval", type=float, default=0.1, help="--host-interval of the plan")
    parser.add_argument("--real-latency", type=float, default=0.5, help="seconds a real site takes to answer")
    parser.add_argument("--cpu-ms", type=float, default=2.0, help="CPU ms per link on the real web (TLS, bodies)")
    parser.add_argument("--concurrency", type=int, default=128, help="links in flight per worker")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    if args.model:
        print(model(host_counts(args.model), args))
        return
    command = " ".join([Path(sys.executable).name, *sys.argv])
    farm = Farm(args.hosts)
    rows = []
    try:
        farm.latency(args.latency)
        with tempfile.TemporaryDirectory(prefix="refcheck-cluster-") as folder:
            corpus = Path(folder) / "corpus"
            shape = write_corpus(corpus, farm.urls(args.urls, args.hosts))
            modes = args.modes.split(",")
            for round_number in range(args.rounds):
                for mode in modes[round_number % len(modes) :] + modes[: round_number % len(modes)]:
                    farm.reset()
                    spec = {"mode": mode, "workers": args.workers, "per_host": args.per_host, "corpus": str(corpus),
                            "cache": str(Path(folder) / f"cache-{mode}-{round_number}")}  # fmt: skip
                    started = time.perf_counter()
                    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True,
                                          text=True, cwd=ROOT, timeout=3600)  # fmt: skip
                    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
                    if done.returncode != 0 or not lines:
                        print(f"{mode}: failed (exit {done.returncode})\n{done.stderr[-3000:]}", file=sys.stderr)
                        continue
                    row = json.loads(lines[-1][len("RESULT ") :])
                    row["whole_s"] = time.perf_counter() - started
                    stats = farm.stats(args.hosts)
                    row["peak_per_host"] = max(stats["peak"])
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr, flush=True)
    finally:
        farm.close()
    print(table(rows, args, shape, command))


def table(rows: list[dict[str, Any]], args: argparse.Namespace, shape: dict[str, int], command: str) -> str:
    lines = [
        f"U={args.urls:,} URLs over K={args.hosts} hosts, {shape['articles']:,} articles, latency "
        f"{args.latency * 1000:.0f} ms, per-host {args.per_host}, workers {args.workers}",
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        f"command: {command}",
        "",
        "| mode | start-up s | extraction s | checking s (median run) | URLs/s (each run) | CPU ms/URL "
        "| max in flight per host | peak RSS MiB per process (median run) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_mode: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_mode.setdefault(row["mode"], []).append(row)
    for mode, runs in by_mode.items():
        middle = sorted(runs, key=lambda run: run["check_s"])[len(runs) // 2]  # the median run by checking time
        memory = "; ".join(
            f"{role} {value['max_mib']}" + (f" (x{value['processes']})" if value["processes"] > 1 else "")
            for role, value in middle["memory"].items()
        )
        rates = ", ".join(f"{args.urls / run['check_s']:,.0f}" for run in runs)
        lines.append(
            f"| {mode} | {statistics.median(run['startup_s'] for run in runs):.1f} "
            f"| {statistics.median(run['extract_s'] for run in runs):.1f} | {middle['check_s']:.1f} "
            f"| {args.urls / middle['check_s']:,.0f} ({rates}) "
            f"| {statistics.median(run['check_cpu_s'] for run in runs) * 1000 / args.urls:.3f} "
            f"| {max(run['peak_per_host'] for run in runs)} | {memory} |"
        )
    lines.append("")
    lines.append(
        "cache after a cold run: "
        + "; ".join(f"{mode} {runs[0]['cache_bytes'] / args.urls:,.0f} bytes per URL" for mode, runs in by_mode.items())
    )
    lines.append(f"load average at the end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    lines.append("statuses: " + "; ".join(f"{row['mode']} {row['statuses']}" for row in rows))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
