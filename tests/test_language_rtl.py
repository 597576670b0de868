"""The article's language (stated by markup or detected from the text) and right-to-left
text: bidi controls never inside a URL or a marker, reports that show RTL text correctly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_CORPUS, extract_path
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from refcheck.extract import ExtractContext, OutletIndex
from refcheck.extract.language import detect_language, language_tag

# One sentence a language, news register (the detector's word lists were not tuned on these).
SENTENCES = {
    "en": "According to Reuters, the talks ended without an agreement on the future of the province.",
    "fr": "Selon l'agence Reuters, les négociations se sont terminées sans accord sur l'avenir de la province.",
    "de": "Nach Angaben von Reuters endeten die Gespräche ohne eine Einigung über die Zukunft der Provinz.",
    "es": "Según Reuters, las conversaciones terminaron sin un acuerdo sobre el futuro de la provincia.",
    "ar": "وفقاً لوكالة رويترز، انتهت المحادثات من دون اتفاق على مستقبل المحافظة.",
    "fa": "به گزارش خبرگزاری رویترز، مذاکرات بدون توافق درباره آینده استان پایان یافت.",
    "he": "לפי סוכנות רויטרס, השיחות הסתיימו ללא הסכם על עתיד המחוז.",
    "ru": "По данным агентства Рейтер, переговоры завершились без соглашения о будущем провинции.",
    "uk": "За даними агентства Рейтер, переговори завершилися без угоди щодо майбутнього провінції.",
    "tr": "Reuters'a göre görüşmeler, vilayetin geleceği konusunda bir anlaşma olmadan sona erdi.",
}


@pytest.mark.parametrize(("language", "sentence"), sorted(SENTENCES.items()))
def test_detects_the_language_of_one_sentence(language: str, sentence: str) -> None:
    assert detect_language(sentence) == language


def test_arabic_and_persian_told_apart_by_their_letters() -> None:
    assert detect_language("استقال الوزير يوم الأربعاء") == "ar"  # ي, not ی
    assert detect_language("وزیر روز چهارشنبه استعفا داد") == "fa"  # ی, چ
    assert detect_language("قیمت‌ها در ماه‌های گذشته افزایش یافت") == "fa"


def test_links_do_not_make_an_rtl_article_english() -> None:
    text = "قالت وكالة رويترز إن المحادثات انتهت. " + " https://www.reuters.com/article/world-news-idUSKBN1" * 20
    assert detect_language(text) == "ar"


def test_too_little_text_or_an_unknown_script_gives_no_language() -> None:
    assert detect_language("") is None
    assert detect_language("12345 — https://example.com/") is None
    assert detect_language("ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ") is None  # Cherokee


def test_detection_reads_a_bounded_prefix() -> None:
    assert (
        detect_language("Привет, как это было? " * 300 + "the of and " * 100_000) == "ru"
    )  # English after 6,000 characters


@pytest.mark.parametrize(
    ("stated", "code"),
    [("he-IL", "he"), ("ar_SY", "ar"), ("FA", "fa"), ("iw", "he"), ("ara", "ar"), ("en, ar", "en"), ("x-default", None),
     ("und", None), ("", None), (None, None), (7, None)],
)  # fmt: skip
def test_language_tags_as_iso_639_1(stated: object, code: str | None) -> None:
    assert language_tag(stated) == code


def _extract(path: Path) -> str | None:
    return extract_path(path, ExtractContext(OutletIndex.load())).language


@pytest.mark.parametrize(
    ("name", "content", "language"),
    [
        ("a.html", '<html lang="ar-EG"><body><p>This text is English.</p></body></html>', "ar"),
        ("b.html", '<html xml:lang="he"><body><p>This text is English.</p></body></html>', "he"),
        ("c.html", '<html><head><meta http-equiv="content-language" content="fa"></head><body><p>Hi there, this '
                   "is English.</p></body></html>", "fa"),
        ("d.html", "<html><body><p>Die Gespräche endeten ohne eine Einigung über die Zukunft der Provinz.</p>"
                   "</body></html>", "de"),
        ("e.md", "---\ntitle: T\nlang: tr\n---\n\nThis text is English, but the front matter says otherwise.\n", "tr"),
        ("f.md", "---\nlanguage: ru-RU\n---\n\nThis text is English.\n", "ru"),
        ("g.txt", "Переговоры завершились без соглашения о будущем провинции.\n", "ru"),
    ],
)  # fmt: skip
def test_stated_language_wins_else_detected(tmp_path: Path, name: str, content: str, language: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert _extract(path) == language


def test_sample_corpus_languages() -> None:
    found = {path.name: _extract(path) for path in sorted(SAMPLE_CORPUS.iterdir())}
    assert {name: code for name, code in found.items() if code != "en"} == {
        "golan-line-he.html": "he",
        "idlib-bargain-ru.txt": "ru",
        "idlib-countdown-ar.txt": "ar",
        "idlib-countdown-tr.md": "tr",
        "rial-summer-fa.txt": "fa",
    }


# --- bidi controls in markers, note labels and URLs ----------------------------------------

BIDI = ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069"]  # fmt: skip


@pytest.mark.parametrize("mark", BIDI)
def test_bidi_controls_around_markers_and_after_urls(tmp_path: Path, mark: str) -> None:
    text = (
        "عنوان المقال\n\n"
        f"قالت مصادر إن المحادثات انتهت من دون اتفاق.{mark}(١){mark} وأضافت أن الجولة المقبلة لم تحدد بعد.{mark}(٢){mark}\n\n"
        f"(١) وكالة رويترز، 28 أغسطس 2018: https://www.reuters.com/article/idlib-talks-idARAKCN1{mark}\n\n"
        f"(٢) {mark}https://www.aljazeera.net/news/2018/8/28/idlib{mark}، 28 آب 2018\n"
    )
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    document = extract_path(path, ExtractContext(OutletIndex.load()))
    assert document.markers == [1, 2]
    assert [note.number for note in document.footnotes] == [1, 2]
    assert [c.text for c in document.citations] == [
        "https://www.reuters.com/article/idlib-talks-idARAKCN1",
        "https://www.aljazeera.net/news/2018/8/28/idlib",
    ]
    assert not [p for p in document.problems if p.severity != "info"]


# --- reports -----------------------------------------------------------------------------

RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
RAW_BIDI_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def rtl_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rtl")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in ("idlib-countdown-ar.txt", "golan-line-he.html", "rial-summer-fa.txt", "idlib-diplomacy.txt"):
        (corpus / name).write_bytes((SAMPLE_CORPUS / name).read_bytes())
    # A file name in Arabic, a hostile override in a note, a missing note: RTL text in every table and list.
    (corpus / "مقال.txt").write_text(
        "مقال قصير\n\nقالت المصادر إن الاتفاق انهار.(١) وأضافت أن الحدود مغلقة.(٢)\n\n"
        "(١) \u202eتقرير\u202c، 28 آب 2018، https://www.example-news.com/ar/تقرير-الحدود\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "refcheck", "corpus", "--offline", "--report-dir", "reports"],
        cwd=root, capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "5 of 5 articles read (4 languages: ar 2, en 1, fa 1, he 1)" in done.stdout
    return root / "reports" / "latest"


def test_report_md_tables_stay_tables_with_rtl_text(rtl_reports: Path) -> None:
    text = (rtl_reports / "report.md").read_text("utf-8")
    assert RTL_RE.search(text)  # the Arabic problem messages are there
    assert not RAW_BIDI_RE.search(text)  # controls from the corpus are shown as escapes, never raw
    assert "- Languages: ar 2, en 1, fa 1, he 1" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables = 0
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            tables += 1
            header = next(t for t in tokens[index:] if t.type == "tr_close")
            widths = []
            row = 0
            # This table's own end, by position (tokens compare equal by value: list.index finds the first table's).
            close = next(position for position in range(index, len(tokens)) if tokens[position].type == "table_close")
            for inner in tokens[index:close]:
                if inner.type == "tr_open":
                    row = 0
                elif inner.type in ("th_open", "td_open"):
                    row += 1
                elif inner.type == "tr_close":
                    widths.append(row)
            assert header is not None and len(set(widths)) == 1, widths
    assert tables >= 1


def test_report_html_gives_rtl_text_its_direction(rtl_reports: Path) -> None:
    text = (rtl_reports / "report.html").read_text("utf-8")
    assert not RAW_BIDI_RE.search(text)
    page = lxml_html.fromstring(text)
    assert "ar 2, en 1, fa 1, he 1" in page.get_element_by_id("languages").text_content()
    holders = 0
    for element in page.iter():
        own = (element.text or "") if isinstance(element.tag, str) else ""
        if not RTL_RE.search(own) or element.tag in ("title", "script", "style"):
            continue
        holders += 1
        # HTML: dir="auto" or <bdi>; SVG text: unicode-bidi="plaintext" (its direction from its first letter).
        isolated = [
            e
            for e in (element, *element.iterancestors())
            if e.tag == "bdi" or e.get("dir") == "auto" or e.get("unicode-bidi") == "plaintext"
        ]
        assert isolated, lxml_html.tostring(element, encoding="unicode")[:200]
    assert holders >= 5
