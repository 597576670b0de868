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


def corpus_record(result: RunResult, paths_shown: int | None = None) -> dict[str, object]:
    """``{"key": …, "inputs": […]}`` for report.json and history.jsonl. ``paths_shown``:
    keep only that many input paths (and say how many there are): a history row
    must stay one short line when a shell glob passed thousands of files."""
    inputs = result.inputs if paths_shown is None else result.inputs[:paths_shown]
    record: dict[str, object] = {"key": result.corpus_key, "inputs": list(inputs)}
    if len(inputs) < len(result.inputs):
        record["input_count"] = len(result.inputs)
    return record


def write_json(
    result: RunResult,
    out: IO[str],
    extra: dict[str, Any] | None = None,
    link_extra: dict[str, dict[str, Any]] | None = None,
) -> None:
    """``extra``: more top-level members (later schema additions such as
    ``changes``); ``link_extra``: more members for some links, by URL.

    Besides schema 1's members: ``corpus`` (``{"key", "inputs"}``: which corpus this
    run checked, see :func:`corpus_record`). The run's mode and how much of it was
    checked are in ``summary.coverage`` (``offline``, ``network_down``,
    ``interrupted``, ``not_checked``, ``reasons``) and ``summary.complete``."""
    out.write("{\n")
    out.write(f'"schema": {SCHEMA_VERSION},\n')
    out.write(f'"generated_at": {json.dumps(result.generated_at)},\n')
    # Near the top: the corpus names the run's history (see refcheck/report/files.py).
    out.write(f'"corpus": {dumps(corpus_record(result))},\n')
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
    summary["complete"] = result.summary.coverage.complete  # every link that could be checked was
    out.write(dumps(summary, indent=1))
    for key, value in (extra or {}).items():
        out.write(f",\n{json.dumps(key)}: {dumps(value)}")
    out.write("\n}\n")
