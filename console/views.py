"""Operator console pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from yipin.accounts.models import Role
from yipin.accounts.permissions import role_required

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")


@bp.get("/")
@role_required(Role.OPERATOR)
def home() -> Any:
    """The operator's home: what waits for a decision."""
    return render_template("console/home.html")
