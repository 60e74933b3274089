"""Operator console: the listing review queue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "console_listings", __name__, url_prefix="/console/listings", template_folder="templates"
)
