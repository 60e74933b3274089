"""The supplier portal (供应商工作台)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from yipin.accounts.models import Role
from yipin.accounts.permissions import role_required

bp = Blueprint("suppliers_portal", __name__, url_prefix="/supplier", template_folder="templates")


@bp.get("/")
@role_required(Role.SUPPLIER)
def home() -> Any:
    """The supplier's home: status, products and what needs attention."""
    return render_template("suppliers/home.html")


@bp.route("/apply", methods=["GET", "POST"])
def apply() -> Any:
    """Registration of a new supplier by its owner."""
    return render_template("suppliers/apply.html")
