"""Settings (refcheck.config): defaults, settings files, command-line overrides
and one-line errors. Every file lives under tmp_path; the current folder is
moved there so that no settings file of the repository is picked up."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.config import Settings, SettingsError, find_settings_file, load_settings
from refcheck.pipeline import run


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("REFCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("REFCHECK_WAYBACK_URL", raising=False)


def _corpus(tmp_path: Path, settings_text: str | None = None, name: str = "refcheck.toml") -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    if settings_text is not None:
        (corpus / name).write_text(settings_text, encoding="utf-8")
    return corpus


def _load(path: Path, **overrides: object) -> Settings:
    return load_settings(path, dict(overrides))


def _load_none(**overrides: object) -> Settings:
    return load_settings(None, dict(overrides))


# --- defaults ------------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = load_settings(None, {})
    assert settings == Settings()
    assert settings.offline is False
    assert settings.json is None
    assert settings.report_dir == "reports"
    assert settings.no_report is False
    assert settings.cache_dir == "cache"
    assert settings.archive == "dead"
    assert settings.wayback_url == "https://archive.org"
    assert settings.cdx_url == "https://web.archive.org"
    assert settings.allow_private is False
    assert settings.concurrency == 128
    assert settings.per_host == 4
    assert settings.host_interval == 0.1
    assert settings.timeout == 20.0
    assert settings.retries == 2
    assert settings.refresh is False
    assert settings.fail_on == ["problems", "dead"]
    assert settings.max_file_size == 20_000_000
    assert settings.exclude == []
    assert settings.publishers == {}
    assert settings.outlets_file is None
    assert settings.user_agent is None
    assert settings.quiet is False
    assert settings.source is None


def test_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFCHECK_CACHE_DIR", "/somewhere/cache")
    monkeypatch.setenv("REFCHECK_WAYBACK_URL", "http://127.0.0.1:9")
    settings = load_settings(None, {})
    assert settings.cache_dir == "/somewhere/cache"
    assert settings.wayback_url == "http://127.0.0.1:9"


def test_none_overrides_are_ignored() -> None:
    assert load_settings(None, {"offline": None, "concurrency": None, "fail_on": None}) == Settings()


# --- finding the file ----------------------------------------------------------------------------


def test_refcheck_toml_in_corpus_folder_is_found(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "offline = true\n")
    assert find_settings_file([corpus]) == corpus / "refcheck.toml"


def test_refcheck_toml_next_to_a_file_given(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "offline = true\n")
    article = corpus / "a.txt"
    article.write_text("x", encoding="utf-8")
    assert find_settings_file([article]) == corpus / "refcheck.toml"


def test_refcheck_toml_in_parent_of_corpus_is_found(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    (tmp_path / "refcheck.toml").write_text("offline = true\n", encoding="utf-8")
    assert find_settings_file([corpus]) == tmp_path / "refcheck.toml"


def test_corpus_folder_wins_over_current_folder(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "offline = true\n")
    (Path.cwd() / "refcheck.toml").write_text("offline = false\n", encoding="utf-8")
    assert find_settings_file([corpus]) == corpus / "refcheck.toml"


def test_current_folder_is_the_fallback(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    (Path.cwd() / "refcheck.toml").write_text("offline = true\n", encoding="utf-8")
    assert find_settings_file([corpus]) == Path.cwd() / "refcheck.toml"


def test_no_settings_file(tmp_path: Path) -> None:
    assert find_settings_file([_corpus(tmp_path)]) is None


def test_pyproject_with_tool_refcheck_is_found(tmp_path: Path) -> None:
    corpus = _corpus(
        tmp_path,
        '[project]\nname = "x"\n\n[tool.refcheck]\nconcurrency = 7\nfail-on = ["dead"]\n',
        name="pyproject.toml",
    )
    found = find_settings_file([corpus])
    assert found == corpus / "pyproject.toml"
    settings = load_settings(found, {})
    assert settings.concurrency == 7
    assert settings.fail_on == ["dead"]
    assert settings.source == str(corpus / "pyproject.toml")


def test_pyproject_without_tool_refcheck_is_ignored(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n', name="pyproject.toml")
    assert find_settings_file([corpus]) is None


def test_refcheck_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "[tool.refcheck]\nconcurrency = 7\n", name="pyproject.toml")
    (corpus / "refcheck.toml").write_text("concurrency = 9\n", encoding="utf-8")
    assert find_settings_file([corpus]) == corpus / "refcheck.toml"


def test_refcheck_toml_may_use_a_tool_refcheck_table(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "[tool.refcheck]\nper-host = 3\n")
    assert load_settings(corpus / "refcheck.toml", {}).per_host == 3


# --- values --------------------------------------------------------------------------------------


def test_file_values_are_applied(tmp_path: Path) -> None:
    corpus = _corpus(
        tmp_path,
        "offline = true\nconcurrency = 16\ntimeout = 5\nhost-interval = 0\n"
        'exclude = ["drafts/*"]\narchive = "all"\nuser-agent = "refcheck-test"\n',
    )
    settings = load_settings(corpus / "refcheck.toml", {})
    assert settings.offline is True
    assert settings.concurrency == 16
    assert settings.timeout == 5.0 and isinstance(settings.timeout, float)
    assert settings.host_interval == 0.0 and isinstance(settings.host_interval, float)
    assert settings.exclude == ["drafts/*"]
    assert settings.archive == "all"
    assert settings.user_agent == "refcheck-test"
    assert settings.source == str(corpus / "refcheck.toml")


def test_command_line_wins_over_file(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 'offline = true\nconcurrency = 16\nfail-on = "dead"\nreport-dir = "from-file"\n')
    settings = _load(corpus / "refcheck.toml", offline=False, concurrency=3, fail_on="none")
    assert settings.offline is False
    assert settings.concurrency == 3
    assert settings.fail_on == ["none"]
    assert settings.report_dir == "from-file"  # not overridden: the file's value stays


@pytest.mark.parametrize("key", ["per-host", "per_host"])
def test_hyphenated_and_underscored_keys(tmp_path: Path, key: str) -> None:
    corpus = _corpus(tmp_path, f"{key} = 9\n")
    assert load_settings(corpus / "refcheck.toml", {}).per_host == 9


def test_hyphenated_and_underscored_keys_mixed(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "max-file-size = 1000\nmax_file_size = 2000\nno_report = true\nallow-private = true\n")
    settings = load_settings(corpus / "refcheck.toml", {})
    assert settings.max_file_size == 2000  # the later spelling wins
    assert settings.no_report is True
    assert settings.allow_private is True


def test_fail_on_string_form(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 'fail-on = "problems,dead"\n')
    assert load_settings(corpus / "refcheck.toml", {}).fail_on == ["problems", "dead"]


def test_fail_on_string_form_with_spaces_on_command_line() -> None:
    assert _load_none(fail_on=" footnote-errors , new-dead ,").fail_on == ["footnote-errors", "new-dead"]


def test_fail_on_list_form(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 'fail_on = ["footnote-errors", "new-dead"]\n')
    assert load_settings(corpus / "refcheck.toml", {}).fail_on == ["footnote-errors", "new-dead"]


# --- errors --------------------------------------------------------------------------------------


def _error(tmp_path: Path, text: str, name: str = "refcheck.toml") -> str:
    corpus = _corpus(tmp_path, text, name=name)
    with pytest.raises(SettingsError) as caught:
        load_settings(corpus / name, {})
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_unknown_key_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, "concurency = 4\n")
    assert message == f"{tmp_path / 'corpus' / 'refcheck.toml'}: unknown setting 'concurency'"


def test_unknown_key_in_pyproject(tmp_path: Path) -> None:
    message = _error(tmp_path, "[tool.refcheck]\nbogus-key = 1\n", name="pyproject.toml")
    assert "'bogus-key'" in message
    assert str(tmp_path / "corpus" / "pyproject.toml") in message


@pytest.mark.parametrize("key", ["json", "source"])
def test_command_line_only_keys_are_unknown_in_a_file(tmp_path: Path, key: str) -> None:
    message = _error(tmp_path, f'{key} = "x"\n')
    assert message.endswith(f"unknown setting '{key}'")


def test_unknown_command_line_key() -> None:
    with pytest.raises(SettingsError, match=r"^command line: unknown setting 'frobnicate'$"):
        load_settings(None, {"frobnicate": 1})


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('concurrency = "many"', "concurrency", "must be a whole number"),
        ("offline = 3", "offline", "must be true or false"),
        ('offline = "yes"', "offline", "must be true or false"),
        ("concurrency = true", "concurrency", "must be a whole number, not true/false"),
        ("concurrency = 2.5", "concurrency", "must be a whole number"),
        ('timeout = "soon"', "timeout", "must be a number"),
        ('exclude = "drafts/*"', "exclude", "must be a list of strings"),
        ("exclude = [1, 2]", "exclude", "must be a list of strings"),
        ('publishers = ["a"]', "publishers", "must be a table of strings"),
        ('publishers = {"a*.txt" = 1}', "publishers", "must map strings to strings"),
        ("user-agent = 5", "user-agent", "must be a string"),
    ],
)
def test_wrong_type_names_the_key(tmp_path: Path, line: str, key: str, expected: str) -> None:
    message = _error(tmp_path, line + "\n")
    assert message.startswith(f"{tmp_path / 'corpus' / 'refcheck.toml'}: setting '{key}' ")
    assert expected in message


def test_wrong_type_on_command_line() -> None:
    with pytest.raises(SettingsError, match=r"^command line: setting 'concurrency' must be a whole number$"):
        load_settings(None, {"concurrency": "x"})


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    message = _error(tmp_path, "offline = \n[broken\n")
    assert message.startswith(f"{tmp_path / 'corpus' / 'refcheck.toml'}: invalid TOML: ")


def test_not_utf8_names_the_file(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    (corpus / "refcheck.toml").write_bytes(b'user-agent = "caf\xe9"\n')
    with pytest.raises(SettingsError, match=r"refcheck\.toml: not UTF-8 text$"):
        load_settings(corpus / "refcheck.toml", {})


def test_tool_refcheck_not_a_table(tmp_path: Path) -> None:
    message = _error(tmp_path, '[tool]\nrefcheck = "x"\n', name="pyproject.toml")
    assert message == f"{tmp_path / 'corpus' / 'pyproject.toml'}: [tool.refcheck] must be a table"


@pytest.mark.parametrize("value", ['"problems,sometimes"', '["dead", "sometimes"]'])
def test_unknown_fail_on_condition_is_rejected(tmp_path: Path, value: str) -> None:
    message = _error(tmp_path, f"fail-on = {value}\n")
    assert "'fail-on'" in message
    assert "unknown condition 'sometimes'" in message
    assert "problems, footnote-errors, dead, new-dead, none" in message


def test_unknown_fail_on_condition_on_command_line() -> None:
    with pytest.raises(SettingsError, match="unknown condition 'always'"):
        _load_none(fail_on="always")


@pytest.mark.parametrize("line", ['fail-on = "sometimes"', "concurrency = 0", 'archive = "some"'])
def test_bad_value_in_file_names_the_file(tmp_path: Path, line: str) -> None:
    message = _error(tmp_path, line + "\n")
    assert str(tmp_path / "corpus" / "refcheck.toml") in message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"concurrency": 0}, "--concurrency must be at least 1"),
        ({"per_host": 0}, "--per-host must be at least 1"),
        ({"max_file_size": 0}, "--max-file-size must be at least 1"),
        ({"retries": -1}, "--retries must be 0 or more"),
        ({"timeout": 0}, "--timeout must be more than 0"),
        ({"host_interval": -0.5}, "--host-interval must be 0 or more"),
        ({"archive": "sometimes"}, "--archive must be one of: dead, all, none"),
    ],
)
def test_out_of_range_values(overrides: dict[str, object], expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, overrides)
    assert str(caught.value) == expected


# --- publishers mapping, through the pipeline ------------------------------------------------------


ARTICLE = "A headline\n\nSome running text without any byline at all.\n"


def test_publishers_mapping_is_applied(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, '[publishers]\n"a*.txt" = "example.org"\n')
    (corpus / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "b1.txt").write_text(ARTICLE, encoding="utf-8")
    settings = load_settings(find_settings_file([corpus]), {"offline": True})
    assert settings.publishers == {"a*.txt": "example.org"}
    result = run([corpus], settings)
    documents = {Path(document.path).name: document for document in result.documents}
    result.documents.close()
    assert set(documents) == {"a1.txt", "b1.txt"}
    assert documents["a1.txt"].publisher == "example.org"
    assert documents["a1.txt"].publisher_domain == "example.org"
    assert documents["b1.txt"].publisher is None


def test_publishers_inline_table_form(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 'publishers = {"a*.txt" = "example.org"}\n')
    (corpus / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    settings = load_settings(find_settings_file([corpus]), {})
    result = run([corpus], settings)
    [document] = list(result.documents)
    result.documents.close()
    assert document.publisher == "example.org"


def test_exclude_setting_is_applied_by_the_pipeline(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 'exclude = ["draft-*"]\n')
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "draft-b.txt").write_text(ARTICLE, encoding="utf-8")
    result = run([corpus], load_settings(find_settings_file([corpus]), {}))
    names = [Path(document.path).name for document in result.documents]
    result.documents.close()
    assert names == ["a.txt"]
    skipped = {Path(item.path).name: item.reason for item in result.summary.skipped_files}
    assert skipped == {"draft-b.txt": "excluded by settings"}  # the settings file is not a skipped article


def test_api_bases_must_be_web_addresses_and_since_may_be_a_toml_date(tmp_path: Path) -> None:
    """--memento-url/--wayback-url/--cdx-url: an http(s) address or one line, exit 2 (a
    reviewer found 'notaurl' accepted); ``since = 2026-11-01`` (a TOML date) is a date."""
    from conftest import refcheck

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\nSee https://example.org/x.\n", "utf-8")
    for option, value in (("--memento-url", "notaurl"), ("--wayback-url", "ftp://x"), ("--cdx-url", "http://")):
        done = refcheck(tmp_path, "corpus", "--offline", "--no-report", option, value)
        assert done.returncode == 2 and done.stderr.startswith(f"refcheck: {option} (or REFCHECK_"), done.stderr
    (tmp_path / "refcheck.toml").write_text("since = 2026-11-01\n", "utf-8")
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--config", "refcheck.toml")
    assert done.returncode == 0, done.stderr
