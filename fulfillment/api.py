"""Warehouses and stock JSON API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("stock_api", __name__, description="Warehouses and stock")
