"""The composition root: the one place that lists the domains and builds the app from them.

    gunicorn "wsgi:app"           the web server
    flask --app wsgi COMMAND      the CLI (setup, seed demo, outbox run, jobs worker, …)
    rq worker -c wsgi …           a plain RQ worker: its jobs run in an app built here

To add a domain: give its package a ``domain.py`` that builds one ``yipin.platform.Domain``
(blueprints, API, models, tasks, commands, seeds, health checks, …), import it below and put
it in ``DOMAINS`` after the domains it builds on. Nothing else lists domains.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from bureau.domain import domain as bureau
from catalog.domain import domain as catalog
from console.domain import domain as console
from fulfillment.domain import domain as fulfillment
from orders.domain import domain as orders
from reports.domain import domain as reports
from search.domain import domain as search
from storefront.domain import domain as storefront
from suppliers.domain import domain as suppliers
from yipin import build_app, jobs

# Dependency order: seeds run in it, and each domain's pages and commands register in it.
DOMAINS = (suppliers, catalog, fulfillment, orders, search, reports, storefront, console, bureau)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application: the core and every domain (``test_config`` overrides the settings)."""
    return build_app(DOMAINS, test_config)


jobs.build_apps_with(create_app)  # a job that runs outside an app context builds one here


def __getattr__(name: str) -> Any:
    """``wsgi:app`` is built on first use, so that importing this module builds nothing."""
    if name == "app":
        app = globals()["app"] = create_app()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
