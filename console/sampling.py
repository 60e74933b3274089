"""Operator console: market-supervision sampling (抽检) and recalls."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "console_sampling", __name__, url_prefix="/console/sampling", template_folder="templates"
)
