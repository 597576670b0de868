"""Extraction of whole articles against hand-made answer keys: the real seed
corpus in ../shared (skipped where absent) and the bundled sample corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_CORPUS, SHARED_CORPUS, answer_shape, extract_path, load_key

from refcheck.extract import ExtractContext, OutletIndex


def _compare(path: Path, expected: dict[str, Any]) -> None:
    document = extract_path(path, ExtractContext(OutletIndex.load()))
    assert document.error is None and document.skipped is None
    got = answer_shape(document)
    for key, want in expected.items():
        if key == "problems":
            want = sorted(want, key=lambda p: (p["line"], p["kind"]))
        if key == "footnote_markers_in_body":
            want = [int(x) if isinstance(x, str) and x.isdigit() else x for x in want]
        if key == "footnotes_with_an_unlinked_work":
            want = sorted(want, key=str)
        assert got[key] == want, f"{path.name}: {key}"


SHARED_KEY = SHARED_CORPUS / "expected.json"


@pytest.mark.skipif(not SHARED_KEY.is_file(), reason="../shared/corpus is not here (a fresh clone)")
@pytest.mark.parametrize("name", sorted(load_key(SHARED_KEY)) if SHARED_KEY.is_file() else [])
def test_seed_corpus_matches_answer_key(name: str) -> None:
    _compare(SHARED_CORPUS / name, load_key(SHARED_KEY)[name])


SAMPLE_KEY = Path(__file__).parent / "data" / "sample_expected.json"


@pytest.mark.parametrize("name", sorted(load_key(SAMPLE_KEY)))
def test_sample_corpus_matches_answer_key(name: str) -> None:
    _compare(SAMPLE_CORPUS / name, load_key(SAMPLE_KEY)[name])
