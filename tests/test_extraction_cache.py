"""Extracted articles kept in the cache: an unchanged article is not parsed again,
a changed one is, and what comes back is exactly what extraction gave."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from refcheck.config import Settings
from refcheck.pipeline import run
from refcheck.resolve.cache import Cache

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus"


def documents(corpus: Path, cache_dir: Path) -> list[dict[str, object]]:
    result = run([corpus], Settings(offline=True, workers=1, cache_dir=str(cache_dir)))
    try:
        return [document.to_dict() for document in result.documents]
    finally:
        result.documents.close()


def test_every_sample_article_comes_back_from_the_cache_exactly(tmp_path: Path) -> None:
    cold = documents(SAMPLE, tmp_path / "cache")
    warm = documents(SAMPLE, tmp_path / "cache")
    assert len(cold) == 15 and warm == cold
    with_local_links = sum(1 for document in cold if document["local_links"])
    assert with_local_links == 1  # iran-sanctions-explainer.md links a local file: not kept
    cache = Cache(tmp_path / "cache")
    try:
        assert len(cache) == 15 - with_local_links
    finally:
        cache.close()


def test_a_run_with_every_article_cached_loads_no_extraction_code(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for article in SAMPLE.iterdir():
        if article.name != "iran-sanctions-explainer.md":  # its local link keeps it out of the cache
            (corpus / article.name).write_bytes(article.read_bytes())
    documents(corpus, tmp_path / "cache")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from refcheck.config import Settings\n"
        "from refcheck.pipeline import run\n"
        f"result = run([Path({str(corpus)!r})], Settings(offline=True, workers=1, cache_dir={str(tmp_path / 'cache')!r}))\n"
        "print(result.summary.documents_read, sorted(m for m in sys.modules if m.startswith('refcheck.extract')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    read, loaded = done.stdout.split(" ", 1)
    assert read == "14"
    assert "refcheck.extract.analyze" not in loaded and "refcheck.extract.markdown" not in loaded, loaded


def test_a_changed_article_is_extracted_again(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = corpus / "a.txt"
    article.write_text("Title\n\nA claim (1).\n\n(1) Reuters, 28 August 2018, https://www.reuters.com/a\n")
    first = documents(corpus, tmp_path / "cache")
    article.write_text("Title\n\nA claim (1).\n\n(1) Reuters, 28 August 2018, https://www.reuters.com/b\n")
    second = documents(corpus, tmp_path / "cache")
    assert [c["url"] for c in first[0]["citations"]] == ["https://www.reuters.com/a"]  # type: ignore[index]
    assert [c["url"] for c in second[0]["citations"]] == ["https://www.reuters.com/b"]  # type: ignore[index]


def test_a_damaged_cached_article_is_extracted_again_with_a_note(tmp_path: Path) -> None:
    cold = documents(SAMPLE, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache" / "cache.db") as database:  # damage planted from outside
        damaged = database.execute(
            "UPDATE Cache SET value = ? WHERE key LIKE 'document:%'", (json.dumps({"rows": 1, "document": [1, 2]}),)
        ).rowcount
    assert damaged == 14
    result = run([SAMPLE], Settings(offline=True, workers=1, cache_dir=str(tmp_path / "cache")))
    try:
        warm = [document.to_dict() for document in result.documents]
    finally:
        result.documents.close()
    assert warm == cold
    assert sum("damaged" in note for note in result.notes) == 14, result.notes


def test_a_document_with_local_links_or_credentials_is_not_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "local.md").write_text("# T\n\nSee [the table](data/table.csv).\n")
    (corpus / "secret.txt").write_text("T\n\nSee https://user:pass@example.org/x for more.\n")
    documents(corpus, tmp_path / "cache")
    cache = Cache(tmp_path / "cache")
    try:
        assert len(cache) == 0
    finally:
        cache.close()


def test_the_setting_turns_the_cache_of_articles_off(tmp_path: Path) -> None:
    result = run([SAMPLE], Settings(offline=True, workers=1, cache_dir=str(tmp_path / "cache"), cache_articles=False))
    result.documents.close()
    cache = Cache(tmp_path / "cache")
    try:
        assert len(cache) == 0
    finally:
        cache.close()
