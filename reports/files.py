"""Every file of the training part at once, as the CLI writes them into the output folder."""

from __future__ import annotations

from pathlib import Path

from models.instance import Instance
from models.plan import Revision, TrainingPlan
from reports.anlage1 import anlage1_table
from reports.anlage1_html import write_anlage1_html
from reports.excel import write_anlage1_xlsx
from reports.i18n import Lang
from reports.ics import done_updates, removed_sessions, write_cancel_ics, write_ics
from reports.tables import write_csv, write_sessions_csv

TRAINING_FILES = (
    "training_sessions.csv",
    "anlage1.csv",
    "anlage1.xlsx",
    "anlage1.html",
    "training.ics",
)


CANCEL_ICS = "training-cancelled.ics"


def write_training_files(
    instance: Instance,
    plan: TrainingPlan,
    out_dir: Path,
    revision: Revision | None = None,
    lang: Lang | None = None,
) -> list[Path]:
    """Write the files named in TRAINING_FILES into `out_dir` (which exists), headers and
    labels in `lang`; return them. A re-plan (`revision`) gives the moved events a higher
    SEQUENCE and, when sessions were dropped, writes CANCEL_ICS (METHOD:CANCEL) too."""
    out = Path(out_dir)
    lang = lang or instance.language
    seq = revision.sequence_of() if revision is not None else None
    extra = []
    sent = plan.planned()
    if revision is not None:
        sent += done_updates(plan, revision.changes)
        removed = removed_sessions(plan, revision.changes)
        if removed:
            extra.append(write_cancel_ics(instance, removed, out / CANCEL_ICS, seq or {}))
    return [
        write_sessions_csv(plan, out / "training_sessions.csv", lang),
        write_csv(anlage1_table(instance, plan, lang), out / "anlage1.csv"),
        write_anlage1_xlsx(instance, plan, out / "anlage1.xlsx", lang),
        write_anlage1_html(instance, plan, out / "anlage1.html", lang),
        write_ics(instance, plan, out / "training.ics", sessions=sent, sequences=seq),
        *extra,
    ]
