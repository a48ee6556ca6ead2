"""The service's state in one SQLite file: instances, plan versions, jobs and their progress.

WAL mode lets the request threads read while the runner writes; every thread gets its own
connection (sqlite3 connections must not cross threads). Plan files live beside it under
`plans/<id>/`; a row in `plans` is written only once its folder is complete, so a killed
server never leaves a plan row without its files.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    summary TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES instances(id),
    job_id INTEGER,
    parent_id INTEGER REFERENCES plans(id),
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    params TEXT NOT NULL,
    stats TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES instances(id),
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    params TEXT NOT NULL,
    data TEXT NOT NULL,
    plan_id INTEGER REFERENCES plans(id),
    message TEXT NOT NULL DEFAULT '',
    conflicts TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS events (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
"""

ACTIVE = ("queued", "running")
PROGRESS_KEYS = ("part", "phase", "index", "total", "seconds", "objective", "bound", "gap")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """All reads and writes of the service's state (one file, `WORKSPACE/juwe.sqlite`)."""

    def __init__(self, workspace: Path):
        self.workspace = Path(workspace)
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.plans_dir = self.workspace / "plans"
        self.plans_dir.mkdir(exist_ok=True)
        self.path = self.workspace / "juwe.sqlite"
        self._local = threading.local()
        self._db().executescript(SCHEMA)

    # ------------------------------------------------------------------ connections
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    def _tx(self) -> _Transaction:
        return _Transaction(self._db())

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        return self._db().execute(sql, args).fetchone()

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return self._db().execute(sql, args).fetchall()

    # ------------------------------------------------------------------ instances
    def add_instance(self, name: str, summary: dict[str, Any], data: dict[str, Any]) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO instances (name, created, summary, data) VALUES (?, ?, ?, ?)",
                (name, _now(), json.dumps(summary), json.dumps(data)),
            )
            return int(cur.lastrowid)

    def instances(self) -> list[dict[str, Any]]:
        rows = self._all("SELECT id, name, created, summary FROM instances ORDER BY id DESC")
        return [_instance(r) for r in rows]

    def instance(self, instance_id: int, *, data: bool = False) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM instances WHERE id = ?", instance_id)
        if row is None:
            return None
        out = _instance(row)
        if data:
            out["instance"] = json.loads(row["data"])
        return out

    # ------------------------------------------------------------------ plans
    def add_plan(
        self,
        *,
        instance_id: int,
        job_id: int,
        parent_id: int | None,
        params: dict[str, Any],
        stats: dict[str, Any],
        folder: Path,
        files: list[str],
    ) -> int:
        """Record the plan whose files are in `folder` (a staging folder): the folder is
        moved to `plans/<id>/` inside the same transaction as the row."""
        with self._tx() as db:
            version = db.execute(
                "SELECT COUNT(*) FROM plans WHERE instance_id = ?", (instance_id,)
            ).fetchone()[0]
            cur = db.execute(
                "INSERT INTO plans (instance_id, job_id, parent_id, version, created, params,"
                " stats, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    instance_id,
                    job_id,
                    parent_id,
                    version + 1,
                    _now(),
                    json.dumps(params),
                    json.dumps(stats),
                    json.dumps(files),
                ),
            )
            plan_id = int(cur.lastrowid)
            target = self.plan_dir(plan_id)
            if target.exists():  # an orphan of a server killed between move and commit
                _remove_tree(target)
            folder.rename(target)
            return plan_id

    def plan_dir(self, plan_id: int) -> Path:
        return self.plans_dir / str(int(plan_id))

    def plan(self, plan_id: int) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM plans WHERE id = ?", plan_id)
        return None if row is None else _plan(row)

    def plans_of(self, instance_id: int) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM plans WHERE instance_id = ? ORDER BY id DESC", instance_id)
        return [_plan(r) for r in rows]

    # ------------------------------------------------------------------ jobs
    def add_job(self, instance_id: int, params: dict[str, Any], data: dict[str, Any]) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO jobs (instance_id, status, created, params, data)"
                " VALUES (?, 'queued', ?, ?, ?)",
                (instance_id, _now(), json.dumps(params), json.dumps(data)),
            )
            return int(cur.lastrowid)

    def job(self, job_id: int, *, progress: bool = True) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM jobs WHERE id = ?", job_id)
        if row is None:
            return None
        out = _job(row)
        out["progress"] = self.events(job_id) if progress else []
        return out

    def jobs(self) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM jobs ORDER BY id DESC")
        return [_job(r) | {"progress": []} for r in rows]

    def job_data(self, job_id: int) -> dict[str, Any]:
        row = self._one("SELECT data FROM jobs WHERE id = ?", job_id)
        assert row is not None
        return json.loads(row["data"])

    def queued(self) -> list[int]:
        return [r["id"] for r in self._all("SELECT id FROM jobs WHERE status='queued' ORDER BY id")]

    def start_job(self, job_id: int) -> bool:
        """queued -> running; False when the job was cancelled meanwhile."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status='running', started=? WHERE id=? AND status='queued'",
                (_now(), job_id),
            )
            return cur.rowcount == 1

    def cancel_queued(self, job_id: int) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status='stopped', finished=?, message=? "
                "WHERE id=? AND status='queued'",
                (_now(), "cancelled before it started", job_id),
            )
            return cur.rowcount == 1

    def finish_job(
        self,
        job_id: int,
        status: str,
        *,
        message: str = "",
        conflicts: list[str] | None = None,
        plan_id: int | None = None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status=?, finished=?, message=?, conflicts=?, plan_id=? "
                "WHERE id=?",
                (status, _now(), message, json.dumps(conflicts or []), plan_id, job_id),
            )

    def interrupt_active(self) -> int:
        """At start: jobs a previous server left queued or running can never finish."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status='interrupted', finished=?, message=? "
                "WHERE status IN ('queued', 'running')",
                (_now(), "the server stopped before this job finished; start it again"),
            )
            return cur.rowcount

    def add_event(self, job_id: int, event: dict[str, Any]) -> None:
        with self._tx() as db:
            seq = db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE job_id = ?", (job_id,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO events (job_id, seq, data) VALUES (?, ?, ?)",
                (job_id, seq + 1, json.dumps(event)),
            )

    def events(self, job_id: int, after: int = 0) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT seq, data FROM events WHERE job_id = ? AND seq > ? ORDER BY seq",
            job_id,
            after,
        )
        out = []
        for r in rows:
            e = json.loads(r["data"])
            out.append({k: e.get(k) for k in PROGRESS_KEYS} | {"seq": r["seq"]})
        return out


class _Transaction:
    """`with` block = one write transaction (BEGIN IMMEDIATE: writers queue, not fail)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _instance(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "created": row["created"],
        "summary": json.loads(row["summary"]),
    }


def _plan(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "instance": row["instance_id"],
        "job": row["job_id"],
        "parent": row["parent_id"],
        "version": row["version"],
        "created": row["created"],
        "params": json.loads(row["params"]),
        "stats": json.loads(row["stats"]),
        "files": json.loads(row["files"]),
    }


def _job(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "instance": row["instance_id"],
        "status": row["status"],
        "created": row["created"],
        "started": row["started"],
        "finished": row["finished"],
        "params": json.loads(row["params"]),
        "plan": row["plan_id"],
        "message": row["message"],
        "conflicts": json.loads(row["conflicts"]),
    }
