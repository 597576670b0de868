"""Where a URL in plain text begins and ends: what a reader of the text would click.

One section per failure class found by running on other projects' material
(benchmarks/url_suites.py compares with their suites)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.extract import extract_text
from refcheck.extract.analyze import ExtractContext
from refcheck.extract.outlets import OutletIndex
from refcheck.extract.urls import code_text, find_urls, normalize_url, trim_url, wrapped_url_breaks


def found(text: str) -> list[str]:
    urls = list(find_urls(text))
    for url in urls:
        assert text[url.start : url.end] == url.text
    return [url.text for url in urls]


_CONTEXT = ExtractContext(OutletIndex.load())


def _html_citations(page: str) -> list[tuple[int, str]]:
    document = extract_text(page, "html", "page.html", _CONTEXT)
    return [(citation.line, citation.url) for citation in document.citations]


# --- a bracket the URL did not open ends it ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("asd(example.net/x)asd", ["example.net/x"]),
        ("asd(https://example.net/x)asd", ["https://example.net/x"]),
        ("see [https://x.org/a]b and", ["https://x.org/a"]),
        ("{https://x.org/a}b", ["https://x.org/a"]),
        ("https://x.org/a)b", ["https://x.org/a"]),
        ("example.com]x", ["example.com"]),
        ("(see https://en.wikipedia.org/wiki/Idlib_(city))more", ["https://en.wikipedia.org/wiki/Idlib_(city)"]),
        ("https://x.org/q?a[]=1&b=(2)", ["https://x.org/q?a[]=1&b=(2)"]),
        ("http://[2001:db8::1]:8080/p)", ["http://[2001:db8::1]:8080/p"]),
        ("[t](https://x.org/a) and [u](https://x.org/b_(c))", ["https://x.org/a", "https://x.org/b_(c)"]),
    ],
)  # fmt: skip
def test_an_unopened_bracket_ends_the_url(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(http://a.com/x)(http://b.com/y)", ["http://a.com/x", "http://b.com/y"]),
        ("[https://a.org/1][https://b.org/2]", ["https://a.org/1", "https://b.org/2"]),
        ("(example.org/a)(https://b.org/b)", ["example.org/a", "https://b.org/b"]),
        ("(https://a.org/x_(1))(https://b.org/y)", ["https://a.org/x_(1)", "https://b.org/y"]),
    ],
)
def test_urls_joined_at_brackets_are_two(text: str, expected: list[str]) -> None:
    assert found(text) == expected


# --- full-width, CJK and box-drawing delimiters; backticks; backslashes ---------------------


@pytest.mark.parametrize(
    "left, right",
    [
        ("｜", "｜"), ("│", "│"), ("┃", "┃"), ("（", "）"), ("「", "」"), ("『", "』"), ("【", "】"),
        ("〈", "〉"), ("《", "》"), ("〔", "〕"), ("［", "］"), ("｛", "｝"), ("＂", "＂"), ("", "。"),
        ("", "、"), ("", "，"), ("", "："), ("", "；"), ("", "！"), ("", "？"), ("`", "`"), ("„", "“"),
        ("‹", "›"),
    ],
)  # fmt: skip
def test_full_width_and_box_drawing_delimiters_end_a_url(left: str, right: str) -> None:
    for url in ("https://example.org/a/b?c=1", "www.example.org/a", "example.org/a"):
        assert found(f"文字{left}{url}{right}文字") == [url], (left, right, url)
        assert found(f"text {left}{url}{right}more") == [url], (left, right, url)


def test_cjk_text_around_urls() -> None:
    text = "详见：https://www.reuters.com/world/x-1。另见（https://example.org/a）、【example.net/b】"
    assert found(text) == ["https://www.reuters.com/world/x-1", "https://example.org/a", "example.net/b"]
    # A path written in CJK stays whole (Wikipedia titles); CJK punctuation ends it.
    assert found("見て https://ja.wikipedia.org/wiki/東京都。") == ["https://ja.wikipedia.org/wiki/東京都"]
    assert found("https://ja.wikipedia.org/wiki/JR東日本 と") == ["https://ja.wikipedia.org/wiki/JR東日本"]
    # A scheme right after CJK text inside a URL starts the next one.
    assert found("详见http://a.com/x中文http://b.com/y") == ["http://a.com/x中文", "http://b.com/y"]
    # A bare name ends where CJK text begins, and starts where it ends.
    assert found("twitter.comこれは日本語です。example.com中国語t.co/abcde") == ["twitter.com", "example.com", "t.co/abcde"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("run `https://x.org/code` now", ["https://x.org/code"]),
        ("`example.org/a`", ["example.org/a"]),
        ("https://x.org/a`b`", ["https://x.org/a"]),
        ("path https://x.org/dir\\ and", ["https://x.org/dir"]),
        ("https://x.org/dir/\\\\", ["https://x.org/dir/"]),
        ('{"u": \\"https://x.org/a\\"}', ["https://x.org/a"]),
        ("http://x.org\\path\\file", ["http://x.org\\path\\file"]),  # a backslash inside is a reader's slash
    ],
)
def test_backticks_and_backslashes(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "mark", ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
             "\u2069", "\u200b", "\u2060", "\ufeff", "\u061c"],
)  # fmt: skip
def test_bidi_controls_and_zero_width_spaces_end_a_url(mark: str) -> None:
    assert found(f"see https://example.com/a{mark}b and") == ["https://example.com/a"]
    assert found(f"see www.example.com/a{mark}b") == ["www.example.com/a"]
    assert found(f"see example.com/a{mark}b") == ["example.com/a"]
    assert found(f"{mark}https://example.com/c{mark}") == ["https://example.com/c"]
    assert found(f"{mark}example.com{mark}") == ["example.com"]


def test_rtl_text_with_isolates() -> None:
    text = "\u2066\u202atest abcdef.com پاکستان http://twitter.com/\u202c\u2069"
    assert found(text) == ["abcdef.com", "http://twitter.com/"]
    text = "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069 قطر"
    assert found(text) == ["http://foobar.پاکستان/"]


def test_zero_width_joiners_stay_inside() -> None:
    # ZWJ joins emoji sequences and ZWNJ Persian words: neither ends a URL.
    assert found("emoji url http://📙.la/🧛🏻\u200d♂️ mid-sentence") == ["http://📙.la/🧛🏻\u200d♂️"]
    assert found("https://fa.wikipedia.org/wiki/می\u200cخواهم end") == ["https://fa.wikipedia.org/wiki/می\u200cخواهم"]


# --- quotes: kept when the path holds them, dropped when they close a quote -----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://x.org/it's here", ["https://x.org/it's"]),
        ('see http://x.org/"a" here', ['http://x.org/"a"']),
        ("see http://x.org/'a' here", ["http://x.org/'a'"]),
        ('"http://x.org/a" and', ["http://x.org/a"]),
        ("'http://x.org/a' and", ["http://x.org/a"]),
        ("'http://x.org/it's' and", ["http://x.org/it's"]),
        ('"see http://x.org/a", he said', ["http://x.org/a"]),
        ("'see http://x.org/a', he said", ["http://x.org/a"]),
        ('"see http://x.org/"a"" too', ['http://x.org/"a"']),
        ('http://x.org/a" stray', ["http://x.org/a"]),
        ('{"url":"https://x.org/a","title":"b"}', ["https://x.org/a"]),
        ('<a href="http://x.org/a">x</a>', ["http://x.org/a"]),
        ('<a href="http://x.org/a" target="_blank">', ["http://x.org/a"]),
        ('"https://x.org/?q=quote-in-"-url"', ['https://x.org/?q=quote-in-"-url']),
        ("'https://x.org/?q=quote-in-'-url'", ["https://x.org/?q=quote-in-'-url"]),
        ("print('https://x.org/a');", ["https://x.org/a"]),
        ("['https://a.org/x','https://b.org/y']", ["https://a.org/x", "https://b.org/y"]),
        ("http://website.com/\"onmouseover=x\";//", ["http://website.com/\"onmouseover=x\";//"]),
        ('see "example.org/a" and', ["example.org/a"]),
        ("Joe went to yahoo.com's today", ["yahoo.com"]),
        ("Joe went to yahoo.com's/foo today", ["yahoo.com"]),
        ("see http://yahoo.com's site", ["http://yahoo.com"]),
        ("www.example.com's page", ["www.example.com"]),
    ],
)  # fmt: skip
def test_quotes(text: str, expected: list[str]) -> None:
    assert found(text) == expected


def test_trim_url_keeps_balanced_quotes() -> None:
    assert trim_url("https://x.org/it's") == "https://x.org/it's"
    assert trim_url("https://x.org/it's'") == "https://x.org/it's'"  # two: balanced
    assert trim_url("https://x.org/a'") == "https://x.org/a"
    assert trim_url('https://x.org/"a"".') == 'https://x.org/"a"'
    assert trim_url("https://x.org/a\\\\.") == "https://x.org/a"
    assert trim_url("https://x.org/a…") == "https://x.org/a"


# --- a scheme glued to the word before it ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text:http://x.org/a", ["http://x.org/a"]),
        ("1.http://x.org/a", ["http://x.org/a"]),
        ("-https://x.org/a", ["https://x.org/a"]),
        ("see:https://x.org/a", ["https://x.org/a"]),
        ("URL:https://x.org/a", ["https://x.org/a"]),
        ("Link 1:https://nia.nexon.com testing", ["https://nia.nexon.com"]),
        ("链接:https://www.google.com testing", ["https://www.google.com"]),
        ("این یک لینک استhttps://www.example.com testing", ["https://www.example.com"]),
        ("xxxhttp://example.com", ["http://example.com"]),
        ("emoji 👉http://📙.la/x end", ["http://📙.la/x"]),
        ("FOO=https://example.com", ["https://example.com"]),
        ("{{cite web |url=https://www.reuters.com/x |title=y}}", ["https://www.reuters.com/x"]),
        ("Website:www.example.org/contact", ["www.example.org/contact"]),
        ("git+https://github.com/a/b", ["https://github.com/a/b"]),
    ],
)
def test_a_scheme_glued_to_a_word_starts_a_url(text: str, expected: list[str]) -> None:
    assert found(text) == expected
    [url] = find_urls(text)
    assert not url.scheme_assumed or url.text.lower().startswith("www.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://web.archive.org/web/2019/https://x.com/a", ["https://web.archive.org/web/2019/https://x.com/a"]),
        ("web.archive.org/web/2019/https://x.com/a", ["web.archive.org/web/2019/https://x.com/a"]),
        ("example.com/r?u=https://x.org/a b", ["example.com/r?u=https://x.org/a"]),
        ("https://g.co/r?a=1&u=https://x.org", ["https://g.co/r?a=1&u=https://x.org"]),
        ("https://g.co/search?q=cache:https://x.com", ["https://g.co/search?q=cache:https://x.com"]),
        ("https://x.org/#https://y.org", ["https://x.org/#https://y.org"]),
        ("foohttp://bar", []),  # glued to a word, "bar" is no host name
        ("awww.example.com", ["awww.example.com"]),  # one bare name, not "www.example.com"
    ],
)
def test_a_scheme_inside_a_url_stays_in_it(text: str, expected: list[str]) -> None:
    assert found(text) == expected


# --- protocol-relative URLs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("//example.com/path", ["//example.com/path"]),
        ("Joe went to //yahoo.com yesterday", ["//yahoo.com"]),
        ("Joe went to //YAHOO.COM", ["//YAHOO.COM"]),
        ("(//news.bbc.co.uk/2/hi/x.stm)", ["//news.bbc.co.uk/2/hi/x.stm"]),
        ('src="//cdn.example.net/a.js"', ["//cdn.example.net/a.js"]),
        ("[//example.org/a]", ["//example.org/a"]),
        ("see\n//example.org/a.", ["//example.org/a"]),
        ("Русским проще набрать //россия.рф на клавиатуре", ["//россия.рф"]),
    ],
)
def test_protocol_relative_urls(text: str, expected: list[str]) -> None:
    assert found(text) == expected
    assert all(url.scheme_assumed for url in find_urls(text))


@pytest.mark.parametrize(
    "text",
    [
        "a//example.com/x", "abc-//yahoo.com", "file:///etc/passwd", "file://server/share/x.txt", "// a comment",
        "//localhost/x", "//TODO.md", "//server/share", "x = 1 // example", "https:// alone", "//.com/x",
    ],
)  # fmt: skip
def test_not_protocol_relative(text: str) -> None:
    assert found(text) == []


def test_protocol_relative_normalisation() -> None:
    assert normalize_url("//example.com/a") == ("https://example.com/a", True)
    assert normalize_url("//Example.COM") == ("https://example.com/", True)
    assert normalize_url("//россия.рф/x") == ("https://xn--h1alffa9f.xn--p1ai/x", True)


# --- bare names in capitals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see EXAMPLE.COM/x now", ["EXAMPLE.COM/x"]),
        ("see example.Net now", ["example.Net"]),
        ("see WWW.EXAMPLE.ORG now", ["WWW.EXAMPLE.ORG"]),
        ("Joe went to YAHOO.COM.", ["YAHOO.COM"]),
        ("Reuters.com reported", ["Reuters.com"]),
        ("MLB.tv vine.co", ["MLB.tv", "vine.co"]),
        ("NEWS.BBC.CO.UK/2/hi", ["NEWS.BBC.CO.UK/2/hi"]),
        ("Example.Photo/abc", ["Example.Photo/abc"]),
        ("test ELPAÍS.com", ["ELPAÍS.com"]),
    ],
)
def test_bare_names_in_capitals(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "It ended.Today we start", "the end.Now we", "THE END.NEWS AT TEN", "Syria.It was", "README.MD",
        "Mr.Smith", "see SETUP.PY", "конец.Москва",
    ],
)  # fmt: skip
def test_sentences_run_together_are_not_names(text: str) -> None:
    assert found(text) == []


def test_capitals_normalise_to_lower_case() -> None:
    assert normalize_url("EXAMPLE.COM/X") == ("https://example.com/X", True)


# --- hosts outside ASCII ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text http://✪df.ws/123", ["http://✪df.ws/123"]),
        ("http://ああ.com and http://あ-あ.com", ["http://ああ.com", "http://あ-あ.com"]),
        ("Joe went to http://mañana.com/mañana?mañana=1#mañana today.", ["http://mañana.com/mañana?mañana=1#mañana"]),
        ("сайт президент.рф, да", ["президент.рф"]),
        ("Русским гораздо проще набрать россия.рф на клавиатуре.", ["россия.рф"]),
        ("адрес http://пример.испытание/путь тут", ["http://пример.испытание/путь"]),
        ("президент.рф/путь/к", ["президент.рф/путь/к"]),
        ("see 例子.中国 and 例子.中国/路径", ["例子.中国", "例子.中国/路径"]),
        ("Joe went to mañana.com today.", ["mañana.com"]),
        ("bücher.de/ä and www.bücher.de", ["bücher.de/ä", "www.bücher.de"]),
        ("test xn--d1acufc.xn--p1ai ok", ["xn--d1acufc.xn--p1ai"]),
        ("हिन्दी.भारत/पथ", ["हिन्दी.भारत/पथ"]),
    ],
)
def test_hosts_outside_ascii(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "пример.испытание/путь",  # a test suffix, not in the public suffix list
        "例え.テスト",  # the same
        "1.中国 2.美国",  # a numbered list
        "слово.слово",
    ],
)
def test_international_names_need_a_real_suffix(text: str) -> None:
    assert found(text) == []


def test_international_hosts_normalise_to_punycode() -> None:
    assert normalize_url("http://✪df.ws/123") == ("http://xn--df-oiy.ws/123", False)
    assert normalize_url("президент.рф") == ("https://xn--d1abbgf6aiiy.xn--p1ai/", True)


# --- code identifiers are not domains --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "we set this.name in the constructor",
        "call time.now() to get it",
        "loop over json.photos.photo and",
        "then self.data is read",
        "window.location and document.body",
        "compare obj.id with it",
        "x = user.id;",
        "if (item.name == other.name) {",
        "console.log(x) and math.floor(y)",
        "const total = order.total;",
        "e.name, e.target and props.items",
    ],
)
def test_code_identifiers_are_not_domains(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see reuters.com/x for it", ["reuters.com/x"]),
        ("the bbc.co.uk site", ["bbc.co.uk"]),
        ("news.google.com says", ["news.google.com"]),
        ("at example.photo/abc now", ["example.photo/abc"]),
        ("read example.news today", ["example.news"]),
        ("Sources: ap.news; example.news;", ["ap.news", "example.news"]),
        ("the math.ethz.ch pages", ["math.ethz.ch"]),
        ("open data.europa.eu", ["data.europa.eu"]),
        ("log in at console.aws.amazon.com", ["console.aws.amazon.com"]),
        ("json.org explains", ["json.org"]),
        ("example.org(https://x.org/b)", ["example.org", "https://x.org/b"]),
        ("x = https://example.photo/a;", ["https://example.photo/a"]),  # a scheme is never code
        ("see this.example.com", ["this.example.com"]),
    ],
)
def test_real_bare_domains_stay(text: str, expected: list[str]) -> None:
    assert found(text) == expected


# --- URLs hard-wrapped with a backslash in preformatted text ----------------------------------


def test_wrapped_url_breaks() -> None:
    text = "see https://example.com/very/long/\\\npath/rest and\n"
    assert wrapped_url_breaks(text) == {text.index("\n")}
    many = "https://example.com/a/\\\nb/\\\nc d"
    assert wrapped_url_breaks(many) == {index for index, char in enumerate(many) if char == "\n"}
    for unwrapped in [
        "https://example.com/a/\\\n path",  # the next line starts with a space
        "https://example.com/a/ \\\npath",  # the backslash is not right after the URL
        "https://example.com/a/\\\\\npath",  # an escaped backslash
        "some text \\\npath",  # no URL
        "https://example.com/a/\\\n",  # nothing after
    ]:
        assert wrapped_url_breaks(unwrapped) == frozenset(), unwrapped


def test_wrapped_url_in_pre_is_joined() -> None:
    page = (
        "<html><body><p>Intro.</p>\n<pre>\n"
        "Source: https://example.com/very/long/\\\n"
        "path/rest and then\n"
        "next www.example.org/x\n"
        "https://a.example.org/1/\\\n2/\\\n3.\n"
        "</pre>\n<p>Last https://last.example.org/</p></body></html>"
    )
    assert _html_citations(page) == [  # each on the line where it starts
        (3, "https://example.com/very/long/path/rest"),
        (5, "https://www.example.org/x"),
        (6, "https://a.example.org/1/2/3"),
        (10, "https://last.example.org/"),
    ]


def test_wrapped_url_outside_pre_is_not_joined() -> None:
    page = "<p>Source: https://example.com/very/long/\\\npath/rest</p>"
    assert _html_citations(page) == [(1, "https://example.com/very/long/")]


# --- code in HTML -----------------------------------------------------------------------------


def test_code_text() -> None:
    text = 'x = this.name; fetch("https://api.example.org/v1")\nsee example.com\n'
    assert code_text(text) == " " * 22 + "https://api.example.org/v1" + "  \n" + " " * 15 + "\n"
    bare = "www.example.org and //cdn.example.net/a.js"
    assert code_text(bare) == " " * len(bare)


def test_bare_names_in_html_code_are_not_citations() -> None:
    page = (
        "<html><body>\n"
        "<p>Set <code>this.name</code> and <code>example.com</code>, then example.org/a.</p>\n"
        "<p><code>fetch('https://api.example.net/v1')</code> <kbd>www.kbd.example.org</kbd>"
        " <samp>samp.example.org/x</samp> after.example.org/b</p>\n"
        '<pre><code class="language-js">const u = "https://code.example.org/a"; // docs.example.org\n'
        "<span>let v = json.photos.photo;</span> <span>https://span.example.org/</span>\n"
        "</code></pre>\n"
        "<pre>plain preformatted text: mailinglist.example.org/archive</pre>\n"
        "</body></html>"
    )
    assert _html_citations(page) == [
        (2, "https://example.org/a"),
        (3, "https://api.example.net/v1"),
        (3, "https://after.example.org/b"),
        (4, "https://code.example.org/a"),
        (5, "https://span.example.org/"),
        (7, "https://mailinglist.example.org/archive"),
    ]


# --- in every case: offsets, order, no overlap; linear time -------------------------------------


_delimiter = st.sampled_from(
    [" ", "\n", "（", "）", "「", "」", "【", "】", "。", "、", "，", "｜", "│", "\u200b", "\u200e", "\u2066",
     "\u2069", "`", "“", "”", "«", "»", "<", ">"]
)  # fmt: skip
_url = st.sampled_from(
    [
        "https://example.org/a/b", "http://x.org/it's", "https://en.wikipedia.org/wiki/Foo_(bar)", "www.example.net/p?q=1",
        "example.com/path", "//cdn.example.org/a.js", "https://ru.wikipedia.org/wiki/Кириллица", "президент.рф/путь",
        'http://x.org/"a"', "https://x.org/a,b,c", "https://x.org/a[1]",
    ]
)  # fmt: skip


@given(url=_url, before=_delimiter, after=_delimiter, word=st.sampled_from(["", "word", "文字", "слово"]))
@settings(max_examples=300, deadline=None)
def test_delimited_urls_come_back_exactly(url: str, before: str, after: str, word: str) -> None:
    if url.startswith("//") and before not in " \n（「【“«<":
        return  # protocol-relative only after a space, a quote or a bracket
    text = f"{word}{before}{url}{after}{word}"
    assert found(text) == [url]


@given(st.text(alphabet=st.sampled_from(list("ab.:/()[]{}'\"`\\-=?&#@ \nwhtps中。é✪\u200b\u2066")), max_size=200))
@settings(max_examples=500, deadline=None)
def test_url_soup_never_overlaps(text: str) -> None:
    previous = 0
    for url in find_urls(text):
        assert text[url.start : url.end] == url.text
        assert previous <= url.start < url.end
        previous = url.end


@pytest.mark.parametrize(
    "text",
    [
        "(http://a.com/x)" * 20_000,
        "http://a.co)" * 40_000,
        "x(example.com/a)" * 20_000,
        '"http://a.co/b' * 40_000,
        "'http://a.co/b'c" * 40_000,
        "?=https://a.co" * 40_000,
        "中http://a.co/b" * 40_000,
        "例え." * 100_000 + "中国",
        "a中.co" * 60_000,
        "//a.co" * 60_000,
        "https://x.org/" + "\\\nb" * 50_000,
        "www.a.b" * 60_000,
    ],
)
def test_hostile_runs_are_linear(text: str) -> None:
    started = time.perf_counter()
    list(find_urls(text))
    wrapped_url_breaks(text)
    assert time.perf_counter() - started < 3, len(text)
