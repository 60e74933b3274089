"""Bureau pages (read-only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from yipin.accounts.models import Role
from yipin.accounts.permissions import role_required

bp = Blueprint("bureau", __name__, url_prefix="/bureau", template_folder="templates")


@bp.get("/")
@role_required(Role.BUREAU, Role.OPERATOR)
def home() -> Any:
    """The bureau's home: the platform in its region at a glance."""
    return render_template("bureau/home.html")
