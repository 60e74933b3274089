"""Catalog jobs (outbox handlers)."""

from __future__ import annotations

from typing import Any

from yipin.outbox import handler


@handler("catalog.product_changed")
def product_changed(payload: dict[str, Any]) -> None:
    """Keep the search index in step with a product's listing and content."""
    from search import index

    index.sync_product(payload["product_id"])


@handler("suppliers.verification_changed")
def supplier_verification_changed(payload: dict[str, Any]) -> None:
    """A supplier's status changed: its listed products appear or disappear with its right to
    sell, so each gets a ``catalog.product_changed`` (search and caches follow)."""
    from catalog.actions.events import supplier_products_changed
    from yipin.db import db

    supplier_products_changed(db.session, payload["supplier_id"])


@handler("catalog.certifications_expiry")
def certifications_expiry(payload: dict[str, Any]) -> None:
    """Daily: tell holders about expired and soon-expiring certificates (idempotent)."""
    from datetime import date

    from catalog.trace.expiry import notify_expired_certifications
    from yipin import clock
    from yipin.db import db

    day = date.fromisoformat(payload["day"]) if payload.get("day") else clock.today_local()
    notify_expired_certifications(db.session, day)


@handler("catalog.import", heavy=True)
def run_import(payload: dict[str, Any]) -> None:
    """Run (or resume) a bulk import of products and stock (``catalog.importer``): the file
    is read here, never in the request that uploaded it."""
    from catalog import importer

    importer.run_job(payload["job_id"])
