"""Registers every blueprint (HTML and API), template helpers and the outbox kick."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from yipin import clock
from yipin.money import format_fen


def register(app: Flask) -> None:
    from bureau.views import bp as bureau_bp
    from console.views import bp as console_bp
    from storefront.views import bp as storefront_bp
    from suppliers.api import blp as suppliers_api
    from suppliers.views import bp as suppliers_portal_bp
    from yipin.accounts.api import blp as accounts_api
    from yipin.accounts.views import bp as accounts_bp
    from yipin.extensions import api
    from yipin.health import bp as health_bp
    from yipin.regions.api import blp as regions_api

    for bp in (storefront_bp, accounts_bp, suppliers_portal_bp, console_bp, bureau_bp, health_bp):
        app.register_blueprint(bp)

    api.register_blueprint(accounts_api, url_prefix="/api/v1")
    api.register_blueprint(regions_api, url_prefix="/api/v1/regions")
    api.register_blueprint(suppliers_api, url_prefix="/api/v1/suppliers")

    @app.get("/api/docs/assets/<path:filename>")
    def api_docs_assets(filename: str) -> Any:
        return send_from_directory(str(swagger_ui_path), filename, max_age=86400)

    app.jinja_env.filters["fen"] = format_fen
    app.jinja_env.filters["local"] = _local_time
    app.jinja_env.globals["now"] = clock.now

    _outbox_hooks(app)


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
