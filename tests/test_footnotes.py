"""Footnotes written as plain text: notes blocks, markers, problems (each with its line)."""

from __future__ import annotations

import pytest
from conftest import extract

from refcheck.models import Document


def problems(document: Document) -> list[tuple[str, object, int]]:
    return [(p.kind, p.footnote, p.line) for p in document.problems]


def note_urls(document: Document) -> dict[object, list[str]]:
    return {note.number: note.urls for note in document.footnotes}


@pytest.mark.parametrize(
    ("label_one", "label_two", "heading"),
    [
        ("(1)", "(2)", ""),
        ("[1]", "[2]", ""),
        ("^1", "^2", ""),
        ("1.", "2.", "Notes\n\n"),
        ("1)", "2)", "References\n\n"),
    ],
)
def test_notes_block_styles(label_one: str, label_two: str, heading: str) -> None:
    text = (
        "Title\n\nThe story first ran in the press (1) and was confirmed later [2].\n\n"
        f"{heading}{label_one} Reuters: Officials met, August 28, 2018, https://www.reuters.com/a\n\n"
        f"{label_two} Second note https://www.aljazeera.com/b; more at https://www.al-monitor.com/c.\n"
    )
    document = extract(text)
    assert [n.number for n in document.footnotes] == [1, 2]
    assert note_urls(document) == {
        1: ["https://www.reuters.com/a"],
        2: ["https://www.aljazeera.com/b", "https://www.al-monitor.com/c"],
    }
    assert [n.line for n in document.footnotes] == [5, 7] if not heading else [7, 9]
    assert document.footnotes[0].date == "2018-08-28"
    assert [c.kind for c in document.citations] == ["footnote"] * 3


def test_markers_and_non_markers() -> None:
    text = (
        "In a report (2018) the agency said so (1). Article 1. of the treaty [sic] applies.[2]\n"
        "The steps were:\n"
        "1. First step\n"
        "2. Second step\n"
        "Superscripts too³ and ¹.\n\n"
        "(1) One https://a.org/1\n\n(2) Two https://b.org/2\n\n(3) Three https://c.org/3\n"
    )
    document = extract(text)
    assert document.markers == [1, 2, 3, 1]
    assert problems(document) == []


def test_each_problem_with_its_line() -> None:
    text = (
        "Body cites one (1), two (2), four (4) and seven (7).\n"  # 1
        "\n"  # 2
        "(1) One https://a.org/1\n"  # 3
        "\n"  # 4
        "(2) Two https://b.org/2\n"  # 5
        "(2) Again https://b.org/again\n"  # 6
        "(4) Four https://d.org/4\n"  # 7
        "(5)\n"  # 8
        "\n"  # 9
        "(6) Six https://f.org/6; Jane Doe: A Book Without Link, 2017\n"  # 10
    )
    document = extract(text)
    assert sorted(problems(document), key=lambda p: (p[2], p[0])) == [
        ("missing-footnote", 7, 1),
        ("duplicate-footnote", 2, 6),
        ("numbering-gap", 3, 7),
        ("empty-footnote", 5, 8),
        ("unreferenced-footnote", 5, 8),
        ("unlinked-work", 6, 10),
        ("unreferenced-footnote", 6, 10),
    ]
    severities = {p.kind: p.severity for p in document.problems}
    assert severities["missing-footnote"] == "error"
    assert severities["unlinked-work"] == "info"


def test_no_notes_block_means_no_markers() -> None:
    document = extract("Numbers like (1) and [2] in a text without notes.\n\n1. a list\n2. more\n")
    assert document.footnotes == []
    assert document.markers == []
    assert document.problems == []


def test_numbered_list_is_not_a_notes_block() -> None:
    document = extract("Steps:\n\n1. Open the file\n2. Read it\n\nThat is all.\n")
    assert document.footnotes == []


def test_notes_with_hard_line_breaks_and_trailing_body() -> None:
    text = (
        "Text with a marker (1) here.\n\n"
        "(1) Reuters: A long title broken\nacross lines, 14 August, 2018\nhttps://www.reuters.com/x\n\n"
        "* * *\n\nClosing words at https://example.org/closing.\n"
    )
    document = extract(text)
    assert note_urls(document) == {1: ["https://www.reuters.com/x"]}
    assert document.footnotes[0].date == "2018-08-14"
    inline = [(c.text, c.line) for c in document.citations if c.kind == "inline"]
    assert inline == [("https://example.org/closing", 9)]
    footnote_lines = [c.line for c in document.citations if c.kind == "footnote"]
    assert footnote_lines == [5]
