"""Which links are checked: --exclude/--include URL patterns and the settings file's
per-domain rules (skip, accept, per-host, host-interval), against real HTTP servers on
127.0.0.1 and 127.0.0.2 -- a link left out makes no request (the server counts them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import refcheck
from localweb import serve

from refcheck.config import SettingsError, load_settings
from refcheck.models import LinkResult
from refcheck.resolve.check import CheckSettings
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.settings import DomainRule, LinkPattern, LinkRules, rule_for

PAD = "This sentence pads the paragraph so that it is long enough to end the header of the article. " * 3
LIVE = ["--allow-private", "--no-archive", "--host-interval", "0", "--retries", "0", "--no-report", "--json", "-"]


def corpus_citing(tmp_path: Path, urls: list[str], settings: str | None = None) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    notes = "\n\n".join(f"({n}) Source, 3 March 2020: {url}" for n, url in enumerate(urls, 1))
    markers = " ".join(f"Claim ({n})." for n in range(1, len(urls) + 1))
    (corpus / "a.txt").write_text(f"A headline\n\n{markers} {PAD}\n\nNotes\n\n{notes}\n", encoding="utf-8")
    if settings is not None:
        (corpus / "refcheck.toml").write_text(settings, encoding="utf-8")


def verdicts(done: object) -> dict[str, tuple[str, str | None]]:
    result = json.loads(done.stdout)  # type: ignore[attr-defined]
    return {link["url"]: (link["status"], link["error"]) for link in result["links"]}


def coverage(done: object) -> dict[str, object]:
    return json.loads(done.stdout)["summary"]["coverage"]  # type: ignore[attr-defined,no-any-return]


# --- the command line ------------------------------------------------------------------------------


def test_excluded_link_is_skipped_with_its_reason_and_makes_no_request(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus_citing(tmp_path, [f"{web}/ok", f"{web}/gone", f"{web}/social/wall"])
        done = refcheck(tmp_path, "corpus", *LIVE, "--exclude", r"/social/", "--exclude", r"/gone$")
    assert done.returncode == 0, done.stderr
    assert verdicts(done) == {
        f"{web}/ok": ("ok", None),
        f"{web}/gone": ("skipped", "excluded by --exclude '/gone$'"),
        f"{web}/social/wall": ("skipped", "excluded by --exclude '/social/'"),
    }
    assert stats.requests["/gone"] == 0 and stats.requests["/social/wall"] == 0
    assert stats.requests["/ok"] == 1
    assert coverage(done)["skipped"] == 2 and coverage(done)["settled"] == 1


def test_include_wins_over_exclude(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus_citing(tmp_path, [f"{web}/ok", f"{web}/gone"])
        done = refcheck(tmp_path, "corpus", *LIVE, "--exclude", "127", "--include", "/gone")
    assert verdicts(done) == {
        f"{web}/ok": ("skipped", "excluded by --exclude '127'"),
        f"{web}/gone": ("dead", "HTTP 404"),
    }
    assert stats.requests["/ok"] == 0


def test_include_alone_checks_only_what_it_matches(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus_citing(tmp_path, [f"{web}/ok", f"{web}/gone"])
        done = refcheck(tmp_path, "corpus", *LIVE, "--include", "/ok$")
    assert verdicts(done) == {
        f"{web}/ok": ("ok", None),
        f"{web}/gone": ("skipped", "not matched by --include '/ok$'"),
    }
    assert stats.requests["/gone"] == 0


def test_excluded_link_is_not_shown_with_an_old_cached_verdict(tmp_path: Path) -> None:
    with serve() as (web, _):
        corpus_citing(tmp_path, [f"{web}/gone"])
        assert verdicts(refcheck(tmp_path, "corpus", *LIVE))[f"{web}/gone"][0] == "dead"
        again = refcheck(tmp_path, "corpus", *LIVE, "--exclude", "gone")
    assert verdicts(again)[f"{web}/gone"][0] == "skipped"
    assert again.returncode == 0  # an excluded link never fails a run


@pytest.mark.parametrize("option", ["--exclude", "--include"])
def test_bad_pattern_is_one_line(tmp_path: Path, option: str) -> None:
    corpus_citing(tmp_path, ["https://example.org/a"])
    done = refcheck(tmp_path, "corpus", "--offline", option, "a(b")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"refcheck: {option} 'a(b' is not a valid regular expression (missing ), unterminated subpattern at position 1)"
    ]


# --- the settings file -----------------------------------------------------------------------------


def test_exclude_links_in_the_settings_file_next_to_the_exclude_of_files(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus_citing(tmp_path, [f"{web}/ok", f"{web}/gone"], 'exclude = ["draft-*"]\nexclude-links = ["/gone$"]\n')
        (tmp_path / "corpus" / "draft-b.txt").write_text("not read", encoding="utf-8")
        done = refcheck(tmp_path, "corpus", *LIVE)
    assert verdicts(done)[f"{web}/gone"] == ("skipped", "excluded by exclude-links '/gone$'")
    assert stats.requests["/gone"] == 0
    skipped = json.loads(done.stdout)["summary"]["skipped_files"]
    assert [item["path"] for item in skipped] == ["corpus/draft-b.txt"]


def test_domain_skip_covers_the_domain_and_its_subdomains_only(tmp_path: Path) -> None:
    with serve() as (one, one_stats), serve("127.0.0.2") as (two, two_stats):
        corpus_citing(tmp_path, [f"{one}/ok", f"{two}/ok"], '[domains."127.0.0.2"]\nskip = true\n')
        done = refcheck(tmp_path, "corpus", *LIVE)
    assert verdicts(done) == {f"{one}/ok": ("ok", None), f"{two}/ok": ("skipped", "domain rule: skip (127.0.0.2)")}
    assert two_stats.total == 0 and one_stats.requests["/ok"] == 1


def test_accepted_status_counts_as_ok_for_that_domain_only(tmp_path: Path) -> None:
    with serve() as (one, _), serve("127.0.0.2") as (two, _):
        urls = [f"{one}/forbidden", f"{two}/forbidden", f"{one}/gone"]
        corpus_citing(tmp_path, urls, '[domains."127.0.0.1"]\naccept = [403, 404, 999]\n')
        done = refcheck(tmp_path, "corpus", *LIVE)
    assert done.returncode == 0, done.stdout
    assert verdicts(done) == {
        f"{one}/forbidden": ("ok", "HTTP 403 accepted by the domain rule for 127.0.0.1"),
        f"{two}/forbidden": ("blocked", "HTTP 403"),
        f"{one}/gone": ("ok", "HTTP 404 accepted by the domain rule for 127.0.0.1"),
    }
    # The cache kept the server's own answer, not the rule's "ok": without the rule it is back at once.
    (tmp_path / "no-rules.toml").write_text("", encoding="utf-8")
    offline = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--json", "-", "--config", "no-rules.toml")
    assert verdicts(offline)[f"{one}/gone"] == ("dead", "HTTP 404")


def test_per_domain_per_host_limit_is_honoured(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus_citing(tmp_path, [f"{web}/busy-{n}" for n in range(12)], '[domains."127.0.0.1"]\nper-host = 1\n')
        done = refcheck(tmp_path, "corpus", *LIVE, "--per-host", "6")
    assert {status for status, _ in verdicts(done).values()} == {"ok"}
    assert stats.max_in_flight == 1


def test_per_domain_host_interval_spaces_requests(tmp_path: Path) -> None:
    import time

    with serve() as (web, _):
        corpus_citing(tmp_path, [f"{web}/ok-{n}" for n in range(5)], '[domains."127.0.0.1"]\nhost-interval = 0.3\n')
        started = time.monotonic()
        done = refcheck(tmp_path, "corpus", *LIVE)
        elapsed = time.monotonic() - started
    assert {status for status, _ in verdicts(done).values()} == {"ok"}
    assert elapsed >= 1.2  # four gaps of 0.3 s between five requests (the command line said 0)


def test_pyproject_domain_tables(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://twitter.com/x/status/1", "https://example.org/a"])
    (tmp_path / "corpus" / "pyproject.toml").write_text(
        '[tool.refcheck]\nfail-on = "none"\n\n[tool.refcheck.domains."twitter.com"]\nskip = true\n', encoding="utf-8"
    )
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--json", "-")
    statuses = verdicts(done)
    assert statuses["https://twitter.com/x/status/1"] == ("skipped", "domain rule: skip (twitter.com)")
    assert statuses["https://example.org/a"][0] == "unknown"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[domains."https://x.com/"]\nskip = true\n', "domain rule 'https://x.com/': not a domain name"),
        ('[domains."x.com"]\nskp = true\n', "domain rule 'x.com': unknown key 'skp'"),
        ('[domains."x.com"]\nskip = "yes"\n', "domain rule 'x.com': 'skip' must be true or false"),
        ('[domains."x.com"]\naccept = [403, "999"]\n', "domain rule 'x.com': 'accept' must be a list of HTTP status"),
        ('[domains."x.com"]\naccept = [42]\n', "domain rule 'x.com': 'accept' must be a list of HTTP status"),
        ('[domains."x.com"]\nper-host = 0\n', "domain rule 'x.com': 'per-host' must be a whole number from 1"),
        ('[domains."x.com"]\nhost-interval = nan\n', "domain rule 'x.com': 'host-interval' must be a number"),
        ("domains = 3\n", "setting 'domains' must be a table of domains"),
        ('[domains]\n"x.com" = 3\n', "domain rule 'x.com' must be a table"),
        ('exclude-links = ["ok", "[z-a]"]\n', "setting 'exclude-links': '[z-a]' is not a valid regular expression"),
        ('include-links = "x"\n', "setting 'include-links' must be a list of strings"),
    ],
)
def test_bad_rules_in_the_settings_file_are_one_line(tmp_path: Path, toml: str, message: str) -> None:
    corpus_citing(tmp_path, ["https://example.org/a"], toml)
    done = refcheck(tmp_path, "corpus", "--offline")
    assert done.returncode == 2, done.stdout
    [line] = done.stderr.splitlines()
    assert line.startswith(f"refcheck: corpus/refcheck.toml: {message}"), line


# --- the rules themselves ----------------------------------------------------------------------------


def test_rule_for_prefers_the_most_specific_domain() -> None:
    rules = {"example.com": DomainRule(skip=True), "news.example.com": DomainRule(accept=frozenset({403}))}
    assert rule_for(rules, "www.news.example.com") == ("news.example.com", rules["news.example.com"])
    assert rule_for(rules, "Example.COM.") == ("example.com", rules["example.com"])
    assert rule_for(rules, "notexample.com") is None
    assert rule_for(rules, "example.com.evil.org") is None


def test_settings_build_the_rules_command_line_first() -> None:
    settings = load_settings(None, {"cli_exclude": ["a"], "cli_include": ["b"]})
    settings.exclude_links = ["c"]
    rules = settings.link_rules()
    assert [str(item) for item in rules.exclude] == ["--exclude 'a'", "exclude-links 'c'"]
    assert [str(item) for item in rules.include] == ["--include 'b'"]


def test_idn_domain_rule_matches_the_punycode_host(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://bücher.example/a"], '[domains."bücher.example"]\nskip = true\n')
    settings = load_settings(tmp_path / "corpus" / "refcheck.toml", {})
    assert "xn--bcher-kva.example" in settings.domains


def test_a_rule_skip_makes_no_request_in_the_resolver() -> None:
    with serve() as (web, stats):
        links = {url: LinkResult(url, None) for url in (f"{web}/ok", f"{web}/gone")}
        rules = LinkRules(exclude=(LinkPattern(re.compile("gone"), "--exclude"),))
        check = CheckSettings(timeout=1.0, retries=0, allow_private=True)
        resolve_links(links, ResolveSettings(host_interval=0.0, check=check, archive="none", rules=rules), None)
    assert links[f"{web}/gone"].status == "skipped" and stats.requests["/gone"] == 0
    assert links[f"{web}/ok"].status == "ok"


def test_settings_error_type() -> None:
    with pytest.raises(SettingsError, match="not a valid regular expression"):
        load_settings(None, {"cli_exclude": ["("]})
