"""The web layer the core gives every page: template filters and globals, the API docs' assets
and the outbox kick after each request. Blueprints are registered by ``yipin.build_app``."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from yipin import clock
from yipin.accounts.permissions import may_see_person
from yipin.i18n import current_language
from yipin.money import format_fen

ROBOTS_TXT = """User-agent: *
Disallow: /api/
Disallow: /console/
Disallow: /supplier/
Disallow: /bureau/
"""


def init_app(app: Flask) -> None:
    @app.get("/api/docs/assets/<path:filename>")
    def api_docs_assets(filename: str) -> Any:
        return send_from_directory(str(swagger_ui_path), filename, max_age=86400)

    @app.get("/robots.txt")
    def robots_txt() -> Any:
        """What crawlers may read: the shop, not the API or the staff's pages (a page that
        answers, so a crawler or Lighthouse never meets an error page here)."""
        response = Response(ROBOTS_TXT, mimetype="text/plain")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    app.jinja_env.filters["fen"] = format_fen
    app.jinja_env.filters["local"] = _local_time
    app.jinja_env.globals["now"] = clock.now
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.globals["may_see_person"] = may_see_person  # personal data: who may see it
    app.jinja_env.globals["platform_name"] = lambda language=None: _in_language(
        app.config["PLATFORM_NAME"], language
    )
    app.jinja_env.globals["platform_tagline"] = lambda language=None: _in_language(
        app.config["PLATFORM_TAGLINE"], language
    )

    _outbox_hooks(app)


def _in_language(text: str | dict[str, str], language: str | None = None) -> str:
    """A configured text in the page's language (Chinese when it has none in that language)."""
    if isinstance(text, str):
        return text
    return (
        text.get(language or current_language()) or text.get("zh_CN") or next(iter(text.values()))
    )


def _local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return clock.to_local(value).strftime(fmt)
    return value.strftime(fmt)


def _outbox_hooks(app: Flask) -> None:
    """Entries committed by a view are handed over after the response is built.

    On the embedded default there is no dispatcher process: every request also runs due retries,
    at most once every ``OUTBOX_INPROCESS_SWEEP_SECONDS``.
    """
    from yipin import jobs
    from yipin.db import db
    from yipin.outbox import service

    sweep_every = app.config.get("OUTBOX_INPROCESS_SWEEP_SECONDS", 10)
    last_sweep = [0.0]

    @app.teardown_request
    def kick_outbox(exc: BaseException | None) -> None:
        if exc is not None:
            return
        ids = service.take_new_ids(db.session)
        try:
            if ids:
                service.kick(ids)
            if not jobs.uses_rq() and time.monotonic() - last_sweep[0] > sweep_every:
                last_sweep[0] = time.monotonic()
                service.dispatch_due(limit=20)
        except Exception:  # best effort: the dispatcher retries
            db.session.rollback()
            app.logger.warning("outbox kick after request failed", exc_info=True)
