"""One catalogue of the labels of report.html (and report.pdf), in English and German.

`label(key, lang)` looks a label up; `--lang de|en` (default: the instance's `language`)
chooses. The German abbreviations the tables use are explained in GLOSSARY (the report's
last section, and the README).
"""

from __future__ import annotations

from typing import Literal

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
    "changes": {
        "en": "What moved against the previous plan",
        "de": "Was sich gegenüber dem vorigen Plan geändert hat",
    },
    "glossary": {"en": "Glossary", "de": "Glossar"},
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


def label(key: str, lang: Lang = "en") -> str:
    return CATALOGUE[key][lang]


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
