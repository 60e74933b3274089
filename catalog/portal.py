"""Supplier portal: products, variants, images and their review status."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "catalog_portal", __name__, url_prefix="/supplier/catalog", template_folder="templates"
)
