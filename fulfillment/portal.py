"""Supplier portal: warehouses and stock per variant per warehouse."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stock_portal", __name__, url_prefix="/supplier/stock", template_folder="templates")
