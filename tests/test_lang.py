"""report.html in German and English: `--lang`, the instance's `language`, one catalogue,
the glossary of the German abbreviations."""

from __future__ import annotations

import yaml

from reports.html import report_html
from reports.i18n import (
    CATALOGUE,
    COLUMNS,
    GLOSSARY,
    LANGS,
    SHEETS,
    VALUES,
    canonical_column,
    canonical_value,
)
from tests.builders import tiny_dict
from tests.test_changes import NEW


def test_catalogue_is_complete():
    for key, texts in {**CATALOGUE, **GLOSSARY}.items():
        assert set(texts) == set(LANGS), key
    for abbreviation in ("BV", "SZ", "SRK", "EB/HdF", "TEUR", "erl.", "Anlage"):
        assert abbreviation in GLOSSARY
    for table in (COLUMNS, SHEETS, *VALUES.values()):
        for key, texts in table.items():
            assert set(texts) == set(LANGS), key


def test_every_header_and_word_reads_back_in_either_language():
    """What a writer puts in a header or a cell, a reader maps back to the one name; no
    two names share a header in one language (else a sheet could not be read back)."""
    sessions = ("group", "module", "repetition", "session", "start", "end", "trainer", "status")
    for lang in LANGS:
        for name in sessions:
            assert canonical_column(COLUMNS[name][lang]) == name
            assert canonical_column(f"  {COLUMNS[name][lang].upper()} ") == name
        headers = [texts[lang].casefold() for texts in COLUMNS.values()]
        clashes = {h for h in headers if headers.count(h) > 1}
        # Anlage 1/2 headers (Modul, Familie...) are read by position, not by this map
        anlagen = {"modul", "familie", "aufgabe", "titel", "module", "family", "task", "title"}
        assert clashes <= anlagen, clashes
        for column, words in VALUES.items():
            for word, texts in words.items():
                assert canonical_value(texts[lang], column) == word


def test_report_in_german_and_english():
    en, de = report_html(NEW), report_html(NEW, "de")
    assert '<html lang="en">' in en and "<h2 id='summary'>Summary</h2>" in en
    assert '<html lang="de">' in de and "<h2 id='summary'>Zusammenfassung</h2>" in de
    assert "Fortbildungskalender" in de and "Glossar" in de and "Beschäftigungsvolumen" in de
    german = NEW.model_copy(update={"instance": NEW.instance.model_copy(update={"language": "de"})})
    assert "Zusammenfassung" in report_html(german)


def test_plan_lang_option(tmp_path, juwe):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()), encoding="utf-8")
    r = juwe("plan", path, "--out", tmp_path / "p", "--lang", "de", "-q", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert "Zusammenfassung" in (tmp_path / "p" / "report.html").read_text(encoding="utf-8")
