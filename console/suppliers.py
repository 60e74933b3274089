"""Operator console: supplier verification queue and brand authorisations."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "console_suppliers", __name__, url_prefix="/console/suppliers", template_folder="templates"
)
