"""One log line per event, carrying the request id (web) or the job id (RQ worker)."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` to every record: the request's, the RQ job's, or ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
        else:
            try:
                from rq import get_current_job

                job = get_current_job()
            except Exception:  # outside a worker
                job = None
            if job is not None:
                record.request_id = f"job:{job.id}"
        return True


def init_app(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    root = logging.getLogger()
    if not any(isinstance(f, ContextFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.addFilter(ContextFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
        root.addHandler(handler)
        root.setLevel(level)

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex[:16]

    @app.after_request
    def echo_request_id(response):  # type: ignore[no-untyped-def]
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
