"""`juwe serve`: the REST planning service (FastAPI), its SQLite state and the page."""
