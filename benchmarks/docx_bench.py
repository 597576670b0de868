"""Word-document extraction: speed of ``parse_docx`` + ``analyze`` and accuracy on real files.

    python benchmarks/docx_bench.py [--pandoc DIR] [--python-docx DIR] [--repeat N]

Speed: generated documents of a few sizes (``tests/docx_maker.py``: paragraphs of
~300 characters, a footnote every 4th paragraph, a hyperlink every 3rd, a field-code
link every 10th), and, with ``--pandoc DIR``, every ``.docx`` of pandoc's test suite
(``test/docx`` of github.com/jgm/pandoc). Best of ``--repeat`` runs, one process, CPU
time. MB/s counts the ``.docx`` file's bytes.

Accuracy: ``--pandoc DIR`` compares, for each file, the notes and the external links
found with pandoc's expected output (the ``.native`` file beside it: ``Note [`` blocks,
``Link`` targets not starting with ``#``); ``--python-docx DIR`` compares the
hyperlinks with what python-docx itself reads from its own fixtures
(``Paragraph.hyperlinks`` → ``Hyperlink.url``).

Libraries compared when installed (bench only, never runtime): python-docx (body text
and hyperlinks; it reads no footnotes) and docx2python (body and footnotes).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from docx_maker import WordDocument, field_link, footnote_ref, run  # noqa: E402

from refcheck.extract.analyze import ExtractContext, analyze  # noqa: E402
from refcheck.extract.docx import parse_docx  # noqa: E402
from refcheck.extract.odt import parse_odt  # noqa: E402
from refcheck.extract.outlets import OutletIndex  # noqa: E402
from refcheck.extract.source import ParsedSource  # noqa: E402

SIZES = (10, 100, 1_000, 10_000)
SENTENCES = (
    "Officials in Ankara said the talks would continue next week, although neither side would say where.",
    "The ministry's figures, published on Tuesday, show the reservoirs at their lowest level in a decade.",
    "Aid agencies warned that the camps along the border were already full and could take no more families.",
    "A spokesman declined to comment on the report, saying only that the government's position had not changed.",
)


def generated(paragraphs: int) -> bytes:
    document = WordDocument(title="Benchmark", created="2018-08-30T09:00:00Z", company="Levant Dispatch")
    note = 0
    for index in range(paragraphs):
        parts = [run(" ".join(SENTENCES[(index + k) % 4] for k in range(3)))]
        if index % 3 == 0:
            parts.append(document.hyperlink(f"https://www.reuters.com/article/story-{index}", "A story on the talks"))
        if index % 10 == 0:
            parts.append(field_link(f'HYPERLINK "https://www.bbc.co.uk/news/{index}"', "BBC report on the region"))
        if index % 4 == 0:
            note += 1
            parts.append(footnote_ref(note))
            document.footnotes[note] = [run(f" Reuters, 28 August 2018, https://www.reuters.com/world/note-{note}")]
        document.add(*parts)
    return document.build()


def best_seconds(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        action()
        best = min(best, time.process_time() - started)
    return best


def speed(context: ExtractContext, repeat: int) -> None:
    print("generated documents (parse_docx + analyze; parse_docx alone in brackets)")
    print(f"{'paragraphs':>10} {'size KB':>8} {'XML KB':>8} {'ms':>16} {'MB/s':>7} {'XML MB/s':>9}"
          f" {'paragraphs/s':>13} {'documents/s':>12}")  # fmt: skip
    for size in SIZES:
        data = generated(size)
        xml = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        whole = best_seconds(lambda data=data: analyze(parse_docx(data), "a.docx", context), repeat)  # type: ignore[misc]
        alone = best_seconds(lambda data=data: parse_docx(data), repeat)  # type: ignore[misc]
        print(f"{size:>10,} {len(data) / 1024:>8.0f} {xml / 1024:>8.0f} {whole * 1000:>8.1f} ({alone * 1000:>5.1f})"
              f" {len(data) / 2**20 / whole:>7.2f} {xml / 2**20 / whole:>9.2f} {size / whole:>13,.0f}"
              f" {1 / whole:>12,.1f}")  # fmt: skip


def speed_on(files: list[Path], context: ExtractContext, repeat: int, label: str) -> None:
    datas = [path.read_bytes() for path in files]
    paragraphs = sum(len(parse_docx(data).source_lines or []) for data in datas)

    def all_files() -> None:
        for data in datas:
            analyze(parse_docx(data), "a.docx", context)

    seconds = best_seconds(all_files, repeat)
    size = sum(map(len, datas))
    print(f"{label}: {len(datas)} documents, {size / 2**20:.2f} MB, {paragraphs:,} paragraphs: "
          f"{seconds * 1000:.0f} ms, {size / 2**20 / seconds:.2f} MB/s, {paragraphs / seconds:,.0f} paragraphs/s, "
          f"{len(datas) / seconds:,.0f} documents/s")  # fmt: skip


def libraries(repeat: int) -> None:
    data = generated(1_000)
    rows: list[tuple[str, Callable[[], object]]] = [("refcheck parse_docx (lxml, streaming)", lambda: parse_docx(data))]
    try:
        import docx  # python-docx

        def python_docx() -> object:
            document = docx.Document(io.BytesIO(data))
            return [(p.text, [h.url for h in p.hyperlinks]) for p in document.paragraphs]

        rows.append(("python-docx 1.x: paragraphs' text + hyperlinks (no notes)", python_docx))
    except ImportError:
        pass
    try:
        from docx2python import docx2python

        def with_docx2python() -> object:
            with docx2python(io.BytesIO(data)) as result:
                return result.body, result.footnotes

        rows.append(("docx2python: body + footnotes", with_docx2python))
    except ImportError:
        pass
    print("\nlibraries on the generated 1,000-paragraph document (CPU ms, best of runs)")
    for name, action in rows:
        print(f"  {name:<60} {best_seconds(action, repeat) * 1000:>8.1f}")


# --- accuracy --------------------------------------------------------------------------

_NOTE_RE = re.compile(r"\bNote \[")
_LINK_START_RE = re.compile(r"\bLink \(")
_TARGET_RE = re.compile(r'\s*\("((?:[^"\\]|\\.)*)"')


def expected_native(native: str) -> tuple[int, list[str]]:
    """Notes and external link targets of a pandoc ``.native`` file (a link's text may
    hold an image or another link: brackets are matched, strings skipped)."""
    links = []
    for match in _LINK_START_RE.finditer(native):
        position = _after_group(native, match.end() - 1, "(", ")")
        position = _after_group(native, native.index("[", position), "[", "]")
        target = _TARGET_RE.match(native, position)
        if target and target.group(1) and not target.group(1).startswith("#"):
            links.append(target.group(1))
    return len(_NOTE_RE.findall(native)), links


def expected_markdown(text: str) -> tuple[int, list[str]]:
    notes = len(re.findall(r"^\[\^[^\]]+\]:", text, re.MULTILINE))
    links = re.findall(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>", text)
    return notes, [inline or auto for inline, auto in links]


def _after_group(text: str, start: int, opening: str, closing: str) -> int:
    depth, position, in_string = 0, start, False
    while position < len(text):
        char = text[position]
        if in_string:
            if char == "\\":
                position += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    return position


def found(data: bytes, reader: Callable[[bytes], ParsedSource] = parse_docx) -> tuple[int, list[str]]:
    parsed = reader(data)
    links = [link.href for link in parsed.links]
    links += [link.href for note in parsed.notes or [] for link in note.links]
    return len(parsed.notes or []), links


def pandoc_accuracy(folder: Path, suffix: str = ".docx", natives_folder: Path | None = None) -> None:
    reader = parse_docx if suffix == ".docx" else parse_odt
    print(f"\npandoc {folder.name}: notes and external links, found / expected (pandoc's .native)")
    print(f"{'file':<40} {'notes':>9} {'links':>9}  wrong")
    totals = [0, 0, 0, 0]
    for path in sorted(folder.glob("*" + suffix)):
        natives = sorted((natives_folder or folder).glob(path.stem + "*.native"))
        markdown = folder.parent / "markdown" / (path.stem + ".md")
        if natives:
            expected_notes, expected_links = expected_native(natives[0].read_text("utf-8"))
        elif markdown.is_file():  # pandoc's odt tests give some expectations as Markdown
            expected_notes, expected_links = expected_markdown(markdown.read_text("utf-8"))
        else:
            continue
        notes, links = found(path.read_bytes(), reader)
        if not (expected_notes or expected_links or notes or links):
            continue
        wrong = sorted(set(links) ^ {_unescape(link) for link in expected_links})
        totals = [
            totals[0] + notes,
            totals[1] + expected_notes,
            totals[2] + len(links),
            totals[3] + len(expected_links),
        ]
        print(
            f"{path.name:<40} {notes:>4}/{expected_notes:<4} {len(links):>4}/{len(expected_links):<4}  {' '.join(wrong)}"
        )
    print(f"{'total':<40} {totals[0]:>4}/{totals[1]:<4} {totals[2]:>4}/{totals[3]:<4}")


def _unescape(native: str) -> str:
    return native.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in native else native


def python_docx_accuracy(folder: Path) -> None:
    import docx

    print("\npython-docx fixtures: hyperlinks found / read by python-docx")
    for path in sorted(folder.glob("*.docx")):
        data = path.read_bytes()
        try:
            expected = [h.url for p in docx.Document(io.BytesIO(data)).paragraphs for h in p.hyperlinks if h.url]
        except Exception:  # a fixture python-docx itself cannot open (a template, a broken test file)
            continue
        try:
            links = [link.href for link in parse_docx(data).links]
        except Exception as exc:
            print(f"  {path.name:<40} refcheck: {exc}")
            continue
        if expected or links:
            wrong = sorted(set(links) ^ set(expected))
            print(f"  {path.name:<40} {len(links):>3}/{len(expected):<3} {' '.join(wrong)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pandoc", type=Path, help="pandoc's test/docx folder")
    parser.add_argument("--pandoc-odt", type=Path, help="pandoc's test/odt folder (odt/ and native/ inside)")
    parser.add_argument("--python-docx", type=Path, help="python-docx's features/steps/test_files folder")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    print("command: python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]))
    context = ExtractContext(OutletIndex.load())
    speed(context, options.repeat)
    if options.pandoc:
        speed_on(sorted(options.pandoc.rglob("*.docx")), context, options.repeat, "pandoc test/docx")
    libraries(options.repeat)
    if options.pandoc:
        pandoc_accuracy(options.pandoc)
    if options.pandoc_odt:
        pandoc_accuracy(options.pandoc_odt / "odt", ".odt", options.pandoc_odt / "native")
    if options.python_docx:
        python_docx_accuracy(options.python_docx)


if __name__ == "__main__":
    main()
