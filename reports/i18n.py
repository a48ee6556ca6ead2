"""One catalogue of every label a plan's files show, in English and German.

`label(key, lang)` looks up a text of report.html, report.pdf, anlage1.html and
anlage2.html; `column(name, lang)` the header of a CSV or sheet column and `sheet(name,
lang)` a sheet of plan.xlsx; `value(text, lang)` a word inside a cell (`done`). `--lang
de|en` (default: the instance's `language`) chooses. The tables are built with the
canonical names (the English CSV headers, the German Anlage headers) and translated when
written; readers (`juwe import anlage1`, `--previous plan.xlsx`) map either language back
with `canonical_column`. The German abbreviations the tables use are explained in
GLOSSARY (the report's last section, and the README).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Lang = Literal["en", "de"]
LANGS = ("en", "de")

CATALOGUE: dict[str, dict[str, str]] = {
    "plan": {"en": "Plan", "de": "Plan"},
    "summary": {"en": "Summary", "de": "Zusammenfassung"},
    "part": {"en": "Part", "de": "Teil"},
    "status": {"en": "Status", "de": "Status"},
    "objective": {"en": "Objective", "de": "Zielfunktion"},
    "bound": {"en": "Best bound", "de": "Beste Schranke"},
    "gap": {"en": "Gap", "de": "Lücke"},
    "note": {"en": "Coupling / note", "de": "Kopplung / Hinweis"},
    "not_solved": {"en": "not solved", "de": "nicht gelöst"},
    "training": {"en": "Training calendar", "de": "Fortbildungskalender"},
    "staffing": {"en": "Staffing", "de": "Personalbemessung"},
    "rollout": {"en": "Core-process rollout", "de": "Einführung der Kernprozesse"},
    "staffing_heading": {
        "en": "Staffing: the additional positions",
        "de": "Personalbemessung: die zusätzlichen Stellen",
    },
    "assumptions": {"en": "Assumptions", "de": "Annahmen"},
    "assumptions_meta": {
        "en": "Figures no source gives, as the instance file states them:",
        "de": "Zahlen, die keine Quelle nennt, wie die Instanzdatei sie annimmt:",
    },
    "summary_meta": {
        "en": "optimal: no better plan exists under the rules and weights; feasible: the best "
        "plan found in the time limit, at most the gap above the best bound. Each part's "
        "objective terms are explained in its section.",
        "de": "optimal: unter den Regeln und Gewichten gibt es keinen besseren Plan; "
        "feasible: der beste in der Zeitgrenze gefundene Plan, höchstens um die Lücke über "
        "der besten Schranke. Die Terme der Zielfunktion erklärt der Abschnitt jedes Teils.",
    },
    "sessions_planned": {"en": "Sessions planned", "de": "Geplante Termine"},
    "sessions_done": {"en": "Sessions done before", "de": "Bereits erledigte Termine"},
    "terms": {"en": "Objective terms", "de": "Terme der Zielfunktion"},
    "no_terms": {"en": "No objective terms were reported.", "de": "Keine Terme gemeldet."},
    "term": {"en": "Term", "de": "Term"},
    "value": {"en": "Value", "de": "Wert"},
    "weight": {"en": "Weight", "de": "Gewicht"},
    "weighted": {"en": "Weighted", "de": "Gewichtet"},
    "meaning": {"en": "Meaning", "de": "Bedeutung"},
    "terms_meta": {
        "en": "The objective is the sum of value × weight over all terms; the weights can be "
        "changed in the instance file.",
        "de": "Die Zielfunktion ist die Summe von Wert × Gewicht über alle Terme; die Gewichte "
        "stehen in der Instanzdatei und lassen sich dort ändern.",
    },
    "gantt_group": {"en": "Gantt chart by group", "de": "Gantt-Diagramm nach Gruppe"},
    "gantt_trainer": {"en": "Gantt chart by trainer", "de": "Gantt-Diagramm nach Trainer"},
    "gantt_by_group": {"en": "by group", "de": "nach Gruppe"},
    "gantt_by_trainer": {"en": "by trainer", "de": "nach Trainer"},
    "changes": {
        "en": "What moved against the previous plan",
        "de": "Was sich gegenüber dem vorigen Plan geändert hat",
    },
    "glossary": {"en": "Glossary", "de": "Glossar"},
    "no_training_plan": {
        "en": "No training plan was found, so there is no chart and no Anlage 1; see the "
        "status and message above.",
        "de": "Es wurde kein Fortbildungsplan gefunden, daher gibt es weder Diagramm noch "
        "Anlage 1; siehe Status und Meldung oben.",
    },
    "no_allocation": {
        "en": "No allocation was found; see the status and message above.",
        "de": "Es wurde keine Verteilung der Stellen gefunden; siehe Status und Meldung oben.",
    },
    "no_rollout_plan": {
        "en": "No rollout plan was found; see the status and message above.",
        "de": "Es wurde kein Zeitplan der Einführung gefunden; siehe Status und Meldung oben.",
    },
    "coupling": {"en": "Coupling", "de": "Kopplung"},
    "joint": {
        "en": "Training + rollout, one model (--joint)",
        "de": "Fortbildung + Einführung in einem Modell (--joint)",
    },
    "joint_used": {
        "en": "used: lower than planned one after the other",
        "de": "übernommen: niedriger als nacheinander geplant",
    },
    "joint_not_used": {
        "en": "not used: no lower than planned one after the other",
        "de": "nicht übernommen: nicht niedriger als nacheinander geplant",
    },
    "staffing_table": {
        "en": "Staffing table (need, existing, additional BV by year)",
        "de": "Personalbemessung (Bedarf, Bestand, zusätzliche BV nach Jahr)",
    },
    "staffing_table_pdf": {
        "en": "Staffing: additional positions (BV)",
        "de": "Personalbemessung: zusätzliche Stellen (BV)",
    },
    "timeline": {
        "en": "BV timeline: planned and expected filled BV",
        "de": "BV im Zeitverlauf: geplante und erwartete besetzte BV",
    },
    "timeline_meta": {
        "en": "Expected filled BV follow the hiring model: postings arrive after the lag, a "
        "share is filled, staff leave at the attrition rate and are re-posted.",
        "de": "Die erwarteten besetzten BV folgen dem Einstellungsmodell: Ausschreibungen "
        "wirken nach der Vorlaufzeit, ein Anteil wird besetzt, Beschäftigte gehen mit der "
        "Fluktuationsrate und werden neu ausgeschrieben.",
    },
    "allocation": {
        "en": "Allocation: who gets which positions when",
        "de": "Verteilung: wer welche Stellen wann erhält",
    },
    "rollout_gantt": {
        "en": "Gantt chart by family and centre",
        "de": "Gantt-Diagramm nach Familie und Zentrum",
    },
    "resources": {"en": "Resource usage", "de": "Ressourcenauslastung"},
    "used": {"en": "in use", "de": "belegt"},
    "planned_line": {"en": "planned", "de": "geplant"},
    "expected_line": {"en": "expected", "de": "erwartet"},
    "no_centre": {"en": "(no centre)", "de": "(ohne Zentrum)"},
    "timeline_chart": {
        "en": "Casework BV per centre: planned (posted) against expected (filled)",
        "de": "BV Fallarbeit je Zentrum: geplant (ausgeschrieben) und erwartet (besetzt)",
    },
    "rollout_chart": {"en": "Core-process rollout", "de": "Einführung der Kernprozesse"},
    "family": {"en": "Family", "de": "Familie"},
    "anlage1_heading": {
        "en": "Anlage 1: status of the training",
        "de": "Anlage 1: Stand der Fortbildungen",
    },
    "anlage1_dates": {"en": "Planned sessions", "de": "Geplante Termine"},
    "anlage1_years": {
        "en": "Years (the form of the source document)",
        "de": "Jahresübersicht (Form des Ausgangsdokuments)",
    },
    "legend_done": {"en": "erl. = done", "de": "erl. = erledigt"},
    "legend_planned": {"en": "date/year = planned", "de": "Datum/Jahr = geplant"},
    "legend_replanned": {
        "en": "offen → date = missed at the status date, re-planned",
        "de": "offen → Datum = am Stichtag offen, neu geplant",
    },
    "legend_open": {"en": "offen = not planned", "de": "offen = nicht geplant"},
    "status_date": {"en": "Status date of the snapshot", "de": "Stichtag des Ausgangsstands"},
    "anlage2_heading": {
        "en": "Anlage 2: schedule of the core-process rollout",
        "de": "Anlage 2: Zeitplan der Einführung der Kernprozesse",
    },
    "appendix": {"en": "Appendix to the report", "de": "Anlage zum Bericht"},
    "total": {"en": "Total", "de": "Insgesamt"},
    "page": {"en": "Page", "de": "Seite"},
    "changes_counts": {
        "en": "{sessions} sessions, {groups} finishing dates of groups, {tasks} rollout "
        "tasks and {staffing} postings changed",
        "de": "{sessions} Termine, {groups} Enddaten von Gruppen, {tasks} Aufgaben der "
        "Einführung und {staffing} Ausschreibungen geändert",
    },
    "changes_compared": {
        "en": "Compared with <code>{previous}</code>: {counts}. The same rows are in "
        "changes.csv and in the Changes sheet of plan.xlsx.",
        "de": "Verglichen mit <code>{previous}</code>: {counts}. Dieselben Zeilen stehen in "
        "changes.csv und im Blatt Änderungen von plan.xlsx.",
    },
    "nothing_moved": {
        "en": "Nothing moved: the re-plan keeps every date and trainer.",
        "de": "Nichts hat sich bewegt: die Neuplanung behält jeden Termin und Trainer.",
    },
    "changes_session": {
        "en": "Sessions: old and new date and trainer",
        "de": "Termine: altes und neues Datum und Trainer",
    },
    "changes_group": {
        "en": "Groups: old and new finishing date",
        "de": "Gruppen: altes und neues Enddatum",
    },
    "changes_task": {
        "en": "Rollout tasks: old and new dates",
        "de": "Aufgaben der Einführung: alte und neue Daten",
    },
    "changes_posting": {
        "en": "Staffing: changed postings (BV per unit and month)",
        "de": "Personal: geänderte Ausschreibungen (BV je Einheit und Monat)",
    },
    # the words of the `change` column of changes.csv
    "ch_new_session": {"en": "new session", "de": "neu geplant"},
    "ch_removed": {"en": "no longer planned", "de": "nicht mehr geplant"},
    "ch_done": {"en": "done", "de": "erledigt"},
    "ch_done_on": {"en": "done on {day}", "de": "erledigt am {day}"},
    "ch_moved": {"en": "moved {days}", "de": "verschoben: {days}"},
    "ch_later": {"en": "{n} {unit} later", "de": "{n} {unit} später"},
    "ch_earlier": {"en": "{n} {unit} earlier", "de": "{n} {unit} früher"},
    "ch_day": {"en": "day", "de": "Tag"},
    "ch_days": {"en": "days", "de": "Tage"},
    "ch_end_day": {"en": "other end day", "de": "anderer letzter Tag"},
    "ch_trainer": {"en": "trainer {old} -> {new}", "de": "Trainer {old} -> {new}"},
    "ch_finishes": {"en": "finishes {days}", "de": "endet {days}"},
    "ch_new_group": {"en": "new group", "de": "neue Gruppe"},
    "ch_new_task": {"en": "new task", "de": "neue Aufgabe"},
    "ch_posted": {"en": "{diff} BV posted", "de": "{diff} BV ausgeschrieben"},
}

COLUMNS: dict[str, dict[str, str]] = {
    # the canonical name (as the tables are built) -> its header in each language
    "group": {"en": "group", "de": "Gruppe"},
    "module": {"en": "module", "de": "Modul"},
    "repetition": {"en": "repetition", "de": "Wiederholung"},
    "session": {"en": "session", "de": "Sitzung"},
    "start": {"en": "start", "de": "Beginn"},
    "end": {"en": "end", "de": "Ende"},
    "trainer": {"en": "trainer", "de": "Trainer"},
    "status": {"en": "status", "de": "Status"},
    "Modul": {"en": "Module", "de": "Modul"},
    "Titel": {"en": "Title", "de": "Titel"},
    "Familie": {"en": "Family", "de": "Familie"},
    "Aufgabe": {"en": "Task", "de": "Aufgabe"},
    "area": {"en": "area", "de": "Bereich"},
    "need_bv": {"en": "need_bv", "de": "Bedarf BV"},
    "existing_bv": {"en": "existing_bv", "de": "Bestand BV"},
    "additional_bv": {"en": "additional_bv", "de": "zusätzlich BV"},
    "category": {"en": "category", "de": "Kategorie"},
    "unit": {"en": "unit", "de": "Einheit"},
    "bv": {"en": "bv", "de": "BV"},
    "release_month": {"en": "release_month", "de": "Freigabemonat"},
    "start_month": {"en": "start_month", "de": "Ausschreibungsmonat"},
    "tranche": {"en": "tranche", "de": "Tranche"},
    "centre": {"en": "centre", "de": "Zentrum"},
    "month": {"en": "month", "de": "Monat"},
    "planned_bv": {"en": "planned_bv", "de": "BV geplant"},
    "expected_bv": {"en": "expected_bv", "de": "BV erwartet"},
    "family": {"en": "family", "de": "Familie"},
    "task": {"en": "task", "de": "Aufgabe"},
    "title": {"en": "title", "de": "Titel"},
    "resources": {"en": "resources", "de": "Ressourcen"},
    "kind": {"en": "kind", "de": "Art"},
    "change": {"en": "change", "de": "Änderung"},
    "old_start": {"en": "old_start", "de": "Beginn alt"},
    "old_end": {"en": "old_end", "de": "Ende alt"},
    "new_start": {"en": "new_start", "de": "Beginn neu"},
    "new_end": {"en": "new_end", "de": "Ende neu"},
    "old_trainer": {"en": "old_trainer", "de": "Trainer alt"},
    "new_trainer": {"en": "new_trainer", "de": "Trainer neu"},
    "old_status": {"en": "old_status", "de": "Status alt"},
    "new_status": {"en": "new_status", "de": "Status neu"},
    "days": {"en": "days", "de": "Tage"},
    "old_bv": {"en": "old_bv", "de": "BV alt"},
    "new_bv": {"en": "new_bv", "de": "BV neu"},
}

SHEETS: dict[str, dict[str, str]] = {
    "Sessions": {"en": "Sessions", "de": "Termine"},
    "Anlage 1": {"en": "Anlage 1", "de": "Anlage 1"},
    "Anlage 1 (Jahre)": {"en": "Anlage 1 (years)", "de": "Anlage 1 (Jahre)"},
    "Staffing table": {"en": "Staffing table", "de": "Personalbemessung"},
    "Allocation": {"en": "Allocation", "de": "Verteilung"},
    "Timeline": {"en": "Timeline", "de": "Zeitverlauf"},
    "Rollout tasks": {"en": "Rollout tasks", "de": "Aufgaben Einführung"},
    "Anlage 2": {"en": "Anlage 2", "de": "Anlage 2"},
    "Changes": {"en": "Changes", "de": "Änderungen"},
    "Plan": {"en": "Plan", "de": "Plan"},
}

_STATUS = {
    "done": {"en": "done", "de": "erledigt"},
    "planned": {"en": "planned", "de": "geplant"},
}
VALUES: dict[str, dict[str, dict[str, str]]] = {
    # column -> the words its cells hold -> each in every language
    "status": _STATUS,
    "old_status": _STATUS,
    "new_status": _STATUS,
    "kind": {
        "session": {"en": "session", "de": "Termin"},
        "group": {"en": "group", "de": "Gruppe"},
        "task": {"en": "task", "de": "Aufgabe"},
        "posting": {"en": "posting", "de": "Ausschreibung"},
    },
    "area": {"Insgesamt": {"en": "Total", "de": "Insgesamt"}},
}

GLOSSARY: dict[str, dict[str, str]] = {
    "Anlage": {"en": "appendix (of the report to the Senate)", "de": "Anlage zum Senatsbericht"},
    "BV": {
        "en": "Beschäftigungsvolumen: one full-time position",
        "de": "Beschäftigungsvolumen: eine Vollzeitstelle",
    },
    "EB/HdF": {
        "en": "Erziehungsberatung / Häuser der Familie: family counselling and family centres",
        "de": "Erziehungsberatung / Häuser der Familie",
    },
    "erl.": {"en": "erledigt: the session took place", "de": "erledigt: der Termin fand statt"},
    "offen": {
        "en": "missed at the status date (re-planned: offen → date)",
        "de": "am Stichtag offen (neu geplant: offen → Datum)",
    },
    "SRK": {
        "en": "Sozialraumkoordination: social-space coordination",
        "de": "Sozialraumkoordination",
    },
    "SZ": {"en": "Sozialzentrum: a social-services centre", "de": "Sozialzentrum"},
    "TEUR": {"en": "thousand euros", "de": "Tausend Euro"},
}


def label(key: str, lang: Lang = "en", **fields: object) -> str:
    text = CATALOGUE[key][lang]
    return text.format(**fields) if fields else text


def column(name: str, lang: Lang = "en") -> str:
    """The header of the canonical column `name` (a month or a year stays as it is)."""
    return COLUMNS[name][lang] if name in COLUMNS else name


def sheet(name: str, lang: Lang = "en") -> str:
    return SHEETS[name][lang]


def value(text: str, name: str, lang: Lang = "en") -> str:
    """A cell word of column `name` in `lang` (`done` -> `erledigt`); others stay."""
    words = VALUES.get(name, {})
    return words[text][lang] if text in words else text


def canonical_column(header: str) -> str:
    """The canonical name of a header written in either language (case and spaces
    ignored): `Beginn` and `start` -> `start`; an unknown header comes back as it is."""
    key = " ".join(str(header).split()).casefold()
    for name, texts in COLUMNS.items():
        if key in (name.casefold(), *(t.casefold() for t in texts.values())):
            return name
    return str(header).strip()


def canonical_value(text: str, name: str) -> str:
    """`erledigt` -> `done`: a cell word of column `name` in either language back to its
    canonical form (case ignored); others come back stripped."""
    key = str(text).strip().casefold()
    for word, texts in VALUES.get(name, {}).items():
        if key in (word.casefold(), *(t.casefold() for t in texts.values())):
            return word
    return str(text).strip()


def localize(df: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """A table with canonical names, its headers and cell words in `lang`."""
    out = df.copy()
    for name in VALUES:
        if name in out.columns:
            out[name] = out[name].map(
                lambda v, n=name: value(v, n, lang) if isinstance(v, str) else v
            )
    return out.rename(columns={c: column(str(c), lang) for c in out.columns})


def glossary_html(lang: Lang = "en") -> str:
    from html import escape

    rows = "".join(
        f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v[lang])}</td></tr>"
        for k, v in GLOSSARY.items()
    )
    return (
        f"<h2 id='glossary'>{label('glossary', lang)}</h2>"
        f"<table class='glossary'><tbody>{rows}</tbody></table>"
    )
