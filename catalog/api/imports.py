"""Bulk import JSON API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("imports_api", __name__, description="Bulk import of products and stock")
