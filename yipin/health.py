"""``/healthz``: each component, whether it answers and whether it is embedded or real.

The core checks the database and the job queue; the domains add theirs (``Domain.health``).
The detail (which backend, latencies, errors) is for operators: a logged-in operator, or a
request from this machine's loopback that no proxy forwarded. Everybody else — a load
balancer's probe, a visitor — gets ``{"status": "up"}`` (200) or ``{"status": "down"}`` (503).
"""

from __future__ import annotations

import functools
import ipaddress
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


FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def may_see_detail() -> bool:
    """An operator, or a direct request from loopback (a proxy on this machine forwards with
    an ``X-Forwarded-For``: its clients are not trusted with the detail)."""
    from flask import request
    from flask_login import current_user

    if current_user.is_authenticated and current_user.is_operator:
        return True
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


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
    if not may_see_detail():
        response = jsonify({"status": "up" if ok else "down"})
    else:
        response = jsonify({"status": "ok" if ok else "degraded", "components": components})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503
