"""Supplier portal: batches with 承诺达标合格证, inspections and certifications."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trace_portal", __name__, url_prefix="/supplier/trace", template_folder="templates")
