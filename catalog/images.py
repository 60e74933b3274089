"""Image uploads: validate before decoding, strip EXIF, keep the original and WebP renditions.

Only JPEG, PNG and WebP are accepted (Pillow opens with an explicit format list). The byte size
is checked before anything is parsed and the pixel count from the header before any pixel is
decoded, so a decompression bomb or an oversized file is refused cheaply. The stored original is
re-encoded without metadata: a farm's GPS position in EXIF must not leak.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from typing import IO, Any

from flask import current_app
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from catalog.models import Image, ImagePurpose
from yipin.errors import DomainError
from yipin.i18n import _l

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITIONS = {"thumb": 240, "medium": 720, "large": 1440}  # longest side, never upscaled
PUBLIC_PURPOSES = {ImagePurpose.PRODUCT, ImagePurpose.BRAND, ImagePurpose.CERTIFICATE}


class InvalidImage(DomainError):
    status = 422
    code = "invalid_image"
    message = _l("The file is not a JPEG, PNG or WebP image.")


class ImageTooLarge(InvalidImage):
    status = 413
    code = "image_too_large"
    message = _l("The image is larger than %(limit_mb)s MB.")


class TooManyPixels(InvalidImage):
    code = "image_too_many_pixels"
    message = _l("The image has more than %(limit_mp)s million pixels.")


def media_root() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def _read_capped(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImageTooLarge(limit_mb=limit // (1024 * 1024), field="image")
    return data


def inspect(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header, without decoding pixels; refuses the rest."""
    max_pixels = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        with PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as img:
            fmt, (width, height) = img.format, img.size
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, ValueError):
        raise InvalidImage(field="image") from None
    if fmt not in ACCEPTED_FORMATS:
        raise InvalidImage(field="image")
    if width * height > max_pixels or width <= 0 or height <= 0:
        raise TooManyPixels(limit_mp=max_pixels // 1_000_000, field="image")
    return fmt, width, height


def _decode(data: bytes, fmt: str) -> PILImage.Image:
    try:
        with PILImage.open(io.BytesIO(data), formats=(fmt,)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the picture upright, drop the tag
            return img.copy()
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, ValueError):
        raise InvalidImage(field="image") from None


def _clean_original(img: PILImage.Image, fmt: str) -> bytes:
    """Re-encode without EXIF, XMP, ICC text or PNG text chunks."""
    out = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(out, "JPEG", quality=92, optimize=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        img.save(out, "WEBP", quality=90)
    return out.getvalue()


def store_upload(
    session: Session,
    stream: IO[bytes],
    *,
    purpose: ImagePurpose,
    supplier_id: int | None,
    uploaded_by_id: int | None,
) -> Image:
    """Validate and store an upload; returns the flushed ``Image`` row."""
    data = _read_capped(stream, current_app.config["IMAGE_MAX_BYTES"])
    fmt, _, _ = inspect(data)
    img = _decode(data, fmt)
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")

    key = uuid.uuid4().hex
    folder = media_root() / key[:2] / key
    folder.mkdir(parents=True, exist_ok=True)
    original = _clean_original(img, fmt)
    (folder / f"original.{EXTENSIONS[fmt]}").write_bytes(original)

    renditions: dict[str, Any] = {}
    for name, side in RENDITIONS.items():
        copy = img.copy()
        copy.thumbnail((side, side), PILImage.Resampling.LANCZOS)
        copy.save(folder / f"{name}.webp", "WEBP", quality=82, method=4)
        renditions[name] = {"file": f"{name}.webp", "width": copy.width, "height": copy.height}
    renditions["original"] = {
        "file": f"original.{EXTENSIONS[fmt]}",
        "width": img.width,
        "height": img.height,
    }

    row = Image(
        supplier_id=supplier_id,
        purpose=purpose,
        storage_key=f"{key[:2]}/{key}",
        original_format=fmt,
        width=img.width,
        height=img.height,
        byte_size=len(original),
        sha256=hashlib.sha256(original).hexdigest(),
        renditions=renditions,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(row)
    session.flush()
    return row


def file_path(image: Image, rendition: str) -> Path | None:
    """Where a rendition of an image is stored, or None if it has no such rendition."""
    info = image.renditions.get(rendition)
    if not info:
        return None
    return media_root() / image.storage_key / info["file"]


def is_public(image: Image) -> bool:
    return image.purpose in PUBLIC_PURPOSES


def url(image: Image | None, rendition: str = "medium") -> str | None:
    """The URL of a rendition (served by ``catalog.media``)."""
    if image is None:
        return None
    from flask import url_for

    return url_for("media.image", image_id=image.id, rendition=rendition)
