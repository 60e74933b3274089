"""Batches, inspections, certifications and sampling JSON API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "trace_api", __name__, description="Batches, 合格证, inspections, certifications, sampling"
)
