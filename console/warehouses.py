"""Operator console: platform warehouses (统仓共配) and stock overview."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "console_warehouses", __name__, url_prefix="/console/warehouses", template_folder="templates"
)
