"""The article's language (ISO 639-1) when its markup does not state one: by
script, then by letters and short words that tell languages of one script apart.

* Arabic script: Persian (``fa``) by its own letters پ چ ژ گ and the Persian
  forms ک ی and digits ۰–۹, against Arabic's ك ي ة ى أ إ and digits ٠–٩
  (``ar``); Urdu (``ur``) by ے ٹ ڈ ڑ ں ہ; Sorani Kurdish (``ku``) by ە ێ ۆ ڵ ڕ.
* Hebrew script: ``he`` (Yiddish ``yi`` by its ligatures װ ײ ױ).
* Cyrillic: Ukrainian (``uk``) by і ї є ґ and its short words, Russian
  (``ru``) by ы э ъ ё and its own; Serbian/Macedonian letters ђ ј љ њ ћ џ;
  Bulgarian (``bg``) by ъ without ы э.
* Greek: ``el``. Latin: Turkish (``tr``) by ğ ş ı İ, Azerbaijani (``az``) by
  ə, else the most common short words of ``en fr de es it pt nl tr``, with the
  letters only one of them uses (ß, ñ, ã/õ, œ…).

Only a bounded prefix of the text is read (:data:`PREFIX`), URLs and e-mail
addresses taken out first (an Arabic article's English links are not its
language). Measured against py3langid, langid, langdetect and lingua: the
figures are in the README ("What is extracted", language); on the languages
refcheck's corpora are written in it is as accurate, needs no model, and
takes microseconds.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

PREFIX = 6000
"""Characters of the text read for detection."""

_MIN_LETTERS = 2
LATIN_PREFIX = 1200
"""Characters read of a Latin-script text (paragraph length and more: all detectors,
this one included, were right on every 8-sentence sample of the comparison)."""
_OTHER_SCRIPTS_RE = re.compile(r"[\u0370-\u1dff\u2c00-\u2dff\u2e80-\ud7ff\uf900-\ufaff\ufb1d-\ufeff]")

_NOISE_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+|\S+@\S+\.\w+|\S+\.(?:com|org|net|gov|int)\S*", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

_PERSIAN = frozenset("پچژگکی۰۱۲۳۴۵۶۷۸۹")
_ARABIC = frozenset("كيةىأإؤ٠١٢٣٤٥٦٧٨٩")
_URDU = frozenset("ےٹڈڑںہ")
_SORANI = frozenset("ەێۆڵڕ")
_YIDDISH = frozenset("װײױ")
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_RUSSIAN = frozenset("ыэъёЫЭЪЁ")
_SERBIAN = frozenset("ђјљњћџЂЈЉЊЋЏ")
_BULGARIAN_NOT = frozenset("ыэЫЭ")

_CYRILLIC_WORDS = {
    "ru": "и в не на что с по как это он она они его ее её от до за из для был была были также но или уже при только "
    "же бы если когда который которые которая чтобы еще ещё года году г может можно этот эта эти быть имеет нет",
    "uk": "і й та в у не на що з із зі по як це він вона вони його її від до за для був була були також але або вже при "
    "лише тільки б якщо коли який які яка щоб ще року р може можна цей ця ці цю цього бути має немає було",
}

_LATIN_WORDS = {
    "en": "the of and to in is that for it was on with as by at from this be are were has have had not but or an which "
    "their they its after said would will who been than",
    "fr": "le la les de des du et est un une que qui dans pour sur au aux par pas ne se ce il elle ont sont été avec plus "
    "mais ou son sa ses leur après selon",
    "de": "der die das und ist nicht ein eine einen dem den des zu mit sich auf für von im auch es sie er wurde wird sind "
    "war hat nach bei aus noch",
    "es": "el la los las de del y en que un una por con para es se no al lo su sus fue como más pero sobre también "
    "según entre ha han",
    "it": "il lo gli la le di del della e è che un una per con non si sono da nel nella al alla ha anche come più dopo "
    "secondo",
    "pt": "o os a as de do da dos das e em no na um uma que por com para não se foi é ao mais como mas seu sua também "
    "segundo após",
    "nl": "de het een en van in is dat op te zijn niet met voor er aan ook als bij door wordt werd naar maar uit heeft "
    "volgens",
    "tr": "ve bir bu da de ile için olarak olan gibi daha çok ama en ki ne her sonra göre kadar değil ise veya şu o",
}

_LATIN_LETTERS = {
    "de": "ßäÄ",
    "es": "ñÑ¿¡",
    "pt": "ãõÃÕ",
    "fr": "œèêëîûùÈÊ",
    "tr": "ğşıİĞŞ",
}

_WORDS: dict[str, dict[str, frozenset[str]]] = {
    "cyrillic": {lang: frozenset(words.split()) for lang, words in _CYRILLIC_WORDS.items()},
    "latin": {lang: frozenset(words.split()) for lang, words in _LATIN_WORDS.items()},
}


_LATIN_WORD_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _lang, _vocabulary in _WORDS["latin"].items():
    for _word in _vocabulary:
        _LATIN_WORD_LANGUAGES[_word] = (*_LATIN_WORD_LANGUAGES.get(_word, ()), _lang)
_LATIN_LETTER_SETS = {lang: frozenset(letters) for lang, letters in _LATIN_LETTERS.items()}
_SCHWA = frozenset("əƏ")

_SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"),
    "arabic": re.compile(
        r"[\u0620-\u064a\u0660-\u0669\u066e-\u06d3\u06d5\u06ee-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"
    ),
    "hebrew": re.compile(r"[\u05d0-\u05f2\ufb1d-\ufb4f]"),
    "cyrillic": re.compile(r"[\u0400-\u0481\u048a-\u052f]"),
    "greek": re.compile(r"[\u0386-\u03ff\u1f00-\u1fff]"),
    "armenian": re.compile(r"[\u0531-\u0587]"),
    "georgian": re.compile(r"[\u10a0-\u10ff]"),
    "thai": re.compile(r"[\u0e01-\u0e5b]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "hangul": re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"),
    "kana": re.compile(r"[\u3041-\u30ff]"),
    "han": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),
}
"""Letters (and Arabic-script digits) of each script refcheck tells apart."""

_BY_SCRIPT = {"greek": "el", "armenian": "hy", "georgian": "ka", "thai": "th", "devanagari": "hi", "hangul": "ko"}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in (its first
    :data:`PREFIX` characters), or None when it cannot tell (too little text,
    a script it does not know)."""
    if _OTHER_SCRIPTS_RE.search(text, 0, PREFIX) is None:
        # Latin script only (most articles): counting every script's letters cost
        # a quarter of plain-text extraction; the words of a shorter sample tell.
        latin = _without_noise(text[:LATIN_PREFIX])
        letters = _SCRIPTS["latin"].finditer(latin)
        return _latin(latin) if sum(1 for _ in islice(letters, _MIN_LETTERS)) >= _MIN_LETTERS else None
    sample = _without_noise(text[:PREFIX])
    counts = {script: len(pattern.findall(sample)) for script, pattern in _SCRIPTS.items()}
    if counts["kana"] and counts["kana"] + counts["han"] >= _MIN_LETTERS:
        counts["kana"] += counts["han"]  # Japanese writes kanji beside kana
    script = max(counts, key=counts.__getitem__)
    if counts[script] < _MIN_LETTERS:
        return None
    if script == "arabic":
        return _arabic_script(sample)
    if script == "hebrew":
        return "yi" if _count(sample, _YIDDISH) > 2 else "he"
    if script == "cyrillic":
        return _cyrillic(sample)
    if script == "latin":
        return _latin(sample)
    if script == "kana":
        return "ja"
    if script == "han":
        return "zh"
    return _BY_SCRIPT.get(script)


def _without_noise(text: str) -> str:
    """``text`` without URLs, addresses and e-mail addresses (they are in no
    language). Word by word: one regex over the whole text, each of its
    alternatives starting with ``\\S+``, cost 0.6 ms per article."""
    return " ".join(
        word
        for word in text.split()
        if "/" not in word and "@" not in word and ("." not in word or _NOISE_RE.search(word) is None)
    )


def _count(text: str, letters: frozenset[str]) -> int:
    return sum(text.count(character) for character in letters)


def _arabic_script(text: str) -> str:
    persian, arabic = _count(text, _PERSIAN), _count(text, _ARABIC)
    if _count(text, _URDU) > max(2, arabic):
        return "ur"
    if _count(text, _SORANI) > max(2, arabic):
        return "ku"
    return "fa" if persian > arabic else "ar"


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD_RE.findall(text)]


def _cyrillic(text: str) -> str:
    words = _words(text)
    scores = {lang: sum(1 for word in words if word in vocabulary) for lang, vocabulary in _WORDS["cyrillic"].items()}
    scores["uk"] += 2 * _count(text, _UKRAINIAN)
    scores["ru"] += 2 * _count(text, _RUSSIAN)
    if _count(text, _SERBIAN) > 2 and not _count(text, _RUSSIAN) and not _count(text, _UKRAINIAN):
        return "mk" if "ѓ" in text or "ќ" in text else "sr"
    if "ъ" in text and not _count(text, _BULGARIAN_NOT) and not _count(text, _UKRAINIAN):
        return "bg"
    return "uk" if scores["uk"] > scores["ru"] else "ru"


def _latin(text: str) -> str | None:
    words = _words(text)
    ascii_text = text.isascii()  # (then no "ə" and none of _LATIN_LETTERS)
    if not ascii_text and _count(text, _SCHWA) > 1:
        return "az"
    # One look-up a word, not one membership test a word and language.
    scores: Counter[str] = Counter(dict.fromkeys(_WORDS["latin"], 0))
    for word in words:
        for lang in _LATIN_WORD_LANGUAGES.get(word, ()):
            scores[lang] += 1
    if not ascii_text:
        for lang, letters in _LATIN_LETTER_SETS.items():
            scores[lang] += 2 * _count(text, letters)
    ranked = scores.most_common(2)
    best, score = ranked[0]
    if score == 0 or (len(ranked) > 1 and ranked[1][1] == score):
        return None if len(words) < 20 else "en" if score == 0 else best
    return best


_TAG_RE = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")
_OLD_CODES = {"iw": "he", "ji": "yi", "in": "id"}
"""Codes ISO 639 withdrew, still found in ``lang`` attributes."""
_THREE_LETTER = {
    "ara": "ar", "heb": "he", "fas": "fa", "per": "fa", "pes": "fa", "rus": "ru", "tur": "tr", "eng": "en",
    "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ukr": "uk", "kur": "ku", "ckb": "ku",
    "kmr": "ku", "urd": "ur", "arb": "ar", "ell": "el", "gre": "el",
}  # fmt: skip


def language_tag(value: object) -> str | None:
    """The ISO 639-1 code of a stated language: ``he-IL``, ``ar_SY``, ``fa``, ``iw``,
    ``ara``, ``en, ar`` (the first); None for anything else (``x-default``, ``und``)."""
    if not isinstance(value, str):
        return None
    first = value.strip().split(",")[0].strip()
    found = _TAG_RE.match(first)
    if found is None:
        return None
    code = found.group().lower()
    if len(code) == 3:
        return _THREE_LETTER.get(code)
    return _OLD_CODES.get(code, code)
