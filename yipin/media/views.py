"""Serves stored images: product, brand and certificate pictures to everyone; licences only to
their supplier's staff and to operators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, send_file
from flask_login import current_user

from yipin.accounts.permissions import can_read
from yipin.db import db
from yipin.media import images
from yipin.media.models import Image

bp = Blueprint("media", __name__, url_prefix="/media")


def _may_see_private(img: Image) -> bool:
    """Licences are identity documents: only their supplier's staff and operators see them."""
    if not current_user.is_authenticated:
        return False
    if current_user.is_operator:
        return True
    return current_user.is_supplier_staff and can_read(current_user, img)


@bp.get("/images/<int:image_id>/<rendition>")
def image(image_id: int, rendition: str) -> Any:
    img = db.session.get(Image, image_id)
    if img is None:
        abort(404)
    if not images.is_public(img) and not _may_see_private(img):
        abort(404)
    path = images.file_path(img, rendition)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, max_age=86400 * 30 if images.is_public(img) else 0)
    if not images.is_public(img):
        response.headers["Cache-Control"] = "private, no-store"
    return response
