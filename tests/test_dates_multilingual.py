"""Dates in the languages and calendars a Middle East newsroom meets (refcheck/extract/dates.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from refcheck.extract.calendars import hijri_to_gregorian, solar_hijri_to_gregorian
from refcheck.extract.dates import _NAMES, find_dates, first_date

AUGUST_28 = "2018-08-28"


@pytest.mark.parametrize(
    "text",
    [
        # Arabic: Levantine/Iraqi and Egyptian/Western names, hamza variants, both names, prefixes, marks
        "28 آب 2018", "28 أغسطس 2018", "28 اغسطس 2018", "28 آب/أغسطس 2018", "28 آب (أغسطس) 2018",
        "28 من شهر آب 2018", "28 آب، 2018", "28 أغسطس 2018م", "28 أغسطس 2018 م", "٢٨ آب ٢٠١٨", "28 غشت 2018", "28 أوت 2018",
        # Hebrew with attached prefixes
        "28 באוגוסט 2018", "ב-28 באוגוסט 2018", "28 לאוגוסט 2018", "28 אוגוסט 2018",
        # Persian (Gregorian), Urdu, Hindi with native digits, Kurdish
        "۲۸ اوت ۲۰۱۸", "۲۸ آگوست ۲۰۱۸", "28 اگست 2018", "२८ अगस्त २०१८", "28 ئاب 2018", "28 Tebax 2018",
        # Turkish (with case suffix and dotted capitals), Azerbaijani
        "28 Ağustos 2018", "28 AĞUSTOS 2018", "28 Agustos 2018", "28 Ağustos 2018'de", "28 avqust 2018",
        # Russian, Ukrainian, Greek
        "29 августа 2018 г.".replace("29", "28"), "28 августа 2018 года", "28 АВГУСТА 2018", "28 серпня 2018 р.",
        "28 Αυγούστου 2018",
        # French, German, Spanish, Italian, Portuguese
        "28 août 2018", "28 aout 2018", "28. August 2018", "28 de agosto de 2018", "28 agosto 2018",
        "28 de agosto del 2018",
        # Calendars
        "۶ شهریور ۱۳۹۷", "6 شهریور 1397", "۶ شهریور ۱۳۹۷ هـ.ش", "17 ذو الحجة 1439 هـ", "17 ذي الحجة 1439هـ",
        "١٧ ذو الحجة ١٤٣٩ هـ",
        # Numbers in native digits, or with a calendar's mark
        "٢٠١٨-٠٨-٢٨", "٢٨/٠٨/٢٠١٨", "٢٨.٠٨.٢٠١٨", "۱۳۹۷/۰۶/۰۶", "1397/06/06 ه.ش", "١٤٣٩/١٢/١٧هـ", "17/12/1439 هـ",
        "2018年8月28日", "2018년 8월 28일",
    ],
)  # fmt: skip
def test_august_28_2018(text: str) -> None:
    assert first_date(f"x {text}, y") == AUGUST_28
    assert first_date(text) == AUGUST_28


def test_the_issue_examples() -> None:
    assert first_date("28 آب 2018") == AUGUST_28
    assert first_date("28 أغسطس 2018") == AUGUST_28
    assert first_date("29 августа 2018 г.") == "2018-08-29"
    assert first_date("28 באוגוסט 2018") == AUGUST_28
    assert first_date("28 Ağustos 2018") == AUGUST_28
    assert first_date("۶ شهریور ۱۳۹۷") == AUGUST_28


def _months(language: str) -> list[list[str]]:
    return [spellings.split("|") for spellings in _NAMES[language][1]]


@pytest.mark.parametrize("language", [name for name, (calendar, _) in _NAMES.items() if calendar == "G"])
def test_every_gregorian_month_form(language: str) -> None:
    for number, spellings in enumerate(_months(language), 1):
        for name in spellings:
            day = 1 if number == 2 else 30
            expected = date(2019, number, day).isoformat()
            assert first_date(f"{day} {name} 2019") == expected, name
            assert first_date(f"Text, {day} {name} 2019.") == expected, name


# Forms written out here (not generated from the table) -- grammatical cases and prefixes.
@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1 января 2019 г.", "2019-01-01"), ("15 февраля 2019 года", "2019-02-15"), ("3 декабря 2019", "2019-12-03"),
        ("1 мая 2019 г.", "2019-05-01"), ("1 січня 2019 року", "2019-01-01"), ("5 листопада 2019", "2019-11-05"),
        ("1 كانون الثاني 2019", "2019-01-01"), ("1 كانون ثاني 2019", "2019-01-01"), ("3 كانون الأول 2019", "2019-12-03"),
        ("3 كانون الاول 2019", "2019-12-03"), ("10 تشرين الأول 2019", "2019-10-10"), ("10 تشرين الثاني 2019", "2019-11-10"),
        ("5 شباط 2019", "2019-02-05"), ("5 آذار 2019", "2019-03-05"), ("5 اذار 2019", "2019-03-05"), ("5 نيسان 2019", "2019-04-05"),
        ("5 أيار 2019", "2019-05-05"), ("5 ايار 2019", "2019-05-05"), ("5 حزيران 2019", "2019-06-05"), ("5 تموز 2019", "2019-07-05"),
        ("5 أيلول 2019", "2019-09-05"), ("5 يناير 2019", "2019-01-05"), ("5 إبريل 2019", "2019-04-05"), ("5 ابريل 2019", "2019-04-05"),
        ("5 يونيه 2019", "2019-06-05"), ("5 يوليه 2019", "2019-07-05"), ("5 سبتمبر 2019", "2019-09-05"), ("5 اكتوبر 2019", "2019-10-05"),
        ("5 بيناير 2019", "2019-01-05"), ("5 الأغسطس 2019", "2019-08-05"),
        ("5 בינואר 2019", "2019-01-05"), ("5 למרץ 2019", "2019-03-05"), ("5 מדצמבר 2019", "2019-12-05"),
        ("5 ژانویه ۲۰۱۹", "2019-01-05"), ("5 ژانویهٔ ۲۰۱۹", "2019-01-05"), ("5 ژوئیه 2019", "2019-07-05"), ("5 مه 2019", "2019-05-05"),
        ("5 Ocak 2019", "2019-01-05"), ("5 Şubat 2019", "2019-02-05"), ("5 ŞUBAT 2019", "2019-02-05"), ("5 Mayıs 2019", "2019-05-05"),
        ("5 Mayis 2019", "2019-05-05"), ("5 Eylül 2019", "2019-09-05"), ("5 KASIM 2019", "2019-11-05"), ("5 Aralık 2019", "2019-12-05"),
        ("5 NİSAN 2019", "2019-04-05"),
        ("1er janvier 2019", "2019-01-01"), ("5 février 2019", "2019-02-05"), ("5 décembre 2019", "2019-12-05"),
        ("5. März 2019", "2019-03-05"), ("5. Maerz 2019", "2019-03-05"), ("5. Jänner 2019", "2019-01-05"),
        ("1º de março de 2019", "2019-03-01"), ("5 de diciembre de 2019", "2019-12-05"), ("5 settembre 2019", "2019-09-05"),
        ("5 Çiriya Pêşîn 2019", "2019-10-05"), ("5 کانوونی دووەم 2019", "2019-01-05"),
    ],
)  # fmt: skip
def test_month_forms(text: str, iso: str) -> None:
    assert first_date(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("في آب 2018", "2018-08"), ("بآب 2018", "2018-08"), ("أغسطس 2018", "2018-08"), ("августа 2018 года", "2018-08"),
        ("в августе 2018 года", "2018-08"), ("באוגוסט 2018", "2018-08"), ("Ağustos 2018", "2018-08"), ("août 2018", "2018-08"),
        ("agosto de 2018", "2018-08"), ("(août 2018)", "2018-08"),
        ("شهریور ۱۳۹۷", "2018-09"),  # 15 Shahrivar 1397 = 2018-09-06: the calendar month's middle
        ("رمضان 1439 هـ", "2018-05"),  # 15 Ramadan 1439 = 2018-05-31
    ],
)  # fmt: skip
def test_month_and_year_only_when_asked(text: str, iso: str) -> None:
    assert first_date(text) is None
    assert first_date(text, partial=True) == iso


def test_native_digits_and_positions() -> None:
    text = "نشر في ٢٨ آب ٢٠١٨ م وفي ۶ شهریور ۱۳۹۷ ش"
    found = list(find_dates(text))
    assert [d.iso for d in found] == [AUGUST_28, AUGUST_28]
    assert text[found[0].start : found[0].end] == "٢٨ آب ٢٠١٨ م"
    assert text[found[1].start : found[1].end] == "۶ شهریور ۱۳۹۷ ش"


def test_wrong_calendar_or_impossible_day_gives_nothing() -> None:
    assert first_date("17 ذو الحجة 2018") is None  # an Islamic month, a Gregorian year
    assert first_date("28 أغسطس 1439 هـ") is None  # a Gregorian month, an Islamic year
    assert first_date("31 مهر 1397") is None  # Mehr has 30 days
    assert first_date("30 اسفند 1397") is None  # 1397 is not a leap year
    assert first_date("30 اسفند 1399") == "2021-03-20"  # 1399 is
    assert first_date("31 février 2018") is None
    assert first_date("28/08/2018") is None  # ASCII slashes: day or month first cannot be told
    assert first_date("١٤٠٠ شخص في 28 2018") is None


def test_english_is_unchanged() -> None:
    assert first_date("x August 28, 2018, y") == AUGUST_28
    assert first_date("February 2018") is None
    assert first_date("February 2018", partial=True) == "2018-02"
    assert first_date("in 1397 and 1439") is None
    assert [d.iso for d in find_dates("“Quoted” 1.2.3 and 31.02.2018 and Article 1.")] == []
    assert first_date("He came 5 mar 2018") == "2018-03-05"
    assert first_date("years ago 2018", partial=True) is None  # Spanish "ago" only with a day


# --- calendars, checked against dates fixed independently -------------------------------
# 1 Farvardin (Nowruz) for Solar Hijri years, from the Iranian calendar authority's
# published dates (equinox before or after noon, Tehran time).
NOWRUZ = {
    1354: "1975-03-21", 1375: "1996-03-20", 1390: "2011-03-21", 1391: "2012-03-20", 1395: "2016-03-20",
    1396: "2017-03-21", 1397: "2018-03-21", 1398: "2019-03-21", 1399: "2020-03-20", 1400: "2021-03-21",
    1401: "2022-03-21", 1402: "2023-03-21", 1403: "2024-03-20", 1404: "2025-03-21",
}  # fmt: skip


@pytest.mark.parametrize(("year", "iso"), sorted(NOWRUZ.items()))
def test_nowruz(year: int, iso: str) -> None:
    assert solar_hijri_to_gregorian(year, 1, 1) == date.fromisoformat(iso)


def test_solar_hijri_year_lengths_are_consistent() -> None:
    # Each year's last day is the day before the next Nowruz; leap years end on 30 Esfand.
    for year in range(1300, 1500):
        nowruz = solar_hijri_to_gregorian(year + 1, 1, 1)
        assert nowruz is not None
        last = solar_hijri_to_gregorian(year, 12, 30) or solar_hijri_to_gregorian(year, 12, 29)
        assert last == nowruz - timedelta(days=1), year
        first = solar_hijri_to_gregorian(year, 1, 1)
        assert first is not None and 365 <= (nowruz - first).days <= 366


@pytest.mark.parametrize(
    ("hijri", "iso"),
    [
        ((1439, 12, 17), "2018-08-28"),
        ((1439, 12, 10), "2018-08-21"),  # Eid al-Adha 1439, announced by Saudi Arabia
        ((1440, 1, 1), "2018-09-11"),  # Islamic new year 1440
        ((1439, 9, 1), "2018-05-16"),  # Umm al-Qura 1 Ramadan 1439 (the sighted fast began on the 17th)
        ((1444, 10, 1), "2023-04-21"),  # Eid al-Fitr 1444
        ((1445, 1, 1), "2023-07-19"),
    ],
)
def test_hijri_umm_al_qura(hijri: tuple[int, int, int], iso: str) -> None:
    assert hijri_to_gregorian(*hijri) == date.fromisoformat(iso)
    year, month, day = hijri
    assert first_date(f"{day} {_months('ar-hijri')[month - 1][0]} {year} هـ") == iso


def test_hijri_out_of_the_tables_range() -> None:
    assert hijri_to_gregorian(1200, 1, 1) is None
    assert hijri_to_gregorian(1439, 13, 1) is None
