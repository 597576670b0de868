"""The full result as JSON (``schema`` 1, documented in the README), streamed:
documents are written one at a time from the spool."""

from __future__ import annotations

import json
import re
from typing import IO, Any

from refcheck.models import SCHEMA_VERSION, RunResult

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` keeping non-ASCII as it is, except where a string holds a lone
    surrogate (a front-matter ``"\\ud800"`` escape): that cannot be written as
    UTF-8, so the value is written with ASCII escapes (``\\ud800``, valid JSON)."""
    text = json.dumps(value, ensure_ascii=False, **options)
    if _LONE_SURROGATE.search(text):
        return json.dumps(value, ensure_ascii=True, **options)
    return text


def write_json(
    result: RunResult,
    out: IO[str],
    extra: dict[str, Any] | None = None,
    link_extra: dict[str, dict[str, Any]] | None = None,
) -> None:
    """``extra``: more top-level members (later schema additions such as
    ``changes``); ``link_extra``: more members for some links, by URL."""
    out.write("{\n")
    out.write(f'"schema": {SCHEMA_VERSION},\n')
    out.write(f'"generated_at": {json.dumps(result.generated_at)},\n')
    out.write('"documents": [')
    for index, document in enumerate(result.documents):
        out.write(",\n" if index else "\n")
        out.write(dumps(document.to_dict()))
    out.write('\n],\n"links": [')
    for index, link in enumerate(sorted(result.links.values(), key=lambda item: item.url)):
        out.write(",\n" if index else "\n")
        data = link.to_dict()
        if link_extra and link.url in link_extra:
            data.update(link_extra[link.url])
        out.write(dumps(data))
    out.write('\n],\n"summary": ')
    summary = result.summary.to_dict()
    summary["notes"] = result.notes
    out.write(dumps(summary, indent=1))
    for key, value in (extra or {}).items():
        out.write(f",\n{json.dumps(key)}: {dumps(value)}")
    out.write("\n}\n")
