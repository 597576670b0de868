"""The network fault matrix, measured: each fault of tests/faultserver.py's catalogue
against real servers on 127.0.0.x, each run in a fresh process so that its peak memory
is its own, and the table written to docs/fault-matrix.md.

    .venv/bin/python benchmarks/fault_matrix.py [--timeout 20] [--retries 2] [--only KEY,KEY] [--no-write]

Run by hand, never in tests. The servers run in this process (threads); each
measuring subprocess runs one refcheck resolve of the fault's links plus a healthy
control link on 127.0.0.1 with the product's settings (time-outs and retries as
given, archive lookups off), and reports the verdicts, the wall time of the run and
its ``ru_maxrss``. Nothing leaves the machine: in the subprocess, names under
``.invalid`` fail to resolve at once (as RFC 6761 says; no DNS query is sent),
other names but ``localhost`` are refused, and so is any connection to an address
that is not loopback (tests/faultserver.py ``local_network_only``).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

import faultserver  # noqa: E402
from faultserver import (  # noqa: E402
    CATALOGUE,
    Certificates,
    Fault,
    least_time,
    local_network_only,
    staged,
    time_bound,
)
from localweb import serve  # noqa: E402

OUT = ROOT / "docs" / "fault-matrix.md"
BACKOFF_INITIAL, BACKOFF_MAX = 0.5, 8.0  # the product's (CheckSettings)


# --------------------------------------------------------------------------- child


def child(spec: dict[str, Any]) -> None:
    """One resolve run of ``spec["urls"]``; prints what came out as JSON."""
    import certifi

    from refcheck.models import LinkResult
    from refcheck.resolve.check import CheckSettings
    from refcheck.resolve.resolver import ResolveSettings, resolve_links

    if spec.get("bundle"):
        certifi.where = lambda: spec["bundle"]  # the test CA, trusted
    stand_ins = tuple(f"{host}/32" for host in spec.get("public") or ())  # loopback standing in for public
    check = CheckSettings(timeout=spec["timeout"], retries=spec["retries"], allow_private=spec["allow_private"],
                          allowed_networks=stand_ins)  # fmt: skip
    settings = ResolveSettings(check=check, archive="none")
    links = {url: LinkResult(url, None) for url in spec["urls"]}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with local_network_only() as stopped:
        started = time.monotonic()
        report = resolve_links(links, settings, None)
        took = time.monotonic() - started
    result = {
        "links": {
            url: {
                "status": link.status,
                "error": link.error,
                "http_status": link.http_status,
                "elapsed_ms": link.elapsed_ms,
            }
            for url, link in links.items()
        },
        "took": took,
        "rss_before_kib": rss_before,
        "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "requests": report.requests,
        "notes": report.notes,
        "stopped": stopped,
    }
    print(json.dumps(result))


def run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- parent


def bound_text(fault: Fault, timeout: float, retries: int) -> str:
    attempts = retries + 1
    if fault.capped:
        return "the total time per link: no read time-out fires"
    if fault.waits:
        return f"{attempts} attempts, Retry-After ≤ {fault.waits:.0f} s honoured between them"
    if "timeout" in fault.expected:
        return f"{attempts} × {timeout:g} s read time-out + back-off"
    if fault.hops > 1:
        return f"{fault.hops} hops × {attempts} × {timeout:g} s time-out"
    if fault.big:
        return f"{attempts} × {timeout:g} s time-out; 64 KiB read"
    return f"{attempts} × {timeout:g} s time-out + back-off"


def short(text: str | None, limit: int = 110) -> str:
    text = " ".join((text or "").split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def human_bytes(count: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=20.0, help="request time-out (s); the product's default")
    parser.add_argument("--retries", type=int, default=2, help="retries; the product's default")
    parser.add_argument("--only", default="", help="comma-separated fault keys")
    parser.add_argument("--no-write", action="store_true", help="print the table, do not write docs/")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    began = time.monotonic()
    only = {key for key in args.only.split(",") if key}
    faults = [fault for fault in CATALOGUE if not only or fault.key in only]
    per_link_cap = args.timeout * (args.retries + 1) * 2 + 60 + 5
    faultserver.HOLD = per_link_cap + 30  # a stalling server outlasts every wait of refcheck's
    rows: list[str] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fault-matrix-") as folder, serve("127.0.0.1") as (control_base, _):
        certificates = Certificates(Path(folder))
        control = control_base + "/ok"
        base_spec = {"timeout": args.timeout, "retries": args.retries, "bundle": certificates.trusted_bundle}
        baseline = run_child({**base_spec, "urls": [control], "allow_private": True}, 120)
        rows.append(
            f"| (baseline: the control link alone) | ok | | {baseline['took']:.2f} | | "
            f"{mib(baseline['rss_peak_kib'])} | | |"
        )
        print(f"baseline: {baseline['took']:.2f} s, {mib(baseline['rss_peak_kib'])} MiB", flush=True)
        for index, fault in enumerate(faults):
            host = f"127.0.0.{10 + index}"
            with staged(fault, host, certificates) as stage:
                spec = {**base_spec, "urls": [*stage.urls, control], "allow_private": not fault.public,
                        "public": [host, "127.0.0.1"] if fault.public else []}  # fmt: skip
                result = run_child(spec, per_link_cap * 3 + 60)
                wire = stage.server.wire if stage.server is not None else None
                decoy = stage.decoy.wire.connections if stage.decoy is not None else None
            found = [result["links"][url] for url in stage.urls]
            statuses = [link["status"] for link in found]
            got = tuple(statuses) if len(statuses) == 1 else tuple(sorted(statuses))
            as_readme = got == fault.expected and result["links"][control]["status"] == "ok"
            bound = time_bound(fault, args.timeout, args.retries, BACKOFF_INITIAL, BACKOFF_MAX, per_link_cap)
            least = least_time(fault, args.timeout, args.retries, per_link_cap)
            if not as_readme or result["stopped"] or decoy:
                failures.append(f"{fault.key}: {got} (expected {fault.expected}); stopped {result['stopped']}")
            errors = sorted({short(link["error"]) for link in found if link["error"]})
            server = "no server" if wire is None else f"{wire.connections} conn., {human_bytes(wire.bytes_sent)} sent"
            if decoy is not None:
                server += f"; private target: {decoy} conn."
            verdict = ", ".join(statuses) + ("" if as_readme else " **(not as README)**")
            rows.append(
                f"| {fault.label} | {verdict} | {'; '.join(errors)} | {result['took']:.2f} | "
                f"{bound:.1f} ({bound_text(fault, args.timeout, args.retries)})"
                f"{f'; ≥ {least:.0f}' if least else ''} | {mib(result['rss_peak_kib'])} | {server} | "
                f"{result['requests']} |"
            )
            print(f"{fault.key:28} {verdict:28} {result['took']:6.2f} s (bound {bound:.1f})  "
                  f"{mib(result['rss_peak_kib'])} MiB  {server}", flush=True)  # fmt: skip
    text = render(args, rows, failures, time.monotonic() - began, per_link_cap)
    if not args.no_write:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    if failures:
        print("NOT AS README:\n  " + "\n  ".join(failures))
        sys.exit(1)


def render(args: argparse.Namespace, rows: list[str], failures: list[str], took: float, cap: float) -> str:
    import aiohttp
    import httpx

    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    command = ".venv/bin/python benchmarks/fault_matrix.py " + " ".join(sys.argv[1:])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        "| fault | verdict | error (short) | time (s) | bound (s) | peak RSS (MiB) | fault server saw | requests |\n"
        "|---|---|---|---:|---|---:|---|---:|"
    )
    return f"""# Network fault matrix

Generated by `{command.strip()}` on {date}, in {took / 60:.1f} min.
Machine: nproc {nproc}, {platform.platform()}; Python {platform.python_version()}; aiohttp
{aiohttp.__version__}, httpx {httpx.__version__}.

Each fault runs against a real server on 127.0.0.x (tests/faultserver.py), in its own refcheck
run together with a healthy control link on another server (127.0.0.1), in a fresh process:

* settings: the product's (`--timeout {args.timeout:g}`, `--retries {args.retries}`, back-off
  0.5 s doubling up to 8 s with jitter, `--per-host 4`, `--host-interval 0.1`), archive lookups
  off; the total time per link is capped at {cap:.0f} s (timeout × attempts × 2 + the 60 s
  Retry-After cap + 5);
* **verdict**: of the fault's links, as README's verdict table says (every row: the control link
  was `ok` in the same run: the run went on);
* **time**: wall time of the whole run (both links, about 0.1 s of start-up as in the baseline
  row, and the second opinion that links failing before any server answered get at the end:
  one more check each); **bound**: the longest the fault's links may take
  from the time-outs (attempts × time-out + back-off or the honoured Retry-After, per redirect
  hop; plus one request for the soft-404 probe when the link is `ok`), and `≥` the least they
  must take (a time-out that must fire, a Retry-After that must be waited);
* **peak RSS**: `ru_maxrss` of the measuring process (interpreter and refcheck included: compare
  with the baseline row);
* **fault server saw**: connections accepted and bytes it managed to send (a body of gigabytes
  stops at what the socket buffers hold once refcheck has read its 64 KiB);
* **requests**: refcheck's requests in the run, the control link's two (page and soft-404
  probe) included.

{header}
{chr(10).join(rows)}

{"All verdicts as README's table says." if not failures else "Not as README: " + "; ".join(failures)}

Notes:

* DNS failure: the measuring process answers names under `.invalid` itself with "Name or
  service not known", as an RFC 6761 resolver does, so no DNS query leaves the machine; the
  rest of the path (aiohttp's resolver, refcheck's mapping to `dead`) is the real one.
* TLS: certificates from `trustme`; the checker is made to trust the test CA in place of
  certifi's bundle, so the valid-certificate row is `ok` and the other two fail on the
  certificate alone. A certificate that does not verify is not retried (the same certificate
  would come back); the resolver's second opinion checks it once more at the end of the run.
* Connections: aiohttp retries a GET once by itself when the connection is reset or closed
  before the answer (RFC 9112 9.3.1), so a reset before the headers makes two connections per
  attempt.
* Found by this matrix and fixed (refcheck/resolve/check.py): a gzip bomb was inflated a
  whole received chunk at a time by httpx's decoder (a 256 KiB chunk is 256 MiB of zeros):
  32 bomb links took 1 GiB and 17 s, 128 took 8 GiB and 108 s; the checker now inflates at
  most 64 KiB itself (`_decoded_head`), and the same 128 links take 48 MiB and 0.5 s. A
  redirect to a malformed address (`http://[::1`, a port out of range, a bad punycode
  label) raised out of the checker and ended the whole run; it is now `error` ("redirect to
  an invalid address"), and such a cited address `invalid`. A certificate that does not
  verify is no longer retried with back-off. A garbled status line or header said
  "connection broken: 400, message=…" over several lines; it now says "bad response: …".
* Not fixed: after an interim `100 Continue` (any 1xx) aiohttp stops its read timer
  (client_proto.py `data_received` drops it for a message without a body), so a server that
  stalls then is ended only by the total time per link (185 s with the defaults), not by the
  20 s read time-out. A timer of refcheck's own around each request would catch it sooner
  but costs every request.
* Rows not in README's table as such: an invalid header is `error` like a garbled status line
  ("bad response"), but whitespace before a header's colon is tolerated (RFC 9112 5.1 lets a
  client read such an answer), so that page is `ok`; a host that answers once and then refuses
  gives `ok` for the link it answered and `error` (connection refused) for the others; 503
  flapping comes out `ok` with retries (a 503 is retried), `server-error` without.
"""


if __name__ == "__main__":
    main()
