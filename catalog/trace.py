"""Public traceability pages: the QR target of each batch (no buyer data)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trace", __name__, url_prefix="/t", template_folder="templates")
