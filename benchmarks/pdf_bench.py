"""Which PDF library, and how fast refcheck's PDF reader is.

Part 1 compares the libraries on real PDFs written by others: pypdfium2
(Apache-2.0/BSD), pypdf (BSD) and pdfminer.six (MIT). PyMuPDF is left out: it is
AGPL, never a runtime dependency here. For each library, in a fresh process
(peak memory is the process's own): text accuracy against ground truth (the
normalised Indel similarity of python-Levenshtein's ``ratio``, as the py-pdf
benchmark scores it; raw and with whitespace runs folded), link addresses of the
files' URI annotations found whole in the text, pages/s, MB/s, peak RSS.

Part 2 times :func:`refcheck.extract.pdf.parse_pdf` itself on the same files
and on a generated 10,000-page PDF (read up to its page limit).

The real PDFs are not in this repository. Get them (no network needed where the
mirrors are at hand; else ``git clone`` the three repositories) into one folder::

    git -C py-pdf/sample-files show HEAD:009-pdflatex-geotopo/GeoTopo-komprimiert.pdf > pdfs/GeoTopo-komprimiert.pdf
    git -C py-pdf/benchmarks show HEAD:read/extraction-ground-truth/GeoTopo-book.txt > pdfs/GeoTopo-komprimiert.truth.txt
    git -C pdfminer/pdfminer.six show HEAD:samples/nonfree/naacl06-shinyama.pdf > pdfs/naacl06-shinyama.pdf
    git -C pdfminer/pdfminer.six show HEAD:samples/nonfree/dmca.pdf > pdfs/dmca.pdf
    git -C py-pdf/pypdf show HEAD:resources/GeoBase_NHNC1_Data_Model_UML_EN.pdf > pdfs/GeoBase.pdf
    git -C pdfminer/pdfminer.six show HEAD:samples/contrib/pr-00530-ml-lines.pdf > pdfs/pr-00530-ml-lines.pdf

then ``python benchmarks/pdf_bench.py pdfs/`` (needs ``pip install pypdf pdfminer.six
rapidfuzz reportlab``; a ``NAME.truth.txt`` beside ``NAME.pdf`` is its ground truth).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("pypdfium2", "pypdf", "pdfminer.six")


def extract_pypdfium2(data: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    pages = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range().replace("\ufffe", "-\n"))
        textpage.close()
        page.close()
    count = len(document)
    document.close()
    return "\n".join(pages), count


def extract_pypdf(data: bytes) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def extract_pdfminer(data: bytes) -> tuple[str, int]:
    from pdfminer.high_level import extract_text

    text = extract_text(io.BytesIO(data))
    return text, max(1, text.count("\f"))  # a form feed ends each page


EXTRACTORS = {"pypdfium2": extract_pypdfium2, "pypdf": extract_pypdf, "pdfminer.six": extract_pdfminer}


def annotation_uris(data: bytes) -> list[str]:
    """The URI link annotations of a PDF (read with pypdf: independent of PDFium)."""
    import pypdf

    uris: list[str] = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri:
                uris.append(str(uri))
    return sorted(set(uris))


def similarity(truth: str, text: str) -> tuple[float, float]:
    from rapidfuzz.distance import Indel

    raw = Indel.normalized_similarity(truth, text)
    folded = Indel.normalized_similarity(" ".join(truth.split()), " ".join(text.split()))
    return raw, folded


def run_library(library: str, folder: Path) -> dict[str, object]:
    """One library over every PDF of ``folder`` (run in a process of its own)."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    extract = EXTRACTORS[library]
    rows: dict[str, object] = {}
    seconds = pages = size = 0.0
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            text, count = extract(data)
        except Exception as exc:  # a library that fails on a file: recorded, not fatal
            rows[path.name] = {"error": f"{type(exc).__name__}: {exc}"[:80]}
            continue
        elapsed = time.perf_counter() - started
        seconds += elapsed
        pages += count
        size += len(data)
        row: dict[str, object] = {"seconds": elapsed, "pages": count}
        truth = path.with_suffix(".truth.txt")
        if truth.exists():
            row["similarity"] = similarity(truth.read_text(encoding="utf-8"), text)
        uris = annotation_uris(data)
        if uris:
            joined = " ".join(text.split())
            row["uris"] = (sum(uri in joined for uri in uris), len(uris))
        rows[path.name] = row
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"files": rows, "seconds": seconds, "pages": pages, "bytes": size, "peak_mb": peak}


def run_reader(folder: Path, big: Path) -> dict[str, object]:
    """refcheck's own reader (in a process of its own): each file, then the 10,000-page PDF ``big``."""
    sys.path.insert(0, str(ROOT))
    from refcheck.errors import SkipFile
    from refcheck.extract.pdf import parse_pdf

    rows: dict[str, object] = {}
    seconds = pages = size = 0.0
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            parsed = parse_pdf(data)
        except SkipFile as reason:
            rows[path.name] = {"skipped": str(reason)}
            continue
        elapsed = time.perf_counter() - started
        count = max(parsed.source_lines or [1])
        seconds, pages, size = seconds + elapsed, pages + count, size + len(data)
        row: dict[str, object] = {"seconds": round(elapsed, 4), "pages": count}
        uris = annotation_uris(data)
        if uris:  # found whole in the text or in a note (notes are handed over apart from the text)
            written = parsed.text + " " + " ".join(note.text for note in parsed.notes or [])
            row["uris"] = (sum(uri in written for uri in uris), len(uris))
        rows[path.name] = row
    real_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = big.read_bytes()
    started = time.perf_counter()
    parsed = parse_pdf(data)
    rows["generated 10,000 pages"] = {
        "seconds": round(time.perf_counter() - started, 4),
        "MB": round(len(data) / 1e6, 1),
        "notice": parsed.notice,
    }
    return {
        "files": rows,
        "pages_per_s": pages / seconds,
        "mb_per_s": size / seconds / 1e6,
        "peak_mb_real": real_peak,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def make_big(path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from pdf_maker import make_pdf

    pages = [[f"Chapter {n}", f"Text of page {n}, https://example.org/{n}", "More prose."] for n in range(10_000)]
    path.write_bytes(make_pdf(pages))


def in_child(argument: str, folder: Path, big: Path | None = None) -> dict[str, object]:
    command = [sys.executable, __file__, str(folder), "--child", argument]
    if big is not None:
        command += ["--big", str(big)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder of PDFs (NAME.truth.txt beside NAME.pdf: ground truth)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--big", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_reader(args.folder, args.big) if args.child == "reader" else run_library(args.child, args.folder)
        print(json.dumps(result))
        return
    print("| library | licence | text accuracy (raw / folded) | URIs whole in text | pages/s | MB/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    licences = {"pypdfium2": "Apache-2.0 / BSD-3", "pypdf": "BSD-3", "pdfminer.six": "MIT"}
    details: dict[str, object] = {}
    for library in LIBRARIES:
        result = in_child(library, args.folder)
        details[library] = result["files"]
        files: dict[str, dict[str, object]] = result["files"]  # type: ignore[assignment]
        scores = [row["similarity"] for row in files.values() if "similarity" in row]
        found = sum(row["uris"][0] for row in files.values() if "uris" in row)  # type: ignore[index]
        total = sum(row["uris"][1] for row in files.values() if "uris" in row)  # type: ignore[index]
        accuracy = " ".join(f"{s[0]:.3f} / {s[1]:.3f}" for s in scores)  # type: ignore[index]
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        print(
            f"| {library} | {licences[library]} | {accuracy} | {found}/{total} | "
            f"{float(result['pages']) / seconds:.0f} | {float(result['bytes']) / seconds / 1e6:.2f} | "  # type: ignore[arg-type]
            f"{float(result['peak_mb']):.0f} |"  # type: ignore[arg-type]
        )
    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "10000-pages.pdf"
        make_big(big)
        reader = in_child("reader", args.folder, big)
    print("\nrefcheck.extract.pdf.parse_pdf (pypdfium2 and the repairs, notes, links):")
    for name, row in reader["files"].items():  # type: ignore[attr-defined]
        print(f"  {name}: {json.dumps(row)}")
    print(
        f"  real files: {reader['pages_per_s']:.0f} pages/s, {reader['mb_per_s']:.2f} MB/s, "
        f"peak RSS {reader['peak_mb_real']:.0f} MB; with the 10,000-page PDF: peak RSS {reader['peak_mb']:.0f} MB"
    )
    print("\nper file:", json.dumps(details, indent=1))


if __name__ == "__main__":
    main()
