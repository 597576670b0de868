"""The title each citation gives the page it cites (Citation.title, CitedBy.title):
a link's text, a note's quoted title, or a note's words between the outlet and the
date -- and never a text that names no page (the URL, a domain, "here", a number)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck.extract import ExtractContext, OutletIndex, extract_text
from refcheck.extract.notes import link_title, note_titles, stretch_title
from refcheck.models import Document
from tests.conftest import refcheck


def extract(text: str, fmt: str) -> Document:
    return extract_text(text, fmt, f"article.{fmt}", ExtractContext(OutletIndex.load([])))


def titles(document: Document) -> dict[str, str | None]:
    return {citation.url: citation.title for citation in document.citations}


# --- link texts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The Carbon Budget",
        "US, Russia engage in war of words",
        "Syrian security officials met in Damascus",
        "الميزانية الكربونية للعالم",  # Arabic
        "תקציב הפחמן העולמי",  # Hebrew
        "بودجه کربن جهان",  # Persian
        "Küresel karbon bütçesi",  # Turkish
        "Углеродный бюджет мира",  # Russian
    ],
)
def test_a_link_text_that_names_the_page_is_its_title(text: str) -> None:
    assert link_title(f"  {text}\n ") == text


@pytest.mark.parametrize(
    "text",
    [
        "", "  ", "here", "Click here", "Read more", "source", "this", "link", "archived", "Archived copy",
        "[3]", "12", "↑", "^", "(PDF)",
        "https://www.reuters.com/article/x", "www.bbc.co.uk/news", "reuters.com", "Reuters.com",
        "Reuters",  # one word: the outlet, not the page
        "هنا", "اقرأ المزيد", "המקור", "כאן", "اینجا", "منبع", "buraya tıklayın", "kaynak", "здесь", "подробнее",
        "x " * 200,  # a paragraph made a link
    ],
)  # fmt: skip
def test_a_link_text_that_names_no_page_is_no_title(text: str) -> None:
    assert link_title(text) is None


def test_abbreviations_with_dots_are_not_taken_for_domains() -> None:
    assert link_title("U.S. officials met in Damascus") == "U.S. officials met in Damascus"


# --- footnote texts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "title"),
    [
        ('Smith, "The Carbon Budget of Nations", Nature, 2019.', "The Carbon Budget of Nations"),
        ("Smith, “The Carbon Budget of Nations”, Nature, 2019.", "The Carbon Budget of Nations"),
        ("Иванов, «Углеродный бюджет мира сегодня», 2019.", "Углеродный бюджет мира сегодня"),
        ("Müller, „Das Kohlenstoffbudget der Welt“, 2019.", "Das Kohlenstoffbudget der Welt"),
        ("Dupont, ‹Le budget carbone mondial›, 2019.", "Le budget carbone mondial"),
        ("山田「The carbon budget today」2019.", "The carbon budget today"),
        ("الجزيرة، «الميزانية الكربونية للعالم اليوم»، 2019", "الميزانية الكربونية للعالم اليوم"),
        ("Smith, “Carbon”, Nature: the two-word “Carbon Budget” skipped, “Three Word Title” taken",
         "Three Word Title"),
    ],
)  # fmt: skip
def test_a_notes_first_quoted_span_of_three_words_is_its_title(note: str, title: str) -> None:
    assert note_titles(note, [])[1] == title


@pytest.mark.parametrize(
    ("stretch", "title"),
    [
        ("Reuters: U.S., Syrian security officials met in Damascus: official, report, August 28, 2018, ",
         "U.S., Syrian security officials met in Damascus: official, report"),
        ("See on this e.g. Michael Pröbsting: Syria: Assad’s Massacre in East Ghouta, 23.02.2018, ",
         "Syria: Assad’s Massacre in East Ghouta"),
        ("US, Russia engage in war of words as Syria attack looms, 2018-08-28, ",
         "US, Russia engage in war of words as Syria attack looms"),
        ("Wary of U.S. ally, Syrian Kurds look to Damascus for talks, Ellen Francis July 25, 2018 / ",
         "Wary of U.S. ally, Syrian Kurds look to Damascus for talks"),
    ],
)  # fmt: skip
def test_the_words_between_outlet_and_date_are_the_title(stretch: str, title: str) -> None:
    assert stretch_title(stretch) == title


@pytest.mark.parametrize(
    "stretch",
    [
        "Reuters, August 28, 2018, ",  # an outlet and a date: no title
        "Reuters: report, 2018, ",  # too short to be a title
        "Reuters: Officials met in Damascus, see the full report at ",  # no date after it: not clearly a title
        "",
    ],
)
def test_no_title_where_the_note_gives_none(stretch: str) -> None:
    assert stretch_title(stretch) is None


def test_each_url_of_a_note_gets_the_title_written_before_it() -> None:
    note = (
        "Reuters: Officials met in Damascus, August 28, 2018, https://www.reuters.com/a; "
        "Daniel Salami: US offered to exit Syria, YNet, 08.28.18, https://www.ynetnews.com/b"
    )
    by_url, _ = note_titles(note, ["https://www.reuters.com/a", "https://www.ynetnews.com/b"])
    assert by_url == {
        "https://www.reuters.com/a": "Officials met in Damascus",
        "https://www.ynetnews.com/b": "US offered to exit Syria",
    }


@pytest.mark.parametrize(
    "note",
    [
        # A fragment of a sentence (lower case) and a quotation after a verb of saying:
        # the two wrong titles measured on ../shared/corpus were such.
        "Gen. Votel told a congressional committee that the fighters constitute "
        "“the most effective force on the ground in Syria against ISIS.” (https://example.mil/hearing)",
        "The commander once praised the SDF: “They have an indomitable will. They have been ferocious "
        "fighters.” (https://example.mil/transcript)",
        "Ein Sprecher sagte: „Wir werden die Grenze nicht öffnen“, https://example.de/a",
        "Представитель заявил: «Мы не откроем границу сегодня», https://example.ru/a",
        "قال المتحدث: “لن نفتح الحدود اليوم أبداً”، https://example.sa/a",
        # Speech before the date: the words up to the date are no title either.
        'Reuters. A spokesman said, "we will not open the border", March 2019, https://example.org/r',
    ],
)
def test_quoted_speech_is_not_a_title(note: str) -> None:
    url = note.rsplit(" ", 1)[-1].strip("()")
    by_url, whole = note_titles(note, [url])
    assert by_url.get(url) is None
    assert whole is None


@pytest.mark.parametrize("author", ["United States Department of State", "Claims Conference", "Says Who Media"])
def test_capitalised_words_that_look_like_verbs_of_saying_name_the_author(author: str) -> None:
    """A reviewer found "United States" read as a verb of saying ("states"): the title
    was lost. Verbs of saying are matched in lower case only."""
    note = f'{author}, "Country Reports on Human Rights Practices: Syria", March 2019, https://www.state.gov/x/'
    by_url, _ = note_titles(note, ["https://www.state.gov/x/"])
    assert by_url == {"https://www.state.gov/x/": "Country Reports on Human Rights Practices: Syria"}


def test_a_quoted_title_after_the_outlet_is_still_a_title() -> None:
    note = "See e.g. RCIT: “We have 50,000 partners on the ground.”, https://example.net/revelations"
    assert note_titles(note, ["https://example.net/revelations"])[0] == {
        "https://example.net/revelations": "We have 50,000 partners on the ground"
    }


def test_a_url_of_a_note_without_a_title_of_its_own_does_not_borrow_anothers() -> None:
    note = (
        "See RCIT: “We have 50,000 partners on the ground”, https://example.net/a. The general "
        "praised them: “They have an indomitable will.” (https://example.mil/b)"
    )
    by_url, _ = note_titles(note, ["https://example.net/a", "https://example.mil/b"])
    assert by_url == {"https://example.net/a": "We have 50,000 partners on the ground", "https://example.mil/b": None}
    document = extract(f"A claim (1).\n\nNotes\n(1) {note}\n", "text")
    assert titles(document)["https://example.mil/b"] is None


# --- through extraction, in each format ------------------------------------------------

TEXT = """A claim (1) and another (2).

Notes
(1) Reuters: Officials met in Damascus, August 28, 2018, https://www.reuters.com/article/met
(2) See https://example.org/raw for the data.
"""


def test_plain_text_notes_give_their_titles() -> None:
    found = titles(extract(TEXT, "text"))
    assert found["https://www.reuters.com/article/met"] == "Officials met in Damascus"
    assert found["https://example.org/raw"] is None


MARKDOWN = """# Article

The [Global Carbon Budget](https://example.org/budget) says so; see [here](https://example.org/here),
<https://example.org/auto> and [example.org/bare](https://example.org/bare).
A [סקירת תקציב הפחמן](https://example.org/he) in Hebrew.

Claim.[^1] Other.[^2]

[^1]: [Officials met in Damascus](https://example.com/met), Reuters, 2018.
[^2]: Reuters, “Officials met again in Damascus”, [link](https://example.com/again), 2018.
"""


def test_markdown_link_texts_and_notes_give_their_titles() -> None:
    found = titles(extract(MARKDOWN, "markdown"))
    assert found["https://example.org/budget"] == "Global Carbon Budget"
    assert found["https://example.org/he"] == "סקירת תקציב הפחמן"
    assert found["https://example.org/here"] is None
    assert found["https://example.org/auto"] is None
    assert found["https://example.org/bare"] is None
    assert found["https://example.com/met"] == "Officials met in Damascus"
    # A generic link text in a note: the note's quoted title instead.
    assert found["https://example.com/again"] == "Officials met again in Damascus"


HTML = """<!doctype html><html lang="ar"><body><article>
<p>Says <a href="https://example.org/budget">الميزانية الكربونية للعالم</a>
and <a href="https://example.org/more">اقرأ المزيد</a>
and <a href="https://example.org/img"><img src="x.png" alt=""></a>.<sup><a href="#fn1">1</a></sup></p>
<ol class="references"><li id="fn1">Smith, <cite>"<a href="https://example.com/study">The Carbon Budget of
Nations</a>"</cite>. Nature. 2019. <a href="https://web.archive.org/web/2019/https://example.com/study">Archived</a></li></ol>
</article></body></html>"""


def test_html_anchor_texts_give_their_titles() -> None:
    found = titles(extract(HTML, "html"))
    assert found["https://example.org/budget"] == "الميزانية الكربونية للعالم"
    assert found["https://example.org/more"] is None
    assert found["https://example.org/img"] is None
    assert found["https://example.com/study"] == "The Carbon Budget of Nations"
    # "Archived" names no page, and the note's title is its titled link's: none for the copy.
    assert found["https://web.archive.org/web/2019/https://example.com/study"] is None


def test_running_text_links_on_words_of_a_sentence_are_no_titles() -> None:
    page = (
        '<p>The firm was <a href="https://example.org/owned">owned by the same company</a>, '
        'see <a href="https://example.org/report">Annual Report on Carbon</a>.</p>'
    )
    found = titles(extract(page, "html"))
    assert found["https://example.org/owned"] is None
    assert found["https://example.org/report"] == "Annual Report on Carbon"
    # In a note, a link's text is the cited work's title however it starts.
    assert link_title("curse of dimensionality") == "curse of dimensionality"
    assert link_title("curse of dimensionality", in_prose=True) is None
    assert link_title("Click here for Honda merchandise") is None


def test_nested_links_give_no_title_and_stay_linear() -> None:
    page = "<p>" + '<a href="https://example.org/n">x ' * 3000 + "</p>"
    document = extract(page, "html")
    assert all(citation.title is None for citation in document.citations)


# --- into the JSON ---------------------------------------------------------------------


def test_the_title_reaches_cited_by_in_the_json(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(MARKDOWN, encoding="utf-8")
    (corpus / "b.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.json"
    done = refcheck(tmp_path, str(corpus), "--offline", "--no-report", "--json", str(out))
    assert done.returncode in (0, 1), done.stderr
    links = {link["url"]: link for link in json.loads(out.read_text(encoding="utf-8"))["links"]}
    cited = {
        (by["path"].rsplit("/", 1)[-1], url): by["title"] for url, link in links.items() for by in link["cited_by"]
    }
    assert cited[("a.md", "https://example.org/budget")] == "Global Carbon Budget"
    assert cited[("a.md", "https://example.org/here")] is None
    assert cited[("b.txt", "https://www.reuters.com/article/met")] == "Officials met in Damascus"
