"""Dates as articles write them, turned into ISO strings.

Handled: ``2018-08-28`` (also inside timestamps), ``30.08.2018`` and
``08.28.18`` (day/month order decided by which part can be a month),
``22 October 2015``, ``14 August, 2018``, ``28\\nAugust, 2018`` (hard line
breaks anywhere between the parts), ``August 28, 2018``, ``Aug. 28, 2018``,
``July 30-2018``; with ``partial=True`` also ``February 2018`` -> ``2018-02``.

Other languages (see ``_NAMES``): French, German, Spanish, Italian, Portuguese,
Turkish, Azerbaijani, Kurdish (Kurmanji, Sorani), Russian, Ukrainian, Greek,
Hebrew, Arabic (Levantine/Iraqi and Egyptian/Maghreb month names), Persian,
Urdu, Hindi; digits of any script (Arabic-Indic, Persian, Devanagari); the
Solar Hijri (``۶ شهریور ۱۳۹۷``) and Islamic (``17 ذو الحجة 1439 هـ``) calendars,
converted to Gregorian; year markers (``г.``, ``года``, ``هـ``, ``م``, ``ش``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from refcheck.extract.calendars import hijri_to_gregorian, solar_hijri_to_gregorian

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_MONTH = r"(?P<{name}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{name}>(?:1[89]|20)\d\d)"
_DAY = r"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"
_SEP = r"[\s,]+"

_DATE_RE = re.compile(
    r"(?<![\w.-])(?:"
    + r"(?P<iso>(?P<iy>(?:1[89]|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\d])"
    + r"|(?P<dotted>(?P<d1>[0-3]?\d)\.(?P<d2>[0-3]?\d)\.(?P<d3>(?:1[89]|20)?\d\d))(?![\w]|\.\d)"
    + r"|(?P<dmy>"
    + _DAY.format(name="xd")
    + _SEP
    + _MONTH.format(name="xm")
    + _SEP
    + _YEAR.format(name="xy")
    + r")(?!\w)"
    + r"|(?P<mdy>"
    + _MONTH.format(name="ym")
    + r"\s+"
    + _DAY.format(name="yd")
    + r"(?:,\s*|\s+|-)"
    + _YEAR.format(name="yy")
    + r")(?!\w)"
    + r"|(?P<my>"
    + _MONTH.format(name="zm")
    + r"\s+"
    + _YEAR.format(name="zy")
    + r")(?!\w)"
    + r")",
    re.IGNORECASE,
)


@dataclass(slots=True)
class FoundDate:
    iso: str
    start: int
    end: int
    precise: bool
    """Day, month and year are all known."""


# Every date form above holds a 4-digit year or a dotted d.m.yy: find those first
# (a digit-led scan), then try the full pattern only around them. The full
# pattern over a whole note cost 17 us a note; most text has no date at all.
# (Written digit-first, as ``(?:1[89]|20)\d\d|\d\.\d{1,2}\.\d\d`` would be: a leading
# character class lets the regex engine skip non-digits without trying each branch.)
_ANCHOR_RE = re.compile(r"\d(?:(?<=1)[89]\d\d|(?<=2)0\d\d|\.\d{1,2}\.\d\d)")
_BEFORE_ANCHOR = 24  # longest "28th September, " before a year
_AFTER_ANCHOR = 12  # "-08-28" after an ISO year, with room for the lookaheads


def find_dates(text: str, *, partial: bool = False) -> Iterator[FoundDate]:
    done = 0
    ascii_text = text.isascii()
    for anchor in (_ANCHOR_RE if ascii_text else _NON_LATIN_ANCHOR_RE).finditer(text):
        if anchor.start() < done:
            continue
        english = None
        if ascii_text or anchor.group()[1] == "." or anchor.group()[:2] in _ENGLISH_CENTURIES:
            low = max(done, anchor.start() - _BEFORE_ANCHOR)
            for match in _DATE_RE.finditer(text, low, min(len(text), anchor.end() + _AFTER_ANCHOR)):
                if match.end() <= anchor.start():
                    continue  # a date before this anchor has its own anchor
                english = match
                break
        if english is not None:
            interpreted = _interpret(english)
            if interpreted is not None and interpreted[1]:
                done = english.end()
                yield FoundDate(interpreted[0], english.start(), english.end(), True)
                continue
        other = _find_other(text, anchor, done, partial)
        if other is not None and (other.precise or english is None):
            done = other.end
            yield other
        elif english is not None:
            done = english.end()
            yield from _found(english, partial)


def _found(match: re.Match[str], partial: bool) -> Iterator[FoundDate]:
    found = _interpret(match)
    if found is None:
        return
    iso, precise = found
    if precise or partial:
        yield FoundDate(iso, match.start(), match.end(), precise)


def first_date(text: str, *, partial: bool = False) -> str | None:
    precise = None
    rough = None
    for found in find_dates(text, partial=partial):
        if found.precise:
            precise = found.iso
            break
        if rough is None:
            rough = found.iso
    return precise or rough


def _interpret(match: re.Match[str]) -> tuple[str, bool] | None:
    if match.group("iso"):
        return _iso(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
    if match.group("dotted"):
        first, second = int(match.group("d1")), int(match.group("d2"))
        year = _full_year(match.group("d3"))
        if second > 12 >= first:  # 08.28.18: month first
            first, second = second, first
        return _iso(year, second, first)
    if match.group("dmy"):
        return _iso(int(match.group("xy")), _MONTHS[match.group("xm").lower()], int(match.group("xd")))
    if match.group("mdy"):
        return _iso(int(match.group("yy")), _MONTHS[match.group("ym").lower()], int(match.group("yd")))
    if match.group("my"):
        month = _MONTHS[match.group("zm").lower()]
        return f"{int(match.group('zy')):04d}-{month:02d}", False
    return None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _iso(year: int, month: int, day: int) -> tuple[str, bool] | None:
    try:
        return date(year, month, day).isoformat(), True
    except ValueError:
        return None


# --- other languages and calendars ---------------------------------------------------
# The English scan above runs first, unchanged, at the same anchors. Where it finds
# no full date at an anchor, the scan below tries month names of other languages
# (a day-led regex: month names are only tried after a day number, so the long
# alternation costs nothing over ordinary text), native digits (Arabic-Indic,
# Persian, Devanagari: ``\d`` and ``int`` read them), and the Solar Hijri and
# Islamic calendars (converted exactly, refcheck/extract/calendars.py). A month
# and year alone (``partial=True``) are found by reading the words before the
# year. Text with no letters beyond ASCII only meets the Latin-script languages.

_G, _J, _H = "G", "J", "H"  # Gregorian, Solar Hijri, Islamic (Hijri)

_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    # (calendar, twelve entries of "|"-separated spellings); prefixes such as Arabic
    # ال/ب/في or Hebrew ב/ל/מ are allowed separately, as are hamza and yeh variants.
    "fr": (_G, ("janvier|janv", "février|févr|fevr", "mars", "avril|avr", "mai", "juin", "juillet|juil",
                "août|aout|aoû", "septembre|sept", "octobre|oct", "novembre|nov", "décembre|déc")),
    "de": (_G, ("januar|jänner|jän", "februar|feber", "märz|maerz|mär", "april", "mai", "juni", "juli",
                "august", "september|sept", "oktober|okt", "november", "dezember|dez")),
    "es": (_G, ("enero|ene", "febrero", "marzo", "abril|abr", "mayo", "junio", "julio", "agosto|ago",
                "septiembre|setiembre|sept|set", "octubre", "noviembre", "diciembre|dic")),
    "it": (_G, ("gennaio|gen", "febbraio", "marzo", "aprile", "maggio|mag", "giugno|giu", "luglio|lug",
                "agosto", "settembre|sett", "ottobre|ott", "novembre", "dicembre")),
    "pt": (_G, ("janeiro", "fevereiro|fev", "março", "abril", "maio", "junho", "julho", "agosto",
                "setembro", "outubro|out", "novembro", "dezembro")),
    "tr": (_G, ("ocak|oca", "şubat|şub", "mart", "nisan|nis", "mayıs", "haziran|haz", "temmuz|tem",
                "ağustos|ağu", "eylül|eyl", "ekim|eki", "kasım|kas", "aralık|ara")),
    "az": (_G, ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
                "oktyabr", "noyabr", "dekabr")),
    "kmr": (_G, ("çile|kanûna paşîn|kanûna duyem", "sibat|reşemî", "adar", "nîsan", "gulan", "hezîran|pûşper",
                 "tîrmeh", "tebax|gelawêj", "îlon|rezber", "cotmeh|çiriya pêşîn|kewçêr", "mijdar|çiriya paşîn|sermawez",
                 "berfanbar|kanûna pêşîn")),
    "ru": (_G, ("января|январь|январе|янв", "февраля|февраль|феврале|февр|фев", "марта|март|марте|мар",
                "апреля|апрель|апреле|апр", "мая|май|мае", "июня|июнь|июне|июн", "июля|июль|июле|июл",
                "августа|август|августе|авг", "сентября|сентябрь|сентябре|сент|сен", "октября|октябрь|октябре|окт",
                "ноября|ноябрь|ноябре|нояб|ноя", "декабря|декабрь|декабре|дек")),
    "uk": (_G, ("січня|січень|січні|січ", "лютого|лютий|лютому|лют", "березня|березень|березні|бер",
                "квітня|квітень|квітні|квіт", "травня|травень|травні|трав", "червня|червень|червні|черв",
                "липня|липень|липні|лип", "серпня|серпень|серпні|серп", "вересня|вересень|вересні|вер",
                "жовтня|жовтень|жовтні|жовт", "листопада|листопад|листопаді|лист", "грудня|грудень|грудні|груд")),
    "el": (_G, ("ιανουαρίου|ιανουάριος", "φεβρουαρίου|φεβρουάριος", "μαρτίου|μάρτιος", "απριλίου|απρίλιος",
                "μαΐου|μάιος|μαΐ", "ιουνίου|ιούνιος", "ιουλίου|ιούλιος", "αυγούστου|αύγουστος",
                "σεπτεμβρίου|σεπτέμβριος", "οκτωβρίου|οκτώβριος", "νοεμβρίου|νοέμβριος", "δεκεμβρίου|δεκέμβριος")),
    "he": (_G, ("ינואר|ינו׳", "פברואר|פבר׳", "מרץ|מרס", "אפריל|אפר׳", "מאי", "יוני", "יולי", "אוגוסט|אוג׳",
                "ספטמבר|ספט׳", "אוקטובר|אוק׳", "נובמבר|נוב׳", "דצמבר|דצמ׳")),
    "ar-levant": (_G, ("كانون الثاني|كانون ثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
                       "أيلول", "تشرين الأول|تشرين أول", "تشرين الثاني|تشرين ثاني", "كانون الأول|كانون أول")),
    "ar": (_G, ("يناير|جانفي", "فبراير|فيفري", "مارس", "أبريل|إبريل|أفريل", "مايو|ماي", "يونيو|يونيه|جوان",
                "يوليو|يوليه|جويلية|يوليوز", "أغسطس|أوت|غشت", "سبتمبر|شتنبر", "أكتوبر", "نوفمبر|نونبر",
                "ديسمبر|دجنبر")),
    "fa": (_G, ("ژانویه", "فوریه", "مارس", "آوریل", "مه|می", "ژوئن", "ژوئیه|ژوییه|جولای", "اوت|آگوست|آگست",
                "سپتامبر", "اکتبر", "نوامبر", "دسامبر")),
    "ur": (_G, ("جنوری", "فروری", "مارچ", "اپریل", "مئی", "جون", "جولائی", "اگست", "ستمبر", "اکتوبر", "نومبر",
                "دسمبر")),
    "ckb": (_G, ("کانوونی دووەم|کانونی دووەم", "شوبات", "ئازار", "نیسان", "ئایار", "حوزەیران", "تەمموز|تەممووز",
                 "ئاب", "ئەیلوول|ئەیلول", "تشرینی یەکەم", "تشرینی دووەم", "کانوونی یەکەم|کانونی یەکەم")),
    "hi": (_G, ("जनवरी", "फ़रवरी|फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर|सितम्बर",
                "अक्टूबर|अक्तूबर", "नवंबर|नवम्बर", "दिसंबर|दिसम्बर")),
    "fa-solar": (_J, ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد|امرداد", "شهریور", "مهر", "آبان", "آذر",
                      "دی", "بهمن", "اسفند")),
    "prs-solar": (_J, ("حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس", "جدی", "دلو",
                       "حوت")),
    "ar-hijri": (_H, ("محرم", "صفر", "ربيع الأول|ربيع أول", "ربيع الآخر|ربيع الثاني|ربيع ثاني",
                      "جمادى الأولى|جمادى الأول|جمادى أولى", "جمادى الآخرة|جمادى الثانية|جمادى الآخر|جمادى الثاني",
                      "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة|ذي القعدة|ذا القعدة|ذيقعده",
                      "ذو الحجة|ذي الحجة|ذا الحجة|ذيحجه")),
}  # fmt: skip

# Names that are ordinary words elsewhere: only with a day, never as "month year".
_DAY_ONLY = frozenset({"set", "out", "ara", "kas", "eki", "tem", "mag", "gen", "ago", "mar", "may", "dic", "lug",
                       "giu", "ott", "sept", "sett", "adar", "gulan", "مه", "می", "دی", "تیر", "مهر",
                       "حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت",
                       "صفر", "رجب"})  # fmt: skip

# Letters written interchangeably (hamza seats, Persian/Arabic yeh and kaf, teh
# marbuta, Kurdish ae) and marks dropped when names are compared.
_FOLD = str.maketrans({"ı": "i", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ە": "ه", "ۀ": "ه", "ـ": None,
                       "\u200c": None, "\u200d": None, " ": None, "׳": None, "'": None})  # fmt: skip
_VARIANTS = {"ا": "اأإآٱ", "أ": "اأإآٱ", "إ": "اأإآٱ", "آ": "اأإآٱ", "ي": "يىیئ", "ى": "يىی", "ی": "يىیئ",
             "ك": "كک", "ک": "كک", "ه": "هةەۀ", "ة": "هةەۀ", "ە": "هةەۀ", "ı": "ıi", "i": "iıİ"}  # fmt: skip


def _key(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in name if not unicodedata.combining(char)).translate(_FOLD)


def _name_pattern(name: str) -> str:
    parts = []
    for char in name:
        if char == " ":
            parts.append(r"[\s\u200c]?")
        elif char in _VARIANTS:
            parts.append("[" + _VARIANTS[char] + "]")
        elif char.isalpha() and unicodedata.name(char, "").startswith(("LATIN", "GREEK")):
            base = _key(char)
            parts.append(re.escape(char) if base == char else "[" + char + base + "]")
        else:
            parts.append(re.escape(char))
        if char in "هةۀ":
            parts.append("\u0654?")  # Persian ezafe: ژانویهٔ
    return "".join(parts)


def _month_table() -> tuple[dict[str, tuple[str, int]], list[str]]:
    table: dict[str, tuple[str, int]] = {}
    patterns: dict[str, str] = {}
    for calendar, months in _NAMES.values():
        for number, spellings in enumerate(months, 1):
            for name in spellings.split("|"):
                key = _key(name)
                if table.setdefault(key, (calendar, number)) != (calendar, number):
                    raise ValueError(f"month name {name!r} means two months")
                patterns[name] = _name_pattern(name)
    for name, (calendar, number) in list(table.items()):  # Turkish "Mayis", German "Maerz" ...
        table.setdefault(name.replace("ae", "a"), (calendar, number))
    ordered = sorted(patterns, key=lambda name: (len(_key(name)), len(name)), reverse=True)
    return table, [patterns[name] for name in ordered]


_MONTH_TABLE, _MONTH_PATTERNS = _month_table()
_NATIVE_DIGIT = r"[٠-٩۰-۹०-९]"
# Attached prefixes: Arabic و/ب/ل/ف and the article, Hebrew ו/ב/ל/מ/ה/ש (with maqaf).
_PREFIX = r"(?:[وبلف]?(?:ال)?|[ובלמהש]{1,2}[־\-]?)?"
_MARK = (
    r"(?:\s*(?P<mark>ه[ـ\u200d]*\s?\.?\s?[قش]\.?|هـ|ه\.?|[قشم](?!\w)|هجري[ةه]?|للهجر[ةه]|هجری(?:\s+(?:قمری|شمسی))?"
    r"|شمسی|قمری|خورشیدی|ميلادي[ةه]?|للميلاد|میلادی|г\.|г(?!\w)|года|год|р\.|року))?"
)
_ML_RE = re.compile(
    r"(?<![\w.])(?:"
    # day month year: "28 août 2018", "28 de agosto de 2018", "28. August 2018",
    # "۶ شهریور ۱۳۹۷", "17 ذو الحجة 1439 هـ", "ב-28 באוגוסט 2018", "28 آب/أغسطس 2018"
    r"(?P<dmy>(?P<d>\d{1,2})(?:er|re|º|°|ª|\.|-?го|-?е)?[\s,]+(?:(?:de|del|di|من\s+شهر|من|شهر|ماه)\s+)?"
    + _PREFIX
    + r"(?P<m>" + "|".join(_MONTH_PATTERNS) + r")(?:\s*[/(]\s*" + _PREFIX + r"(?:" + "|".join(_MONTH_PATTERNS)
    + r")\s*\)?)?(?:['’]\w+)?\.?[\s,،]+(?:(?:de|del|سنة|سنه|عام|لعام|العام|سال)\s+)?(?P<y>\d{4})(?!\d)"
    + _MARK
    + r")"
    # numbers in native digits, or with a calendar's mark: "٢٠١٨-٠٨-٢٨", "۱۳۹۷/۰۶/۰۶", "١٧/١٢/١٤٣٩هـ"
    r"|(?P<ymd>(?P<yy>\d{4})(?P<s1>[-/.؍])(?P<ym>\d{1,2})(?P=s1)(?P<yd>\d{1,2}))(?!\d)" + _MARK.replace("mark", "ymark")
    + r"|(?P<dmyn>(?P<nd>\d{1,2})(?P<s2>[-/.؍])(?P<nm>\d{1,2})(?P=s2)(?P<ny>\d{4}))(?!\d)" + _MARK.replace("mark", "nmark")
    # Chinese, Japanese, Korean: 2018年8月28日, 2018년 8월 28일
    + r"|(?P<cjk>(?P<cy>\d{4})\s*[年년]\s*(?P<cm>\d{1,2})\s*[月월]\s*(?P<cd>\d{1,2})\s*[日일])"
    r")",
    re.IGNORECASE,
)
# In text beyond ASCII the anchors also include Solar Hijri and Islamic years (13xx,
# 14xx) and years in native digits; the English scan runs only at its own anchors.
_NON_LATIN_ANCHOR_RE = re.compile(
    r"\d(?:(?<=1)[89]\d\d|(?<=2)0\d\d|\.\d{1,2}\.\d\d"
    r"|(?<=1)[34]\d\d|(?<=[١۱१])[٣٤٨٩۳۴۸۹३४८९]\d\d|(?<=[٢۲२])[٠۰०]\d\d)"
)
_ENGLISH_CENTURIES = frozenset({"18", "19", "20"})
_ML_BEFORE = 48  # "28 من شهر تشرين الثاني/نوفمبر " before a year
_ML_AFTER = 16  # "/06/06 هـ.ش" after a year
_TAIL_FILLERS = frozenset({"de", "del", "سنة", "سنه", "عام", "لعام", "العام", "سال", "من", "شهر"})
_YEAR_AFTER_RE = re.compile(r"(?!\d)" + _MARK)


def _calendar_date(calendar: str, year: int, month: int, day: int, written_mark: str | None) -> date | None:
    mark = _key(written_mark) if written_mark else ""
    if calendar == _G:
        if mark and mark not in ("م", "ميلادي", "ميلاديه", "للميلاد") and not mark.startswith(("г", "р", "год", "рок")):
            return None
        if not 1800 <= year <= 2099:
            return None
        try:
            return date(year, month, day)
        except ValueError:
            return None
    if calendar == _J:
        if "ق" in mark or mark in ("م", "ميلادي", "ميلاديه") or not 1200 <= year <= 1499:
            return None
        return solar_hijri_to_gregorian(year, month, day)
    if "ش" in mark or mark in ("م", "ميلادي", "ميلاديه"):
        return None
    return hijri_to_gregorian(year, month, day)


def _numeric_calendar(year: int, digits: str, written_mark: str | None) -> str | None:
    """Which calendar "year/month/day" in these digits means, if it can be told."""
    mark = _key(written_mark) if written_mark else ""
    if "ش" in mark or "خورشيدي" in mark:
        return _J
    if mark.startswith(("ه", "ق")) or "قمري" in mark:
        return _H
    if 1800 <= year <= 2099:
        return _G if not digits.isascii() or mark else None
    if 1300 <= year < 1500 and any("۰" <= char <= "۹" for char in digits):
        return _J  # Persian digits, a year of this century: Iran's calendar
    return None


def _ml_interpret(match: re.Match[str]) -> tuple[date, int] | None:
    """The date and where it ends (a calendar's mark after the year belongs to it)."""
    if match.group("dmy"):
        calendar, month = _MONTH_TABLE.get(_key(match.group("m")), (_G, 0))
        day, year = int(match.group("d")), int(match.group("y"))
        found = _calendar_date(calendar, year, month, day, match.group("mark")) if month else None
        return (found, match.end()) if found else None
    if match.group("ymd"):
        year, month, day, mark = int(match["yy"]), int(match["ym"]), int(match["yd"]), match["ymark"]
        digits = match.group("ymd")
    elif match.group("dmyn"):
        year, month, day, mark = int(match["ny"]), int(match["nm"]), int(match["nd"]), match["nmark"]
        digits = match.group("dmyn")
        if digits.isascii() and not mark:
            return None  # 28/08/2018 or 08/28/2018: the English reading says nothing either
    else:
        found = _calendar_date(_G, int(match["cy"]), int(match["cm"]), int(match["cd"]), None)
        return (found, match.end()) if found else None
    which = _numeric_calendar(year, digits, mark)
    found = _calendar_date(which, year, month, day, mark) if which else None
    return (found, match.end()) if found else None


def _month_before(text: str, low: int, year_start: int) -> tuple[str, int, int, bool] | None:
    """The month named right before the year at ``year_start`` (``août 2018``,
    ``في آب 2018``, ``شهریور ۱۳۹۷``): calendar, month, where its name starts and
    whether it may stand without a day."""
    if year_start == 0 or not (text[year_start - 1].isspace() or text[year_start - 1] in ",،"):
        return None
    words = text[low:year_start].split()[-4:]
    if words and _word_key(words[-1]) in _TAIL_FILLERS:
        words.pop()
    for count in (2, 1):
        if len(words) < count:
            continue
        name = " ".join(words[-count:])
        bare = _TAIL_STRIP_RE.sub("", name)
        for strip in (0, 1, 2, 3):  # attached prefixes: بآب, بالآب, בינואר, לאוגוסט
            if strip and (len(bare) - strip < 2 or bare[0] not in _PREFIX_LETTERS):
                break
            key = _word_key(bare[strip:])
            found = _MONTH_TABLE.get(key)
            if found is None or (strip and not re.fullmatch(_PREFIX, bare[:strip])):
                continue
            alone = key not in _DAY_ONLY and bare[strip:].lower() not in _DAY_ONLY
            return found[0], found[1], text.rfind(words[-count], low, year_start), alone
    return None


_TAIL_STRIP_RE = re.compile(r"^[(\[«\"“]+|(?:['’]\w*)?[.,،)\]»\"”]*$|^.*/")  # "(août", "août.", "Ağustos'ta", "آب/أغسطس"
_PREFIX_LETTERS = frozenset("وبلفاובלמהש")


def _word_key(word: str) -> str:
    return word.lower() if word.isascii() else _key(word)


def _find_other(text: str, anchor: re.Match[str], done: int, partial: bool) -> FoundDate | None:
    """A date of another language or calendar around ``anchor`` (a year or d.m.yy)."""
    low = max(done, anchor.start() - _ML_BEFORE)
    before = _month_before(text, low, anchor.start()) if anchor.end() - anchor.start() == 4 else None
    # Only where a month name stands before the year, or the digits are not ASCII, or
    # a number follows ("1397/06/06", "2018年8月"), can the scan below find anything:
    # most years in text are neither, and skip it.
    if before is not None or not anchor.group().isascii() or text[anchor.end() : anchor.end() + 1] in _AFTER_NUMBER or (
        anchor.start() > 0 and text[anchor.start() - 1] in _AFTER_NUMBER
    ):
        high = min(len(text), anchor.end() + _ML_AFTER)
        for match in _ML_RE.finditer(text, low, high):
            if match.end() <= anchor.start():
                continue
            if match.start() > anchor.start():
                break
            found = _ml_interpret(match)
            if found is not None:
                return FoundDate(found[0].isoformat(), match.start(), found[1], True)
    if not partial or before is None or not before[3] or text[anchor.start() - 1].isdigit():
        return None
    after = _YEAR_AFTER_RE.match(text, anchor.end())
    if after is None:
        return None
    calendar, month, start, _ = before
    year = int(anchor.group())
    middle = _calendar_date(calendar, year, month, 1 if calendar == _G else 15, after.group("mark"))
    if middle is None:
        return None
    return FoundDate(f"{middle.year:04d}-{middle.month:02d}", start, after.end(), False)


_AFTER_NUMBER = frozenset("/-.؍年년")
