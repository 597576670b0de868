"""Finding URLs in text, normalising them, registrable domains (offline)."""

from __future__ import annotations

import contextlib
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.errors import InvalidURL
from refcheck.extract.urls import find_urls, normalize_url, registrable_domain


def found(text: str) -> list[str]:
    return [url.text for url in find_urls(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://www.reuters.com/article/x-idUSKCN1LD2A4; next", ["https://www.reuters.com/article/x-idUSKCN1LD2A4"]),
        ("(https://www.defense.gov/News/Article/1359137/from/)", ["https://www.defense.gov/News/Article/1359137/from/"]),
        ("at https://x.org/a.", ["https://x.org/a"]),
        ("at https://x.org/a, then", ["https://x.org/a"]),
        ("“https://x.org/quoted”", ["https://x.org/quoted"]),
        ("'https://x.org/single'", ["https://x.org/single"]),
        ("see https://www.ynetnews.com/articles/0,7340,L-5336680,00.html, YNet",
         ["https://www.ynetnews.com/articles/0,7340,L-5336680,00.html"]),
        ("(see https://en.wikipedia.org/wiki/Idlib_(city)).", ["https://en.wikipedia.org/wiki/Idlib_(city)"]),
        ("[https://x.org/in-brackets]", ["https://x.org/in-brackets"]),
        ("<https://x.org/angle>", ["https://x.org/angle"]),
        ("By X, 30.08.2018, www.thecommunists.net", ["www.thecommunists.net"]),
        ("visit:\n\nwsws.org/contact", ["wsws.org/contact"]),
        ("read al-monitor.com today", ["al-monitor.com"]),
        ("news.bbc.co.uk/2/hi/middle_east/7.stm!", ["news.bbc.co.uk/2/hi/middle_east/7.stm"]),
        ("HTTPS://WWW.EXAMPLE.COM/Path", ["HTTPS://WWW.EXAMPLE.COM/Path"]),
        ("http://bücher.de/ä?q=1#frag", ["http://bücher.de/ä?q=1#frag"]),
        ("two: https://a.org/1 https://b.org/2", ["https://a.org/1", "https://b.org/2"]),
        ("2018 https://www.alaraby.co.uk/english/news/2018/8/14/talks Syrian Kurds",
         ["https://www.alaraby.co.uk/english/news/2018/8/14/talks"]),
    ],
)  # fmt: skip
def test_urls_as_written(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this",
        "the U.S. and Syria.It was",
        "open file.txt or README.md or setup.py",
        "write to press@reuters.com",
        "version 1.2.3 and 3.14",
        "Mr.Smith and etc. and i.e. so",
        "mailto:someone@example.org",
        "https:// alone",
    ],
)
def test_not_urls(text: str) -> None:
    assert found(text) == []


def test_offsets_point_at_the_text() -> None:
    text = "A (https://x.org/a) and www.y.com/b."
    for url in find_urls(text):
        assert text[url.start : url.end] == url.text
    assert [u.scheme_assumed for u in find_urls(text)] == [False, True]


@pytest.mark.parametrize(
    ("written", "normal", "assumed"),
    [
        ("HTTP://WWW.Reuters.COM:80/a#frag", "http://www.reuters.com/a", False),
        ("https://x.org:443", "https://x.org/", False),
        ("https://x.org:8443/p?q=1", "https://x.org:8443/p?q=1", False),
        ("www.thecommunists.net", "https://www.thecommunists.net/", True),
        ("wsws.org/contact", "https://wsws.org/contact", True),
        ("http://bücher.de/ä?q=ü", "http://xn--bcher-kva.de/%C3%A4?q=%C3%BC", False),
        ("https://x.org/a%20b", "https://x.org/a%20b", False),
        ("https://x.org/wiki/Foo_(bar)", "https://x.org/wiki/Foo_(bar)", False),
    ],
)
def test_normalisation(written: str, normal: str, assumed: bool) -> None:
    assert normalize_url(written) == (normal, assumed)


@pytest.mark.parametrize("bad", ["https://x.com:99999/", "https://", "http://[::1/x"])
def test_invalid_urls_raise(bad: str) -> None:
    with pytest.raises(InvalidURL):
        normalize_url(bad)


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("armedservices.house.gov", "house.gov"),
        ("www.alaraby.co.uk", "alaraby.co.uk"),
        ("foo.github.io", "foo.github.io"),
        ("kirkukdiary.blogspot.com", "kirkukdiary.blogspot.com"),
        ("WWW.Reuters.com.", "reuters.com"),
        ("127.0.0.1", None),
        ("localhost", None),
    ],
)
def test_registrable_domain(host: str, domain: str | None) -> None:
    assert registrable_domain(host) == domain


def test_domains_work_with_the_network_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """tldextract must use its bundled suffix list, never fetch one."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    registrable_domain.cache_clear()
    import tldextract

    fresh = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    assert fresh("a.b.example.co.uk").top_domain_under_public_suffix == "example.co.uk"
    assert registrable_domain("news.example.co.uk") == "example.co.uk"


# --- properties ---------------------------------------------------------------------

_label = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
_segment = st.from_regex(r"[A-Za-z0-9_~-]{1,12}", fullmatch=True)
_tld = st.sampled_from(["com", "org", "net", "co.uk", "gov", "de", "info", "news"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["https://", "http://", "https://www.", "www."]))
    host = draw(st.lists(_label, min_size=1, max_size=3).map(".".join)) + "." + draw(_tld)
    path = "".join("/" + s for s in draw(st.lists(_segment, max_size=4)))
    if draw(st.booleans()):
        endings = ["/", ".html", ",00.html", "/Foo_(bar)", "?q=1&r=2"] if path else ["/", "/Foo_(bar)", "/?q=1&r=2"]
        path += draw(st.sampled_from(endings))
    return scheme + host + path


@given(
    url=urls(),
    before=st.sampled_from(["", " ", "see ", "(", "(see ", "“", "<", "[", "\n"]),
    after=st.sampled_from(["", " ", ".", ",", ";", ")", ").", "”", ">", "]", "!", "?", ":", "\n", "'"]),
)
@settings(max_examples=300, deadline=None)
def test_embedded_urls_come_back_exactly(url: str, before: str, after: str) -> None:
    text = f"Words {before}{url}{after} more words."
    assert found(text) == [url]


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_crashes(text: str) -> None:
    for url in find_urls(text):
        assert text[url.start : url.end] == url.text
        with contextlib.suppress(InvalidURL):
            normalize_url(url.text)
