"""Keeps the search engine in step with the catalog (Elasticsearch when configured)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from search import engine
from yipin.db import db

MAPPINGS: dict[str, Any] = {
    "properties": {
        "name": {"type": "text", "analyzer": "standard"},
        "subtitle": {"type": "text", "analyzer": "standard"},
        "supplier": {"type": "text", "analyzer": "standard"},
        "brand": {"type": "keyword"},
        "category": {"type": "keyword"},
        "county": {"type": "keyword"},
        "min_price_fen": {"type": "long"},
        "listed_at": {"type": "date"},
    }
}


def index_name() -> str:
    return f"{current_app.config['ELASTICSEARCH_INDEX_PREFIX']}-products"


def ensure_index() -> None:
    es = engine.client()
    if not es.indices.exists(index=index_name()):
        es.indices.create(index=index_name(), mappings=MAPPINGS)


def document(product: Any) -> dict[str, Any]:
    prices = [v.price_fen for v in product.variants if v.is_active]
    return {
        "name": product.name,
        "subtitle": product.subtitle,
        "supplier": product.supplier.name,
        "brand": product.brand.slug if product.brand else None,
        "category": product.category.slug,
        "county": product.origin_region_code[:6],
        "min_price_fen": min(prices) if prices else None,
        "listed_at": product.listed_at.isoformat() if product.listed_at else None,
    }


def sync_product(product_id: int) -> None:
    """Index a listed product of a supplier that may sell; remove anything else.

    A no-op on the SQL fallback engine (it queries the catalog tables directly)."""
    if not engine.uses_elasticsearch():
        return
    from catalog.models import Product

    product = db.session.get(Product, product_id)
    es = engine.client()
    ensure_index()
    if product is None or not product.is_listed or not product.supplier.can_sell:
        es.options(ignore_status=404).delete(index=index_name(), id=str(product_id))
        return
    es.index(index=index_name(), id=str(product_id), document=document(product))
