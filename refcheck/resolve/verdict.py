"""From what a server answered to a verdict (the README's table).

Pure functions: no network here, so every row of the table is tested directly.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from refcheck.models import LinkStatus

BLOCKED_STATUSES = frozenset({401, 403, 451, 999})
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

_NOT_FOUND_PATHS = re.compile(
    r"/(?:404|not[-_]?found|page[-_]?not[-_]?found|error[-_]?404|errors?/404|404\.html?|notfound\.html?)(?:/|$|\.)",
    re.IGNORECASE,
)
# "404" alone is not enough: "Flight 404" and "/news/404/…" titles are real pages.
# It counts when the title starts with it ("404 - Example") or names an error with it.
_NOT_FOUND_TITLES = re.compile(
    r"^\W*(?:error\s*)?404\b|\b(?:error|erreur|fehler|errore)\s*404\b|\b404\s*(?:error|page)\b|not found|page (?:cannot|can't|could not) be found|no longer (?:available|exists)"
    r"|(?:does not|doesn't) exist|page not available|seite nicht gefunden|nicht gefunden"
    r"|page introuvable|página no encontrada|pagina non trovata|página não encontrada"
    r"|страница не найдена|الصفحة غير موجودة|找不到|页面不存在|sayfa bulunamadı|הדף לא נמצא",
    re.IGNORECASE,
)
_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1_RE = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_CHALLENGE_MARKERS = (
    b"cf-chl-",
    b"challenge-platform",
    b"Just a moment...",
    b"Attention Required! | Cloudflare",
    b"_Incapsula_Resource",
    b"captcha-delivery.com",
    b"px-captcha",
)


def classify_response(
    status: int,
    headers: Mapping[str, str],
    body_head: bytes,
    original_url: str,
    final_url: str,
    redirected: bool,
    title: str | bool | None = False,
) -> tuple[LinkStatus, str | None]:
    """``(status, reason)`` for a final (non-redirect) response. ``title``: the
    page's title when the caller has it already (``False``: read it here)."""
    if _is_challenge(headers, body_head):
        return LinkStatus.BLOCKED, "bot challenge (WAF/CDN)"
    if 200 <= status < 300:
        reason = soft_404_reason(original_url, final_url, body_head, redirected, title)
        if reason:
            return LinkStatus.SOFT_404, reason
        return LinkStatus.OK, None
    if status in BLOCKED_STATUSES:
        return LinkStatus.BLOCKED, f"HTTP {status}"
    if status == 429:
        return LinkStatus.RATE_LIMITED, "HTTP 429"
    if status == 408:
        return LinkStatus.TIMEOUT, "HTTP 408 (request timeout)"
    if 400 <= status < 500:
        return LinkStatus.DEAD, f"HTTP {status}"
    if status >= 500:
        return LinkStatus.SERVER_ERROR, f"HTTP {status}"
    return LinkStatus.ERROR, f"unexpected HTTP {status}"


def _is_challenge(headers: Mapping[str, str], body_head: bytes) -> bool:
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    head = body_head[:16384]
    return any(marker in head for marker in _CHALLENGE_MARKERS)


def soft_404_reason(
    original_url: str, final_url: str, body_head: bytes, redirected: bool, title: str | bool | None = False
) -> str | None:
    """Why a 2xx answer is really "not found", or None."""
    if redirected:
        original = urlsplit(original_url)
        final = urlsplit(final_url)
        original_depth = _depth(original.path)
        final_depth = _depth(final.path)
        if original_depth > 0 and final_depth == 0 and not final.query:
            return "redirected to the site's front page"
        if original_depth >= 2 and final_depth == 1 and not final.query and final.netloc == original.netloc:
            return "redirected to a section front"
    if "404" in final_url or "found" in final_url.lower():  # a cheap test first (most addresses pass)
        final_path = urlsplit(final_url).path
        if _NOT_FOUND_PATHS.search(final_path) and not _NOT_FOUND_PATHS.search(urlsplit(original_url).path):
            return f"final address looks like an error page ({final_path})"
    if title is False:
        title = page_title(body_head)
    if isinstance(title, str) and _NOT_FOUND_TITLES.search(title):
        return f"error page title: {title[:80]}"
    return None


def page_title(body_head: bytes) -> str | None:
    """The page's ``<title>`` (else its first ``<h1>``) as a reader sees it: tags
    removed, entities decoded (``Page not found &ndash; Site`` is "Page not found – Site",
    and the error-title patterns see the decoded text), white space collapsed."""
    for pattern in (_TITLE_RE, _H1_RE):
        match = pattern.search(body_head)
        if match:
            text = _TAG_RE.sub(" ", match.group(1).decode("utf-8", errors="replace"))
            # After the tags are gone: an escaped "&lt;b&gt;" is text, not a tag to remove.
            text = " ".join(html.unescape(text).split())
            if text:
                return text
    return None


def _depth(path: str) -> int:
    return len([part for part in path.split("/") if part])
