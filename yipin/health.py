"""``/healthz``: each component, whether it answers and whether it is embedded or real.

The core checks the database and the job queue; the domains add theirs (``Domain.health``)."""

from __future__ import annotations

import functools
import time
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from yipin import jobs, platform
from yipin.db import db

bp = Blueprint("health", __name__)


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = check()
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database() -> dict[str, Any]:
    dialect = db.engine.dialect.name
    mode = "embedded" if dialect == "sqlite" else "real"
    try:
        db.session.execute(sa.text("SELECT 1"))
        return {"ok": True, "mode": mode, "backend": dialect}
    except Exception as exc:  # health reports, never raises
        db.session.rollback()
        return {"ok": False, "mode": mode, "backend": dialect, "error": str(exc)}


@bp.get("/healthz")
def healthz() -> Any:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    components = {
        "database": _timed(database),
        "jobs": _timed(lambda: jobs.ping(app)),
    }
    for name, check in platform.current().health_checks():
        components[name] = _timed(functools.partial(check, app))
    ok = all(c["ok"] for c in components.values())
    body = {"status": "ok" if ok else "degraded", "components": components}
    return jsonify(body), 200 if ok else 503
