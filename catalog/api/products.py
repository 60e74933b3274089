"""Products and variants JSON API (supplier-owned; listing review)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "products_api", __name__, description="Products (SPU), variants (SKU), images, listing review"
)
