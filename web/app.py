"""`create_app(settings)`: the FastAPI application of `juwe serve`.

FastAPI gives the typed request models, the OpenAPI schema (fuzzed by the tests) and
`TestClient`; uvicorn serves it. Solves never run in the server process: `web.jobs`
spawns a worker per job. Every error is JSON with a message a planner can act on; a bug
answers 500 with a short message and logs its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.jobs import Runner
from web.security import MAX_BODY, Guard
from web.store import Store

log = logging.getLogger("juwe.web")
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Settings:
    workspace: Path = Path("juwe-workspace")
    jobs: int = 1
    token: str | None = None
    max_body: int = MAX_BODY


def version() -> str:
    import juwe

    return juwe.__version__


def create_app(settings: Settings) -> FastAPI:
    store = Store(settings.workspace)
    runner = Runner(store, max_jobs=max(1, settings.jobs))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lost = store.interrupt_active()
        if lost:
            log.warning("%d job(s) of an earlier server marked 'interrupted'", lost)
        runner.start()
        runner.submit()
        try:
            yield
        finally:
            runner.shutdown()

    app = FastAPI(
        title="juwe-planner",
        version=version(),
        description="Plans the training calendar, staffing and rollout of a youth-welfare "
        "office: upload an instance, start a solve job, follow its progress, download the plan.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.runner = runner
    app.state.settings = settings
    _errors(app)

    from web.api_instances import router as instances
    from web.api_jobs import router as jobs
    from web.api_plans import router as plans

    for router in (instances, jobs, plans):
        app.include_router(router, prefix="/api")
    _page(app)
    app.add_middleware(Guard, token=settings.token, max_body=settings.max_body)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such address: {request.url.path}"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            allowed = _allowed(app, request)
            detail = f"{request.method} is not allowed on {request.url.path}; use {allowed}"
            headers = {"Allow": allowed}
        return JSONResponse({"message": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return JSONResponse(
            {"message": f"{first['field'] or 'request'}: {first['message']}", "errors": errors},
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.error("bug answering %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"message": "internal error (a bug in juwe-planner; the server log has the details)"},
            status_code=500,
        )


def _allowed(app: FastAPI, request: Request) -> str:
    """Every method some route takes on this path (Starlette names only the first's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.router.routes:
        route_methods = getattr(route, "methods", None)
        if not route_methods:
            continue
        probe = {**request.scope, "method": sorted(route_methods)[0]}
        if route.matches(probe)[0] == Match.FULL:
            methods |= set(route_methods)
    return ", ".join(sorted(methods - {"HEAD"} if "GET" not in methods else methods))


def _field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = list(loc)
    if parts and parts[0] in ("body", "path", "query", "header"):
        parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out or None


def _page(app: FastAPI) -> None:
    """The page and its files; plotly.js from the installed plotly package (no network)."""

    @app.get("/", include_in_schema=False)
    def index() -> Any:
        page = STATIC / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html")
        return HTMLResponse(
            "<!doctype html><title>juwe-planner</title><p>The page is not "
            "installed; the API is at <a href='/docs'>/docs</a>.</p>"
        )

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(path, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
