"""Search jobs (outbox handlers)."""

from __future__ import annotations

from typing import Any

from yipin.outbox import handler


@handler("search.sync")
def push_product(payload: dict[str, Any]) -> None:
    """Push one product's document to Elasticsearch (waits, by retries, while it is down)."""
    from search import index

    index.push_product(payload["product_id"])
