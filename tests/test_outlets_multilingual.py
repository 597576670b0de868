"""Outlets named in their own scripts: folding, attached prefixes, names that are
ordinary words (matched only in a naming context), offsets and English unchanged."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from conftest import extract

from refcheck.extract.outlets import OutletIndex, normalize_name
from refcheck.extract.urls import lower_same_length

INDEX = OutletIndex.load()


def found(text: str) -> list[tuple[str, str]]:
    """(canonical outlet, name as written) for each match, checking the offsets."""
    result = []
    for match in INDEX.find(text, lower_same_length(text)):
        assert text[match.start : match.end] == match.text
        result.append((match.outlet.name, match.text))
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one per script
        ("ونقلت وكالة رويترز عن مسؤول", [("Reuters", "رويترز")]),
        ("به گزارش خبرگزاری ایرنا، بانک مرکزی", [("IRNA", "ایرنا")]),
        ("לפי סוכנות הידיעות רויטרס, ישראל", [("Reuters", "רויטרס")]),
        ("Как сообщило агентство ТАСС, министр", [("TASS", "ТАСС")]),
        ("Anadolu Ajansı'nın aktardığına göre", [("Anadolu Agency", "Anadolu Ajansı")]),
        ("据路透社报道", [("Reuters", "路透社")]),
        ("σύμφωνα με το Ρόιτερς", [("Reuters", "Ρόιτερς")]),
        ("قناة الجزيرة", [("Al Jazeera", "الجزيرة")]),
        ("به گزارش الجزیره", [("Al Jazeera", "الجزیره")]),
        ("Rûdaw û Kurdistan24", [("Rudaw", "Rûdaw"), ("Kurdistan24", "Kurdistan24")]),
        ("وبحسب ڕووداو", [("Rudaw", "ڕووداو")]),
        # variant classes
        ("قالت وكالة رُويتَرز", [("Reuters", "رُويتَرز")]),  # harakat, the final one kept in the name
        ("وكالة رويـــترز", [("Reuters", "رويـــترز")]),  # tatweel
        ("وفقا لوكالة الاناضول", [("Anadolu Agency", "وكالة الاناضول")]),  # hamza dropped
        ("قناة إلجزيرة", [("Al Jazeera", "إلجزيرة")]),  # alef variant
        ("وفقا للجزيرة", [("Al Jazeera", "لجزيرة")]),  # ل + ال → لل
        ("قال لرويترز", [("Reuters", "رويترز")]),  # attached preposition
        ("العربيه نت", [("Al Arabiya", "العربيه نت")]),  # ta marbuta written as ha
        ("كوردستان ٢٤", [("Kurdistan24", "كوردستان ٢٤")]),  # Arabic-Indic digits
        ("گزارش بی\u200cبی\u200cسی", [("BBC", "بی\u200cبی\u200cسی")]),  # Persian ZWNJ
        ("گزارش بی بی سی", [("BBC", "بی بی سی")]),
        ("روزنامه کيهان نوشت", [("Kayhan", "کيهان")]),  # Arabic ya for Persian ye
        ("روزنامه كيهان نوشت", [("Kayhan", "كيهان")]),  # Arabic kaf for keheh
        ("כך דווח בהארץ", [("Haaretz", "הארץ")]),  # ב absorbs the article: a name
        ('כפי שפורסם ו"הארץ" אישר', [("Haaretz", "הארץ")]),
        ("לפי ל-ynet", [("YNet", "ynet")]),
        ("לפי אל-ג׳זירה", [("Al Jazeera", "אל-ג׳זירה")]),  # Hebrew geresh
        ("לפי אלג'זירה", [("Al Jazeera", "אלג'זירה")]),
        ("ברויטרס", [("Reuters", "רויטרס")]),
        ("по данным РИА Новости", [("RIA Novosti", "РИА Новости")]),
        ("газета «Коммерсантъ» пишет", [("Kommersant", "Коммерсантъ")]),
        ("Телеканал Дождь и Эхо Москвы", [("TV Rain", "Телеканал Дождь"), ("Echo of Moscow", "Эхо Москвы")]),
        ("ANADOLU AJANSI", [("Anadolu Agency", "ANADOLU AJANSI")]),  # dotless ı vs I
        ("İHLAS HABER AJANSI bildirdi", [("Ihlas News Agency", "İHLAS HABER AJANSI")]),  # İ
        ("σύμφωνα με την εφημερίδα Καθημερινή", [("Kathimerini", "Καθημερινή")]),
    ],
)
def test_native_names(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_yo_and_ye_alike() -> None:
    index = OutletIndex()
    index.add_records([{"name": "Test Ёлка", "aliases": ["Ёлка-ТВ"], "domains": ["example.ru"]}])
    for text in ("смотрите Елка-ТВ сегодня", "смотрите ёлка тв сегодня"):
        assert [m.outlet.name for m in index.find(text, lower_same_length(text))] == ["Test Ёлка"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ونقلت صحيفة الأخبار اللبنانية", [("Al-Akhbar", "الأخبار")]),
        ("ونقلت لصحيفة «الأخبار»", [("Al-Akhbar", "الأخبار")]),
        ("كتبت «الأخبار» أمس", [("Al-Akhbar", "الأخبار")]),
        ("عرضت قناة العربية تقريرا", [("Al Arabiya", "العربية")]),
        ("نشرت صحيفة الشرق الأوسط", [("Asharq Al-Awsat", "الشرق الأوسط")]),
        ("قالت قناة الميادين", [("Al-Mayadeen", "الميادين")]),
        ("به گزارش خبرگزاری فارس", [("Fars News Agency", "خبرگزاری فارس")]),
        ("روزنامه همشهری نوشت", [("Hamshahri", "همشهری")]),
        ("עיתון הארץ תיאר", [("Haaretz", "הארץ")]),
        ("בעיתון הארץ", [("Haaretz", "הארץ")]),
        ("сообщила газета «Ведомости»", [("Vedomosti", "Ведомости")]),
        ("газета Известия", [("Izvestia", "Известия")]),
        ("Sabah gazetesi yazdı", [("Sabah", "Sabah gazetesi")]),
    ],
)
def test_contextual_names_in_context(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "وتابع الناس الأخبار على الهاتف",  # "the news"
        "يتحدث اللغة العربية بطلاقة",  # "Arabic"
        "المملكة العربية السعودية",
        "الأمن في الشرق الأوسط متدهور",  # "the Middle East"
        "انتشرت القوات في الميادين والساحات",  # "the squares"
        "في منطقة الجزيرة شمال شرق سوريا",  # the Jazira region, not Al Jazeera
        "شبه الجزيرة العربية",
        "دول الخليج فارس",
        "در استان فارس و خلیج فارس",  # Fars province, the Persian Gulf
        "כל הארץ רעדה",  # "the whole land"
        "הוא יצא מהארץ",  # "from the country"
        "והארץ הייתה תוהו",
        "коммерсант открыл лавку",  # "a merchant"
        "последние известия дня",  # "news"
        "ведомости учёта",
        "Sabah is a Malaysian state",
        "η καθημερινή ζωή",  # "daily life"
    ],
)
def test_ordinary_words_are_not_names(text: str) -> None:
    assert found(text) == []


def test_mentions_keep_the_written_name_and_lines() -> None:
    text = "Title\n\nقالت وكالة رُويتَرز\nثم قناة الـجـزيرة\nوكالة رويترز مرة أخرى\n"
    document = extract(text)
    assert [(m.name, m.outlet, m.line, m.count, m.lines) for m in document.mentions] == [
        ("رُويتَرز", "Reuters", 3, 2, [3, 5]),
        ("الـجـزيرة", "Al Jazeera", 4, 1, [4]),
    ]


def test_offsets_after_removed_marks() -> None:
    text = "\u200fقَالَ\u200f وكالة رويترز\u200c وقناة الجزيرة"
    matches = list(INDEX.find(text, lower_same_length(text)))
    assert [(m.text, text[m.start : m.end]) for m in matches] == [("رويترز", "رويترز"), ("الجزيرة", "الجزيرة")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("according to Reuters, the talks failed", [("Reuters", "Reuters")]),
        ("the Al-Akhbar report and al akhbar again", [("Al-Akhbar", "Al-Akhbar"), ("Al-Akhbar", "al akhbar")]),
        ("as Middle East\nEye reported", [("Middle East Eye", "Middle East\nEye")]),
        ("TASS and RT", [("TASS", "TASS"), ("RT", "RT")]),
        ("Reutersville is a town; a fort; art", []),
        ("“Reuters” and ‘Haaretz’", [("Reuters", "Reuters"), ("Haaretz", "Haaretz")]),
    ],
)
def test_english_unchanged(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_shipped_list_keys_are_unambiguous() -> None:
    data = json.loads(resources.files("refcheck.data").joinpath("outlets.json").read_text("utf-8"))
    assert set(data["naming_contexts"]) >= {"arabic", "hebrew", "cyrillic", "latin"}
    seen: dict[str, str] = {}
    for outlet in data["outlets"]:
        for alias in outlet["aliases"] + outlet.get("contextual_aliases", []):
            key = normalize_name(alias)
            assert seen.setdefault(key, outlet["name"]) == outlet["name"], f"alias {alias!r} is ambiguous"
    assert len(data["outlets"]) >= 450
