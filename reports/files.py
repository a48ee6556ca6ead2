"""Every file of the training part at once, as the CLI writes them into the output folder."""

from __future__ import annotations

from pathlib import Path

from models.instance import Instance
from models.plan import TrainingPlan
from reports.anlage1 import anlage1_table
from reports.anlage1_html import write_anlage1_html
from reports.excel import write_anlage1_xlsx
from reports.ics import write_ics
from reports.tables import write_csv, write_sessions_csv

TRAINING_FILES = (
    "training_sessions.csv",
    "anlage1.csv",
    "anlage1.xlsx",
    "anlage1.html",
    "training.ics",
)


def write_training_files(instance: Instance, plan: TrainingPlan, out_dir: Path) -> list[Path]:
    """Write the files named in TRAINING_FILES into `out_dir` (which exists); return them."""
    out = Path(out_dir)
    return [
        write_sessions_csv(plan, out / "training_sessions.csv"),
        write_csv(anlage1_table(instance, plan), out / "anlage1.csv"),
        write_anlage1_xlsx(instance, plan, out / "anlage1.xlsx"),
        write_anlage1_html(instance, plan, out / "anlage1.html"),
        write_ics(instance, plan, out / "training.ics"),
    ]
