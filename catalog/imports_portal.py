"""Supplier portal: bulk import of products and stock (CSV / XLSX) with progress."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "imports_portal", __name__, url_prefix="/supplier/imports", template_folder="templates"
)
