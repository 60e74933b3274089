"""Reference data JSON API: categories, grade standards, regional brands."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "reference_api", __name__, description="Categories, grade standards and regional brands"
)
