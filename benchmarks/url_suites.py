"""URL boundaries in plain text against other projects' URL-in-text test suites.

refcheck's ``find_urls`` is run on each suite's input text and its URLs (as
written) are compared with the URLs the suite expects, per case, exactly and in
order. The suites are other projects' files, fetched by hand into a local folder
and never committed here::

    DIR=/tmp/url-suites; mkdir -p $DIR/marked
    # from a clone (or a bare mirror: git --git-dir=... show HEAD:path) of each project
    git -C twitter-text   show HEAD:conformance/extract.yml            > $DIR/twitter-extract.yml
    git -C Autolinker.js  show HEAD:tests/autolinker-url-tld.spec.ts    > $DIR/autolinker-url-tld.spec.ts
    #   ... and the other tests/autolinker-url-*.spec.ts files (scheme, other, ipv4, protocol-relative)
    git -C rinku          show HEAD:test/autolink_test.rb               > $DIR/rinku-autolink_test.rb
    git -C bleach         show HEAD:tests/test_linkify.py                > $DIR/bleach-test_linkify.py
    git -C marked         show HEAD:test/specs/new/autolinks.md          > $DIR/marked/autolinks.md
    #   ... with the .html beside each .md (autolinks, autolink_lines, autolink_after_link, autolinks_quotes)
    .venv/bin/python benchmarks/url_suites.py $DIR [--suite NAME] [--show 40] [--all]

Files are recognised by name: ``*extract.yml`` (twitter-text conformance, the
``urls*`` sections), ``*autolinker-url-*.spec.ts`` (Autolinker.js, calls on the
suite's default instance), ``*autolink_test.rb`` (rinku, evaluated by a small
interpreter of the Ruby the file uses), ``*test_linkify.py`` (bleach, read with
``ast``) and ``*.md`` with a ``.html`` beside it (marked, paragraph by
paragraph).

What is compared, so that a difference is one of URL boundaries:

* expected URLs are the suite's links whose target is a web URL (http, https,
  ftp, ``www.``, scheme-less or protocol-relative); e-mail addresses and other
  schemes (``git:``, ``bugtracker://``) are left out, refcheck cites neither;
* a link target the suite made by putting ``http://`` before the text
  (Autolinker, rinku, bleach) is compared as written in the input;
* HTML suites (Autolinker, rinku, bleach, marked) take HTML in: the input's tags
  are taken out and its entities decoded before ``find_urls`` sees it, and a
  case whose input already holds a link (``<a href``) is skipped.

A disagreement is not necessarily a bug: the suites differ among themselves in
taste (Twitter links ``example.comだよ``, others don't), and refcheck follows
what a reader of the text would click. The list printed is for reading.
"""

from __future__ import annotations

import argparse
import ast
import html
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from refcheck.extract.urls import find_urls  # noqa: E402


@dataclass(slots=True)
class Case:
    suite: str
    name: str
    text: str
    expected: list[str]


# --- expected URLs from a suite's HTML output --------------------------------------

_HREF_RE = re.compile(r"<a\s[^>]*?href=(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_WEB_RE = re.compile(r"(?:https?://|ftp://|//|www\d{0,3}\.)", re.IGNORECASE)
_OTHER_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_TAG_RE = re.compile(
    r"</?(?:p|a|b|i|u|s|em|strong|span|div|br|pre|code|img|li|ul|ol|blockquote|h[1-6]|del|table|tr|td|pa|sup)\b[^>]*>",
    re.IGNORECASE,
)


def _is_web(target: str) -> bool:
    if _WEB_RE.match(target):
        return True
    if _OTHER_SCHEME_RE.match(target):
        return False  # mailto:, tel:, git:, bugtracker://…
    return "@" not in target.split("/", 1)[0]  # a bare e-mail address is no URL either


def _as_written(target: str, text: str) -> str:
    """The link target as the input wrote it (linkers put ``http://`` before bare names)."""
    if target in text:
        return target
    if unquote(target) in text:
        return unquote(target)  # the linker percent-encoded a quote or a space
    for prefix in ("http://", "https://"):
        if target.lower().startswith(prefix) and target[len(prefix) :] in text:
            return target[len(prefix) :]
    return target


def _expected_from_html(output: str, text: str) -> list[str]:
    targets = [html.unescape(match.group(1)[1:-1]) for match in _HREF_RE.finditer(output)]
    return [_as_written(target, text) for target in targets if _is_web(target)]


def _html_input(source: str) -> str | None:
    """The text a reader sees in an HTML input; None when it already holds a link."""
    if re.search(r"<a\s[^>]*href", source, re.IGNORECASE):
        return None
    return html.unescape(_TAG_RE.sub(" ", source))


# --- twitter-text: conformance/extract.yml ------------------------------------------


def twitter_cases(path: Path) -> Iterator[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section, cases in data.get("tests", {}).items():
        if not section.startswith(("urls", "tco_urls")):
            continue
        for number, case in enumerate(cases, 1):
            expected = [item["url"] if isinstance(item, dict) else item for item in case["expected"]]
            yield Case("twitter-text", f"{section}#{number} {case['description']}", case["text"], expected)


# --- Autolinker.js: tests/autolinker-url-*.spec.ts ----------------------------------


def _js_string(source: str, i: int) -> tuple[str, int] | None:
    """A JS string literal (or several joined with ``+``) at ``i``; None if not one."""
    parts: list[str] = []
    while True:
        while i < len(source) and source[i] in " \t\r\n":
            i += 1
        if i >= len(source) or source[i] not in "'\"`":
            return None
        quote = source[i]
        i += 1
        out: list[str] = []
        while i < len(source) and source[i] != quote:
            char = source[i]
            if char == "\\":
                nxt = source[i + 1]
                if nxt == "u" and source[i + 2] == "{":
                    end = source.index("}", i)
                    out.append(chr(int(source[i + 3 : end], 16)))
                    i = end + 1
                    continue
                if nxt == "u":
                    out.append(chr(int(source[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                if nxt == "x":
                    out.append(chr(int(source[i + 2 : i + 4], 16)))
                    i += 4
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(nxt, nxt))
                i += 2
                continue
            if quote == "`" and source.startswith("${", i):
                return None  # a template with substitutions
            out.append(char)
            i += 1
        parts.append("".join(out))
        i += 1
        j = i
        while j < len(source) and source[j] in " \t\r\n":
            j += 1
        if j < len(source) and source[j] == "+":
            i = j + 1
            continue
        return "".join(parts), i


_LINK_CALL_RE = re.compile(r"\bautolinker\.link\(")
_EQUAL_RE = re.compile(r"\.to\.equal\(|\.toBe\(")


def autolinker_cases(path: Path) -> Iterator[Case]:
    source = path.read_text(encoding="utf-8")
    calls = list(_LINK_CALL_RE.finditer(source))
    for index, call in enumerate(calls):
        parsed = _js_string(source, call.end())
        if parsed is None:
            continue
        text, after = parsed
        if source[after:].lstrip()[:1] != ")":
            continue  # options given: not the suite's default instance
        limit = calls[index + 1].start() if index + 1 < len(calls) else len(source)
        equal = _EQUAL_RE.search(source, after, limit)
        if equal is None:
            continue
        expected_parsed = _js_string(source, equal.end())
        if expected_parsed is None:
            continue
        plain = _html_input(text)
        if plain is None:
            continue
        line = source.count("\n", 0, call.start()) + 1
        yield Case("Autolinker.js", f"{path.name}:{line}", plain, _expected_from_html(expected_parsed[0], plain))


# --- rinku: test/autolink_test.rb ---------------------------------------------------


class _Unsupported(Exception):
    pass


def _cgi_escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    )


def _generate_result(link_text: str, href: str | None = None) -> str:
    href = href or link_text
    if not re.match(r"\w+://|mailto:", href):
        href = "http://" + href
    return f'<a href="{_cgi_escape(href)}">{_cgi_escape(link_text)}</a>'


_PAIRS = {"(": ")", "{": "}", "[": "]", "<": ">"}


class _Ruby:
    """Just enough Ruby to evaluate rinku's test strings: string literals with
    interpolation, %()/%Q()/%w(), variables, ``+``, arrays, ``generate_result``,
    ``CGI.escapeHTML`` and ``.freeze``."""

    def __init__(self, source: str, env: dict[str, object]) -> None:
        self.s = source
        self.env = env

    def skip_space(self, i: int, newlines: bool = False) -> int:
        spaces = " \t\r\n" if newlines else " \t"
        while i < len(self.s) and self.s[i] in spaces:
            i += 1
        return i

    def expr(self, i: int) -> tuple[object, int]:
        value, i = self.term(i)
        while True:
            j = self.skip_space(i)
            if self.s.startswith(".freeze", j):
                i = j + len(".freeze")
                continue
            if j < len(self.s) and self.s[j] == "+":
                right, i = self.term(self.skip_space(j + 1, newlines=True))
                if not (isinstance(value, str) and isinstance(right, str)):
                    raise _Unsupported
                value += right
                continue
            return value, i

    def term(self, i: int) -> tuple[object, int]:
        i = self.skip_space(i)
        s = self.s
        if s.startswith("%w(", i):
            end = s.index(")", i)
            return s[i + 3 : end].split(), end + 1
        if s.startswith(("%Q(", "%Q{"), i):
            return self.delimited(i + 3, s[i + 2], interpolate=True)
        if s.startswith(("%(", "%{"), i):
            return self.delimited(i + 2, s[i + 1], interpolate=True)
        if s.startswith('"', i):
            return self.quoted(i + 1, '"', interpolate=True)
        if s.startswith("'", i):
            return self.quoted(i + 1, "'", interpolate=False)
        if s.startswith("[", i):
            items: list[object] = []
            i += 1
            while True:
                i = self.skip_space(i, newlines=True)
                if s[i] == "]":
                    return items, i + 1
                item, i = self.expr(i)
                items.append(item)
                i = self.skip_space(i, newlines=True)
                if s[i] == ",":
                    i += 1
        if s.startswith("generate_result(", i):
            args, i = self.args(i + len("generate_result("))
            if not all(isinstance(arg, str) for arg in args) or not 1 <= len(args) <= 2:
                raise _Unsupported
            return _generate_result(*args), i  # type: ignore[arg-type]
        if s.startswith("CGI.escapeHTML", i):
            i += len("CGI.escapeHTML")
            if s[i] == "(":
                args, i = self.args(i + 1)
                value = args[0] if len(args) == 1 else None
            else:
                value, i = self.expr(i)
            if not isinstance(value, str):
                raise _Unsupported
            return _cgi_escape(value), i
        name = re.compile(r"[A-Za-z_]\w*").match(s, i)
        if name and name.group(0) in self.env and not s.startswith(("[", "("), name.end()):
            return self.env[name.group(0)], name.end()
        raise _Unsupported

    def args(self, i: int) -> tuple[list[object], int]:
        values: list[object] = []
        while True:
            i = self.skip_space(i, newlines=True)
            if self.s[i] == ")":
                return values, i + 1
            value, i = self.expr(i)
            values.append(value)
            i = self.skip_space(i, newlines=True)
            if self.s[i] == ",":
                i += 1

    def delimited(self, i: int, opener: str, *, interpolate: bool) -> tuple[str, int]:
        closer = _PAIRS[opener]
        depth = 0
        out: list[str] = []
        while True:
            char = self.s[i]
            if char == "\\":
                out.append(self.s[i + 1])
                i += 2
                continue
            if interpolate and self.s.startswith("#{", i):
                text, i = self.interpolation(i + 2)
                out.append(text)
                continue
            if char == opener:
                depth += 1
            elif char == closer:
                if depth == 0:
                    return "".join(out), i + 1
                depth -= 1
            out.append(char)
            i += 1

    def quoted(self, i: int, quote: str, *, interpolate: bool) -> tuple[str, int]:
        out = bytearray()
        while self.s[i] != quote:
            char = self.s[i]
            if char == "\\":
                nxt = self.s[i + 1]
                if not interpolate:
                    out += (nxt if nxt in "\\'" else "\\" + nxt).encode()
                    i += 2
                    continue
                if nxt == "x":
                    out.append(int(self.s[i + 2 : i + 4], 16))
                    i += 4
                    continue
                if nxt == "u":
                    out += chr(int(self.s[i + 2 : i + 6], 16)).encode()
                    i += 6
                    continue
                out += {"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt).encode()
                i += 2
                continue
            if interpolate and self.s.startswith("#{", i):
                text, i = self.interpolation(i + 2)
                out += text.encode()
                continue
            out += char.encode()
            i += 1
        try:
            return out.decode("utf-8"), i + 1
        except UnicodeDecodeError:
            raise _Unsupported from None

    def interpolation(self, i: int) -> tuple[str, int]:
        value, i = self.expr(i)
        i = self.skip_space(i)
        if self.s[i] != "}" or not isinstance(value, str):
            raise _Unsupported
        return value, i + 1


_STATEMENT_RE = re.compile(
    r"(?P<assign>(?P<name>[A-Za-z_]\w*)\s*=(?!=))"
    r"|(?P<linked>assert_linked\b\(?)"
    r"|(?P<equal>assert_equal\b\(?)"
    r"|(?P<each>(?P<list>.+?)\.each do \|(?P<var>\w+)\|\s*$)"
    r"|(?P<def>def\s)"
)


def rinku_cases(path: Path) -> Iterator[Case]:
    source = path.read_text(encoding="utf-8")
    env: dict[str, object] = {}
    yield from _rinku_block(source, 0, len(source), env, path.name, {})


def _rinku_block(
    source: str, start: int, end: int, env: dict[str, object], name: str, loop: dict[str, object]
) -> Iterator[Case]:
    i = start
    while i < end:
        line_end = source.find("\n", i, end)
        line_end = end if line_end < 0 else line_end
        at = len(source[i:line_end]) - len(source[i:line_end].lstrip())
        position = i + at
        match = _STATEMENT_RE.match(source, position, line_end)
        next_line = line_end + 1
        if match is None:
            i = next_line
            continue
        ruby = _Ruby(source, {**env, **loop})
        line = source.count("\n", 0, position) + 1
        if "skip_tags" in source[position:line_end]:
            env["<skip tags>"] = True  # a global setting of rinku's: what it links depends on it
        try:
            if match.group("def"):
                for key in [key for key in env if key[:1].islower() or key.startswith("<")]:
                    del env[key]
            elif match.group("assign"):
                value, after = ruby.expr(match.end())
                env[match.group("name")] = value
                next_line = max(next_line, source.find("\n", after) + 1 or end)
            elif match.group("each"):
                items, _ = _Ruby(match.group("list"), {**env, **loop}).expr(0)
                body_start = next_line
                indent = " " * at
                block_end = source.index("\n" + indent + "end", body_start)
                if not isinstance(items, list):
                    raise _Unsupported
                for item in items:
                    yield from _rinku_block(source, body_start, block_end, env, name, {**loop, match.group("var"): item})
                next_line = source.find("\n", block_end + 1) + 1 or end
            else:
                case, after = _rinku_assert(ruby, match, name, line)
                next_line = max(next_line, source.find("\n", after) + 1 or end)
                if case is not None and "<skip tags>" not in env:
                    yield case
        except (_Unsupported, IndexError, ValueError):
            pass
        i = next_line


def _rinku_assert(ruby: _Ruby, match: re.Match[str], name: str, line: int) -> tuple[Case | None, int]:
    s = ruby.s
    i = match.end()
    if match.group("linked"):
        expected, i = ruby.expr(i)
        i = ruby.skip_space(i)
        if s[i] != ",":
            raise _Unsupported
        text, i = ruby.expr(i + 1)
    else:
        first, i = _auto_link_or_expr(ruby, i)
        i = ruby.skip_space(i)
        if s[i] != ",":
            raise _Unsupported
        second, i = _auto_link_or_expr(ruby, i + 1)
        if isinstance(first, tuple) and isinstance(second, str):
            text, expected = first[0], second
        elif isinstance(second, tuple) and isinstance(first, str):
            text, expected = second[0], first
        else:
            raise _Unsupported
    if not isinstance(text, str) or not isinstance(expected, str):
        raise _Unsupported
    plain = _html_input(text)
    if plain is None:
        return None, i
    return Case("rinku", f"{name}:{line}", plain, _expected_from_html(expected, plain)), i


def _auto_link_or_expr(ruby: _Ruby, i: int) -> tuple[object, int]:
    """``Rinku.auto_link(x)`` (one argument, no block) as ``(x,)``, or any expression."""
    i = ruby.skip_space(i)
    if ruby.s.startswith("Rinku.auto_link", i):
        i += len("Rinku.auto_link")
        if ruby.s[i] == "(":
            args, i = ruby.args(i + 1)
        else:
            value, i = ruby.expr(i)
            args = [value]
        j = ruby.skip_space(i)
        if len(args) != 1 or ruby.s[j : j + 1] in ("{", "d"):
            raise _Unsupported  # flags, or a block that rewrites the links
        return (args[0],), i
    return ruby.expr(i)


# --- bleach: tests/test_linkify.py --------------------------------------------------


def bleach_cases(path: Path) -> Iterator[Case]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        rows = _parametrize_rows(function)
        for node in ast.walk(function):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)):
                continue
            left, right = node.left, node.comparators[0]
            call, other = (left, right) if _is_linkify(left) else (right, left) if _is_linkify(right) else (None, None)
            if call is None or other is None:
                continue
            argument = call.args[0]  # type: ignore[attr-defined]
            for row_number, row in enumerate(rows or [{}], 1):
                text = _value(argument, row)
                expected = _value(other, row)
                if not isinstance(text, str) or not isinstance(expected, str):
                    continue
                plain = _html_input(text)
                if plain is None:
                    continue
                suffix = f"[{row_number}]" if rows else ""
                yield Case("bleach", f"{function.name}{suffix}", plain, _expected_from_html(expected, plain))


def _is_linkify(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "linkify"
        and len(node.args) == 1
        and not node.keywords
    )


def _value(node: ast.expr, row: dict[str, object]) -> object:
    if isinstance(node, ast.Name):
        return row.get(node.id)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _parametrize_rows(function: ast.FunctionDef) -> list[dict[str, object]]:
    for decorator in function.decorator_list:
        if not (isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith("parametrize")):
            continue
        try:
            names = ast.literal_eval(decorator.args[0])
            values = ast.literal_eval(decorator.args[1])
        except ValueError:
            return []
        keys = [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)
        return [dict(zip(keys, value if len(keys) > 1 else (value,), strict=False)) for value in values]
    return []


# --- marked: test/specs/new/*.md + .html --------------------------------------------


def marked_cases(path: Path) -> Iterator[Case]:
    output = path.with_suffix(".html").read_text(encoding="utf-8")
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"\A---\n.*?\n---\n", "", source, flags=re.DOTALL)  # front matter: options
    blocks = [block for block in re.split(r"\n\s*\n", source.strip()) if block.strip()]
    outputs = [block for block in re.split(r"\n\s*\n", output.strip()) if block.strip()]
    if len(blocks) != len(outputs):
        blocks, outputs = [source], [output]
    for number, (block, rendered) in enumerate(zip(blocks, outputs, strict=True), 1):
        # Markdown syntax around a URL is not the URL's: links and autolinks whose text
        # differs from the target are the author's links, not found text.
        if re.search(r"\]\(|<https?:", block):
            continue
        yield Case("marked", f"{path.name}#{number}", block, _expected_from_html(rendered, block))


# --- running ---------------------------------------------------------------------


READERS: dict[str, tuple[Callable[[Path], bool], Callable[[Path], Iterator[Case]]]] = {
    "twitter-text": (lambda p: p.name.endswith("extract.yml"), twitter_cases),
    "Autolinker.js": (lambda p: "autolinker-url-" in p.name and p.name.endswith(".spec.ts"), autolinker_cases),
    "rinku": (lambda p: p.name.endswith("autolink_test.rb"), rinku_cases),
    "bleach": (lambda p: p.name.endswith("test_linkify.py"), bleach_cases),
    "marked": (lambda p: p.suffix == ".md" and p.with_suffix(".html").is_file(), marked_cases),
}


def collect(folder: Path) -> dict[str, list[Case]]:
    suites: dict[str, list[Case]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for suite, (accepts, reader) in READERS.items():
            if accepts(path):
                suites.setdefault(suite, []).extend(reader(path))
    return suites


def found(text: str) -> list[str]:
    return [url.text for url in find_urls(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder holding the suites' files (see the module docstring)")
    parser.add_argument("--suite", action="append", help="only this suite (repeatable)")
    parser.add_argument("--show", type=int, default=40, help="disagreements shown per suite (default 40)")
    parser.add_argument("--all", action="store_true", help="show every disagreement")
    args = parser.parse_args(argv)
    suites = collect(args.folder)
    if not suites:
        print(f"no suite files found under {args.folder}", file=sys.stderr)
        return 2
    total = agreed_total = 0
    summary: list[str] = []
    for suite, cases in suites.items():
        if args.suite and suite not in args.suite:
            continue
        disagreements = [(case, got) for case in cases if (got := found(case.text)) != case.expected]
        agreed = len(cases) - len(disagreements)
        total += len(cases)
        agreed_total += agreed
        line = f"{suite}: {len(cases)} cases, {agreed} agree ({100 * agreed / max(1, len(cases)):.1f}%)"
        summary.append(line)
        print(f"== {line}")
        shown = disagreements if args.all else disagreements[: args.show]
        for case, got in shown:
            text = case.text if len(case.text) <= 160 else case.text[:157] + "..."
            print(f"  {case.name}\n    text:     {text!r}\n    expected: {case.expected}\n    found:    {got}")
        if len(shown) < len(disagreements):
            print(f"  ... {len(disagreements) - len(shown)} more (--all)")
    print("\n== summary")
    for line in summary:
        print(line)
    print(f"all: {total} cases, {agreed_total} agree ({100 * agreed_total / max(1, total):.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
