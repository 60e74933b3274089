"""Registers every blueprint (HTML and API), template helpers and the outbox kick."""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from yipin import clock, i18n
from yipin.money import format_fen

# (module, attribute, url prefix for API blueprints); HTML blueprints carry their own prefix.
HTML_BLUEPRINTS = [
    "storefront.views",
    "yipin.accounts.views",
    "suppliers.views",
    "console.views",
    "console.suppliers",
    "console.listings",
    "console.sampling",
    "console.warehouses",
    "bureau.views",
    "catalog.portal",
    "catalog.trace_portal",
    "catalog.imports_portal",
    "catalog.trace",
    "catalog.media",
    "fulfillment.portal",
    "orders.web",
    "orders.views",
    "orders.portal",
    "console.orders",
    "yipin.health",
]
API_BLUEPRINTS = [
    ("yipin.accounts.api", "/api/v1"),
    ("yipin.regions.api", "/api/v1/regions"),
    ("suppliers.api", "/api/v1/suppliers"),
    ("suppliers.authorisations_api", "/api/v1/brand-authorisations"),
    ("catalog.api.reference", "/api/v1"),
    ("catalog.api.products", "/api/v1"),
    ("catalog.api.trace", "/api/v1"),
    ("catalog.api.imports", "/api/v1"),
    ("fulfillment.api", "/api/v1"),
    ("orders.api.cart", "/api/v1"),
    ("orders.api.orders", "/api/v1"),
    ("orders.api.payments", "/api/v1"),
    ("orders.api.sub_orders", "/api/v1"),
    ("orders.api.addresses", "/api/v1"),
    ("orders.api.admin", "/api/v1"),
]


def register(app: Flask) -> None:
    from yipin.extensions import api

    for module in HTML_BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp)
    for module, prefix in API_BLUEPRINTS:
        blueprint = importlib.import_module(module).blp
        if blueprint.deferred_functions:  # skip modules that define no route yet
            api.register_blueprint(blueprint, url_prefix=prefix)
    for module in HTML_BLUEPRINTS + [m for m, _prefix in API_BLUEPRINTS]:
        package = importlib.import_module(module.split(".", 1)[0])
        i18n.add_translations(app, Path(package.__file__).parent)

    @app.get("/api/docs/assets/<path:filename>")
    def api_docs_assets(filename: str) -> Any:
        return send_from_directory(str(swagger_ui_path), filename, max_age=86400)

    app.jinja_env.filters["fen"] = format_fen
    app.jinja_env.filters["local"] = _local_time
    app.jinja_env.globals["now"] = clock.now
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    from suppliers.labels import kind_label, status_label

    app.jinja_env.globals["supplier_kind_label"] = kind_label
    app.jinja_env.globals["supplier_status_label"] = status_label

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
