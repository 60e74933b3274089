"""Photos of 坏果包赔 claims: validated and stored by the platform's image upload (the same
checks as product pictures: JPEG / PNG / WebP, size and pixel limits, EXIF stripped), kept
private — only the buyer, the supplier's staff and operators see them (``orders.views``)."""

from __future__ import annotations

import io
from typing import IO, Any

from sqlalchemy.orm import Session

from orders.after_sales import MAX_PHOTOS
from orders.errors import AfterSalesInvalid
from orders.models import SubOrder
from yipin.accounts.models import User
from yipin.i18n import _l
from yipin.media.images import store_upload
from yipin.media.models import ImagePurpose


def store_claim_photos(
    session: Session, user: User, sub: SubOrder, files: list[IO[bytes] | Any]
) -> list[int]:
    files = [f for f in files if f is not None and getattr(f, "filename", "x")]
    if not 1 <= len(files) <= MAX_PHOTOS:
        raise AfterSalesInvalid(
            _l("Add 1 to %(n)s photos of the bad fruit.", n=MAX_PHOTOS), field="photos"
        )
    ids = []
    for upload in files:
        if isinstance(upload, str | bytes):  # a form field, not a file: its text is the "file"
            upload = io.BytesIO(upload.encode() if isinstance(upload, str) else upload)
        stream = getattr(upload, "stream", upload)
        image = store_upload(
            session,
            stream,
            purpose=ImagePurpose.CLAIM,
            supplier_id=sub.supplier_id,
            uploaded_by_id=user.id,
        )
        ids.append(image.id)
    return ids
