"""Catalog jobs (outbox handlers)."""

from __future__ import annotations

from typing import Any

from yipin.outbox import handler


@handler("catalog.product_changed")
def product_changed(payload: dict[str, Any]) -> None:
    """Keep the search index in step with a product's listing and content."""
    from search import index

    index.sync_product(payload["product_id"])
