"""Finding article files and reading them as text (refcheck.collect), and the
per-file error handling of extract_file. Everything happens under tmp_path."""

from __future__ import annotations

import codecs
import os
import threading
from pathlib import Path

import pytest

from refcheck.collect import InputError, SkipFile, Skipped, SourceFile, collect, decode, read_text
from refcheck.extract import ExtractContext, OutletIndex, extract_file

LIMIT = 20_000_000

# --- decoding ------------------------------------------------------------------------------------

ACCENTED = "Café crème, naïve façade — “quoted” and ‘single’ €5\n"


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", ACCENTED.encode("utf-8"))
    assert read_text(path, LIMIT) == (ACCENTED, "utf-8")


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", codecs.BOM_UTF8 + ACCENTED.encode("utf-8"))
    text, encoding = read_text(path, LIMIT)
    assert text == ACCENTED  # the BOM is not part of the text
    assert not text.startswith("\ufeff")
    assert encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
    ids=["le", "be"],
)
def test_utf16_with_bom(tmp_path: Path, bom: bytes, codec: str) -> None:
    path = _write(tmp_path / "a.txt", bom + ACCENTED.encode(codec))
    text, encoding = read_text(path, LIMIT)
    assert text == ACCENTED
    assert encoding == "utf-16"


def test_utf16_with_bom_and_crlf(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", codecs.BOM_UTF16_LE + "one\r\ntwo\r\n".encode("utf-16-le"))
    assert read_text(path, LIMIT) == ("one\ntwo\n", "utf-16")


CP1252_TEXT = (
    "The minister said “we will pay €5 million” to the café owners — it’s a déjà vu. "
    "Officials in the capital declined to comment on the report, which was published on Monday.\n"
)


def test_cp1252_curly_quotes_accents_and_euro(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", CP1252_TEXT.encode("cp1252"))
    text, encoding = read_text(path, LIMIT)
    assert text == CP1252_TEXT
    assert codecs.lookup(encoding).name == "cp1252"


def test_cp1252_short_paragraph(tmp_path: Path) -> None:
    sample = "The café on the corner, run by Renée, served crème brûlée at €4. “It’s the best in town,” said one.\n"
    path = _write(tmp_path / "a.txt", sample.encode("cp1252"))
    assert read_text(path, LIMIT)[0] == sample


@pytest.mark.parametrize(
    "sample",
    [
        "Le ministre a déclaré que la société française était à la tête du marché » et naïve.\n",
        "Grüße aus München. Die Straße ist schön, und der Käse ist gut. © 2020 ± 5°C\n",
        "Café",
        "Crème brûlée, s’il vous plaît.\n",
    ],
    ids=["french", "german", "one-word", "short-french"],
)
def test_latin1(tmp_path: Path, sample: str) -> None:
    data = sample.replace("’", "'").encode("latin-1")
    path = _write(tmp_path / "a.txt", data)
    text, encoding = read_text(path, LIMIT)
    assert text == sample.replace("’", "'")
    assert data.decode(encoding) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"one\r\ntwo\r\nthree", "one\ntwo\nthree"),
        (b"one\rtwo\rthree\r", "one\ntwo\nthree\n"),
        (b"mixed\r\nold mac\runix\n", "mixed\nold mac\nunix\n"),
        (b"blank\r\n\r\nline", "blank\n\nline"),
    ],
    ids=["crlf", "cr", "mixed", "blank-crlf"],
)
def test_newlines_become_lf(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = _write(tmp_path / "a.txt", raw)
    assert read_text(path, LIMIT) == (expected, "utf-8")


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", b"looks like text\x00\x01\x02 but is not")
    with pytest.raises(SkipFile, match=r"^binary file \(NUL bytes\)$"):
        read_text(path, LIMIT)


def test_decode_directly() -> None:
    assert decode(b"plain ascii") == ("plain ascii", "utf-8")
    with pytest.raises(SkipFile, match="binary"):
        decode(b"\x00\x00\x00\x00")


def test_over_size_limit_is_skipped_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "big.txt", b"x" * 2_000_001)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", spy)
    with pytest.raises(SkipFile) as caught:
        read_text(path, 1_000_000)
    assert "size limit" in str(caught.value)
    assert str(caught.value) == "larger than the size limit (2.0 MB > 1.0 MB)"
    assert opened == []  # the file was never opened


def test_at_size_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", b"x" * 100)
    assert read_text(path, 100) == ("x" * 100, "utf-8")


# --- collecting ----------------------------------------------------------------------------------


def _names(items: list[SourceFile | Skipped]) -> list[str]:
    return [item.name for item in items]


def _rel(items: list[SourceFile | Skipped], root: Path) -> list[str]:
    prefix = root.as_posix() + "/"
    out = []
    for item in items:
        assert item.name.startswith(prefix), item.name
        out.append(item.name[len(prefix) :])
    return out


def test_walk_is_sorted_and_recursive(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for name in ["b.txt", "a.md", "sub/z.html", "sub/deeper/c.htm", "C.TXT", "sub/a.markdown", "x.text"]:
        _write(root / name, b"text")
    items = list(collect([root]))
    assert all(isinstance(item, SourceFile) for item in items)
    assert _rel(items, root) == ["C.TXT", "a.md", "b.txt", "x.text", "sub/a.markdown", "sub/z.html", "sub/deeper/c.htm"]
    formats = {Path(item.name).name: item.format for item in items if isinstance(item, SourceFile)}
    assert formats == {
        "C.TXT": "text",
        "a.md": "markdown",
        "b.txt": "text",
        "x.text": "text",
        "a.markdown": "markdown",
        "z.html": "html",
        "c.htm": "html",
    }
    first = items[0]
    assert isinstance(first, SourceFile) and first.path == root / "C.TXT"


def test_hidden_folders_and_files_are_not_collected(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    _write(root / ".git" / "x.txt", b"hidden folder")
    _write(root / "sub" / ".cache" / "y.md", b"hidden folder below")
    _write(root / ".hidden.txt", b"hidden file")
    _write(root / "sub" / ".also.md", b"hidden file below")
    _write(root / "visible.txt", b"shown")
    items = list(collect([root]))
    assert _rel(items, root) == ["visible.txt"]


def test_non_article_extensions_are_skipped_with_a_reason(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    _write(root / "a.txt", b"article")
    _write(root / "b.epub", b"PK")
    _write(root / "c.json", b"{}")
    _write(root / "README", b"no extension")
    items = list(collect([root]))
    assert items == [
        Skipped((root / "README").as_posix(), "not an article (no extension)"),
        SourceFile(root / "a.txt", (root / "a.txt").as_posix(), "text"),
        Skipped((root / "b.epub").as_posix(), "not an article (.epub)"),
        Skipped((root / "c.json").as_posix(), "not an article (.json)"),
    ]


def test_single_file_path(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.md", b"# hi")
    assert list(collect([path])) == [SourceFile(path, path.as_posix(), "markdown")]
    epub = _write(tmp_path / "one.epub", b"PK")
    # Named on the command line: says which formats are read (issue 13: not "no articles found").
    reason = "not a supported article format (.txt, .md, .html, .docx, .odt, .pdf)"
    assert list(collect([epub])) == [Skipped(epub.as_posix(), reason)]
    pdf = _write(tmp_path / "one.pdf", b"%PDF")
    assert list(collect([pdf])) == [SourceFile(pdf, pdf.as_posix(), "pdf")]


def test_display_name_keeps_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "corpus" / "sub" / "a.txt", b"x")
    monkeypatch.chdir(tmp_path)
    assert _names(list(collect([Path("corpus")]))) == ["corpus/sub/a.txt"]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    _write(root / "a.txt", b"x")
    _write(root / "sub" / "b.txt", b"y")
    (root / "sub" / "up").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(".", target_is_directory=True)
    found: list[list[SourceFile | Skipped]] = []
    worker = threading.Thread(target=lambda: found.append(list(collect([root]))), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "collect() did not finish: it followed a symlink loop"
    assert _rel(found[0], root) == ["a.txt", "sub/b.txt"]


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError) as caught:
        list(collect([missing]))
    assert str(caught.value) == f"{missing}: no such file or folder"


def test_exclude_globs_skip_files(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for name in ["keep.txt", "draft-1.txt", "sub/draft-2.md", "sub/keep.md", "old/z.txt"]:
        _write(root / name, b"x")
    items = list(collect([root], exclude=["draft-*", "*/old/*"]))
    kept = [item for item in items if isinstance(item, SourceFile)]
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert _rel(kept, root) == ["keep.txt", "sub/keep.md"]  # type: ignore[arg-type]
    assert sorted(_rel(skipped, root)) == ["draft-1.txt", "old/z.txt", "sub/draft-2.md"]  # type: ignore[arg-type]
    assert {item.reason for item in skipped} == {"excluded by settings"}


# --- unreadable files: extract_file never raises --------------------------------------------------


@pytest.fixture
def context() -> ExtractContext:
    return ExtractContext(OutletIndex.load())


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path, context: ExtractContext) -> None:
    path = _write(tmp_path / "secret.txt", b"x")
    path.chmod(0)
    try:
        document = extract_file(SourceFile(path, "secret.txt", "text"), context, LIMIT)
    finally:
        path.chmod(0o644)
    assert document.error == "cannot read: permission denied"
    assert document.skipped is None


def test_directory_named_like_an_article(tmp_path: Path, context: ExtractContext) -> None:
    path = tmp_path / "x.txt"
    path.mkdir()
    document = extract_file(SourceFile(path, "x.txt", "text"), context, LIMIT)
    assert document.path == "x.txt"
    assert document.format == "text"
    assert document.error == "cannot read: is a directory"
    assert document.skipped is None
    assert document.citations == [] and document.footnotes == []


def test_dangling_symlink(tmp_path: Path, context: ExtractContext) -> None:
    path = tmp_path / "y.txt"
    path.symlink_to(tmp_path / "gone.txt")
    document = extract_file(SourceFile(path, "y.txt", "text"), context, LIMIT)
    assert document.error == "cannot read: no such file or directory"
    assert document.skipped is None


def test_dangling_symlink_in_a_folder_is_collected_and_reported(tmp_path: Path, context: ExtractContext) -> None:
    root = tmp_path / "corpus"
    _write(root / "a.txt", b"x")
    (root / "y.txt").symlink_to(root / "gone.txt")
    items = list(collect([root]))
    assert _rel(items, root) == ["a.txt", "y.txt"]
    dangling = items[1]
    assert isinstance(dangling, SourceFile)
    assert extract_file(dangling, context, LIMIT).error == "cannot read: no such file or directory"


def test_binary_and_oversized_give_skipped_documents(tmp_path: Path, context: ExtractContext) -> None:
    binary = _write(tmp_path / "bin.txt", b"a\x00b")
    big = _write(tmp_path / "big.txt", b"x" * 50)
    assert extract_file(SourceFile(binary, "bin.txt", "text"), context, LIMIT).skipped == "binary file (NUL bytes)"
    document = extract_file(SourceFile(big, "big.txt", "text"), context, 10)
    assert document.skipped is not None and "size limit" in document.skipped
    assert document.error is None
