"""Outputs of a plan: tables (CSV, Excel), Anlage 1, Gantt charts, iCalendar, the HTML report.

Takes an instance and a plan from `models`; never imports the solver (or OR-Tools), so a
saved plan.json can be re-rendered anywhere.
"""

from reports.anlage1 import anlage1_table, anlage1_years
from reports.anlage1_html import write_anlage1_html
from reports.excel import write_anlage1_xlsx
from reports.files import TRAINING_FILES, write_training_files
from reports.gantt import training_gantt
from reports.html import report_html, write_report_html
from reports.ics import ics_uid, write_ics
from reports.tables import sessions_table
from reports.terms import terms_table

__all__ = [
    "TRAINING_FILES",
    "anlage1_table",
    "anlage1_years",
    "ics_uid",
    "report_html",
    "sessions_table",
    "terms_table",
    "training_gantt",
    "write_anlage1_html",
    "write_anlage1_xlsx",
    "write_ics",
    "write_report_html",
    "write_training_files",
]
