"""Consumer pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

bp = Blueprint("storefront", __name__, template_folder="templates")


@bp.get("/")
def home() -> Any:
    """Consumer home: regional brands and what is in season."""
    return render_template("storefront/home.html")
