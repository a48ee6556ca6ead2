"""The shell of every HTML output: one standalone page with its CSS inline, no network."""

from __future__ import annotations

from html import escape

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 2rem auto; max-width: 1400px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; vertical-align: top; }
thead th { background: #f0f0f0; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.anlage1 td { text-align: center; white-space: nowrap; }
.anlage1 td.title { text-align: left; white-space: normal; min-width: 18rem; max-width: 28rem;
                    font-size: .78rem; color: #444; }
.anlage1 th[scope=row] { text-align: left; }
td.done { background: #c6efce; color: #14532d; }
td.planned { background: #ffffff; }
td.replanned { background: #ffe4c4; color: #7c2d12; }
td.open { background: #ffc58a; color: #7c2d12; font-weight: 600; }
.legend span { display: inline-block; padding: .1rem .5rem; margin-right: .4rem;
               border: 1px solid #ccc; font-size: .8rem; }
.legend .done { background: #c6efce; } .legend .replanned { background: #ffe4c4; }
.legend .open { background: #ffc58a; } .legend .planned { background: #fff; }
.status { font-weight: 700; padding: .05rem .45rem; border-radius: .3rem; color: #fff; }
.status.optimal { background: #15803d; } .status.feasible { background: #1d4ed8; }
.status.infeasible { background: #b91c1c; } .status.unknown { background: #6b7280; }
pre.message { background: #fff7ed; border: 1px solid #fdba74; padding: .6rem;
              white-space: pre-wrap; }
"""


def html_page(title: str, body: str, lang: str = "de") -> str:
    """A complete HTML document around `body` (already escaped HTML)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
