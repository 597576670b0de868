"""Outlets named without a link, learned aliases, publisher and date clues."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from conftest import extract

from refcheck.extract import ExtractContext, OutletIndex
from refcheck.extract.dates import find_dates, first_date
from refcheck.extract.outlets import normalize_name


def names(text: str, context: ExtractContext | None = None) -> list[str]:
    return [m.name for m in extract(text, context=context).mentions]


def test_shipped_outlet_list() -> None:
    data = json.loads(resources.files("refcheck.data").joinpath("outlets.json").read_text("utf-8"))
    outlets = data["outlets"]
    assert len(outlets) >= 150
    by_name = {o["name"] for o in outlets}
    for required in ("Reuters", "Al Jazeera", "Al-Monitor", "Al-Akhbar", "Middle East Eye", "YNet", "Haaretz",
                     "Kurdistan24", "Rudaw", "Anadolu Agency", "TASS", "RT"):  # fmt: skip
        assert required in by_name
    seen: dict[str, str] = {}
    for outlet in outlets:
        for alias in outlet["aliases"]:
            key = normalize_name(alias)
            assert seen.setdefault(key, outlet["name"]) == outlet["name"], f"alias {alias!r} is ambiguous"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("according to Reuters, the talks failed", ["Reuters"]),
        ("the Al-Akhbar report and al akhbar again", ["Al-Akhbar"]),
        ("as Middle East\nEye reported", ["Middle East Eye"]),
        ("the Al Monitor piece", ["Al Monitor"]),
        ("the New York Times said", ["New York Times"]),
        ("TASS and RT and Anadolu", ["TASS", "RT", "Anadolu"]),
        ("a fort was built; art is long", []),  # "rt" only in capitals
        ("Reutersville is a town", []),
        ("Faisal Itani of the Atlantic Council said", []),
    ],
)
def test_mentions(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_mention_lines_counts_and_domains() -> None:
    document = extract("Reuters said.\nLater Reuters\nadded, and Reuters again.\n")
    [mention] = document.mentions
    assert (mention.outlet, mention.domain, mention.line, mention.count, mention.lines) == (
        "Reuters",
        "reuters.com",
        1,
        3,
        [1, 2, 3],
    )


def test_named_beside_its_own_link_is_not_a_mention() -> None:
    text = "Claim (1).\n\n(1) Reuters: Title, August 28, 2018, https://www.reuters.com/a; see the TASS note\n"
    assert names(text) == ["TASS"]
    assert names("Reuters (https://www.reuters.com/x) said so.") == []
    assert names("Inside a URL: https://www.reuters.com/reuters-story") == []


def test_own_publisher_is_not_a_mention() -> None:
    text = "Title\nBy Jane Doe, 22 October 2015, www.reuters.com\n\nReuters staff wrote this and Rudaw agreed.\n"
    document = extract(text)
    assert document.publisher == "reuters.com"
    assert [m.name for m in document.mentions] == ["Rudaw"]


def test_aliases_are_learned_from_notes() -> None:
    context = ExtractContext(OutletIndex.load())
    first = "Claim (1).\n\n(1) Levant Courier: Title, 2018, https://www.levantcourier.net/a\n"
    second = "As the Levant Courier wrote, nothing changed.\n"
    extract(first, context=context)
    document = extract(second, context=context)
    assert [(m.name, m.domain) for m in document.mentions] == [("Levant Courier", "levantcourier.net")]


def test_learning_needs_the_name_to_fit_the_domain() -> None:
    context = ExtractContext(OutletIndex.load())
    extract("Claim (1).\n\n(1) Jane Doe: Title, https://www.example.org/a\n", context=context)
    assert names("Jane Doe wrote it.", context) == []


@pytest.mark.parametrize(
    ("text", "publisher", "date"),
    [
        ("Title\n\nBy Jane Doe, Desk, 30.08.2018, www.example-site.net\n\nBody text.", "example-site.net", "2018-08-30"),
        ("Title\n\nJohn Roe\n22 October 2015\n\nBody.\n\nTo contact us visit:\n\nexample.org/contact", "example.org", "2015-10-22"),
        ("Title\nKevork\nAlmasian, Syriana\nAnalysis\n\"\n28\nAugust, 2018\nText.", "Syriana Analysis", "2018-08-28"),
        ("Title\n\nNothing here says who or when.", None, None),
        ("Title\n\nSamir Haddad | Published 28\nAugust, 2018 | www.gulfreview.org\n\nBody", "gulfreview.org", "2018-08-28"),
    ],
)  # fmt: skip
def test_publisher_and_date_from_text(text: str, publisher: str | None, date: str | None) -> None:
    document = extract(text)
    assert (document.publisher, document.date) == (publisher, date)


def test_republished_from() -> None:
    document = extract("Title\nWafik Kanso, originally appeared at Al-Akhbar website\n28 August 2018\nText.")
    assert document.republished_from == "Al-Akhbar"


def test_publisher_mapping_from_settings() -> None:
    context = ExtractContext(OutletIndex.load(), [("article.*", "Mapped Weekly")])
    document = extract("Title\n\nBy Jane, 30.08.2018, www.example-site.net\n", context=context)
    assert document.publisher == "Mapped Weekly"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("30.08.2018", "2018-08-30"),
        ("08.28.18", "2018-08-28"),
        ("22 October 2015", "2015-10-22"),
        ("14 August, 2018", "2018-08-14"),
        ("28\nAugust, 2018", "2018-08-28"),
        ("August 28, 2018", "2018-08-28"),
        ("Aug. 28, 2018", "2018-08-28"),
        ("July 30-2018", "2018-07-30"),
        ("2018-08-28T10:00:00Z", "2018-08-28"),
    ],
)
def test_dates(text: str, iso: str) -> None:
    assert first_date(f"x {text}, y") == iso


def test_partial_dates_only_when_asked() -> None:
    assert first_date("February 2018, https://x.org") is None
    assert first_date("February 2018, https://x.org", partial=True) == "2018-02"
    assert [d.iso for d in find_dates("1.2.3 and 31.02.2018 and Article 1.")] == []
