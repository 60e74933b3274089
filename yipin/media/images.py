"""Image uploads: validate before decoding, strip EXIF, keep the original and WebP renditions.

Only JPEG, PNG and WebP are accepted (Pillow opens with an explicit format list). The byte size
is checked before anything is parsed and the pixel count from the header before any pixel is
decoded, so a decompression bomb or an oversized file is refused cheaply. The stored original is
re-encoded without metadata: a farm's GPS position in EXIF must not leak.

Decoding has a budget that matches real photos, decided from the header before any pixel is
read. A JPEG (what cameras and phones write) is decoded at the smallest of its built-in scales
(1/2, 1/4, 1/8) that still gives ``IMAGE_KEEP_SIDE`` pixels on its long side, so a 50-megapixel
phone photo costs what a 12-megapixel one does. Whatever the format, one image may decode at
most ``IMAGE_MAX_DECODE_PIXELS`` and one request at most ``IMAGE_DECODE_BUDGET_PIXELS`` over all
its images; past that the upload is refused (a 6300 × 6300 PNG of 115 KB is a bomb, not a
photo). The stored original is at most ``IMAGE_KEEP_SIDE`` on its long side.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from flask import current_app, g, has_request_context
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from yipin.errors import DomainError
from yipin.i18n import _l
from yipin.media.models import Image, ImagePurpose

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# longest side, never upscaled; "small" is a phone's two-column card (about 190 CSS px at a
# device pixel ratio of 1.75–2). Images stored before a rendition existed get it from
# ``flask media renditions`` (``add_missing_renditions``).
RENDITIONS = {"thumb": 240, "small": 360, "medium": 720, "large": 1440}
# WebP quality per rendition: the card sizes, seen small and many to a page (24 on a phone's
# home page), take 70 (a third fewer bytes, no visible loss at their size); the pictures seen
# large keep 82
WEBP_QUALITY = {"thumb": 70, "small": 70, "medium": 82, "large": 82}
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


class DecodeBudgetSpent(InvalidImage):
    code = "image_budget_spent"
    message = _l(
        "Together the pictures of one upload may have at most %(limit_mp)s million pixels."
        " Send fewer at a time."
    )


def media_root() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def _read_capped(stream: IO[bytes] | None, limit: int) -> bytes:
    """At most ``limit`` bytes; one byte more means the file is too large (nothing parsed)."""
    if stream is None:
        raise InvalidImage(field="image")
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImageTooLarge(limit_mb=limit // (1024 * 1024), field="image")
    if not data:
        raise InvalidImage(field="image")
    return data


def _too_many_pixels() -> TooManyPixels:
    return TooManyPixels(
        limit_mp=current_app.config["IMAGE_MAX_PIXELS"] // 1_000_000, field="image"
    )


def inspect(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header, without decoding pixels; refuses the rest.

    ``Image.open`` reads only the header. Pillow's own bomb guard may already raise there for
    absurd sizes; either way the answer is "too many pixels", and no pixel is decoded.
    """
    max_pixels = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as img:
                fmt, (width, height) = img.format, img.size
    except PILImage.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise InvalidImage(field="image") from None
    if fmt not in ACCEPTED_FORMATS:
        raise InvalidImage(field="image")
    if width <= 0 or height <= 0:
        raise InvalidImage(field="image")
    if width * height > max_pixels:
        raise _too_many_pixels()
    return fmt, width, height


JPEG_SCALES = (8, 4, 2, 1)


def decode_size(fmt: str, width: int, height: int) -> tuple[int, int]:
    """The size an image will be decoded at: a JPEG at its smallest built-in scale that keeps
    ``IMAGE_KEEP_SIDE`` on the long side, anything else at full size."""
    if fmt != "JPEG":
        return width, height
    keep = int(current_app.config["IMAGE_KEEP_SIDE"])
    for scale in JPEG_SCALES:
        if max(width, height) // scale >= keep or scale == 1:
            return -(-width // scale), -(-height // scale)
    return width, height  # pragma: no cover


def charge_decode(pixels: int) -> None:
    """Spend ``pixels`` of this image's and this request's decode budget, or refuse."""
    config = current_app.config
    if pixels > config["IMAGE_MAX_DECODE_PIXELS"]:
        raise TooManyPixels(limit_mp=config["IMAGE_MAX_DECODE_PIXELS"] // 1_000_000, field="image")
    if not has_request_context():
        return  # seeds and commands have no budget
    spent = g.get("image_pixels_decoded", 0) + pixels
    if spent > config["IMAGE_DECODE_BUDGET_PIXELS"]:
        raise DecodeBudgetSpent(
            limit_mp=config["IMAGE_DECODE_BUDGET_PIXELS"] // 1_000_000, field="image"
        )
    g.image_pixels_decoded = spent


def _decode(data: bytes, fmt: str, size: tuple[int, int] | None = None) -> PILImage.Image:
    """Decode (after ``inspect`` passed and the budget was charged) at ``size`` (a JPEG's
    built-in scale), upright, in a mode WebP can hold, metadata dropped."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data), formats=(fmt,)) as opened:
                if fmt == "JPEG" and size and size != opened.size:
                    opened.draft(opened.mode, size)
                opened.load()
                icc = opened.info.get("icc_profile")
                img = ImageOps.exif_transpose(opened)  # keep the picture upright
                img = img.copy()
        if img.mode not in ("RGB", "RGBA", "L", "LA"):
            has_alpha = "A" in img.getbands() or "transparency" in img.info
            img = img.convert("RGBA" if has_alpha else "RGB")
    except PILImage.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise InvalidImage(field="image") from None
    # Nothing of the upload's metadata travels on: no EXIF (GPS!), XMP, comments or text chunks.
    img.info = {"icc_profile": icc} if icc else {}
    return img


def _clean_original(img: PILImage.Image, fmt: str) -> bytes:
    """Re-encode without EXIF, XMP, comments or PNG text chunks (the ICC profile stays)."""
    out = io.BytesIO()
    extra: dict[str, Any] = {}
    if img.info.get("icc_profile"):
        extra["icc_profile"] = img.info["icc_profile"]
    if fmt == "JPEG":
        img.convert("RGB").save(out, "JPEG", quality=92, optimize=True, **extra)
    elif fmt == "PNG":
        img.save(out, "PNG", compress_level=6, **extra)
    else:
        img.save(out, "WEBP", quality=90, **extra)
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
    fmt, width, height = inspect(data)
    size = decode_size(fmt, width, height)
    charge_decode(size[0] * size[1])
    img = _decode(data, fmt, size)
    keep = int(current_app.config["IMAGE_KEEP_SIDE"])
    if max(img.size) > keep:
        img.thumbnail((keep, keep), PILImage.Resampling.LANCZOS)

    key = uuid.uuid4().hex
    folder = media_root() / key[:2] / key
    folder.mkdir(parents=True, exist_ok=True)
    try:
        original = _clean_original(img, fmt)
        (folder / f"original.{EXTENSIONS[fmt]}").write_bytes(original)
        renditions: dict[str, Any] = _write_renditions(img, folder, RENDITIONS)
    except (OSError, ValueError):
        shutil.rmtree(folder, ignore_errors=True)
        raise InvalidImage(field="image") from None
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


def _write_renditions(
    img: PILImage.Image, folder: Path, wanted: dict[str, int]
) -> dict[str, dict[str, Any]]:
    """Write the ``wanted`` WebP renditions of ``img`` into ``folder``; their entries."""
    renditions: dict[str, dict[str, Any]] = {}
    source = img
    for name, side in sorted(wanted.items(), key=lambda item: -item[1]):
        copy = source.copy()  # each from the one above it: less to resample
        copy.thumbnail((side, side), PILImage.Resampling.LANCZOS)
        source = copy
        if copy.mode not in ("RGB", "RGBA"):
            copy = copy.convert("RGBA" if "A" in copy.getbands() else "RGB")
        copy.save(folder / f"{name}.webp", "WEBP", quality=WEBP_QUALITY.get(name, 82), method=6)
        renditions[name] = {"file": f"{name}.webp", "width": copy.width, "height": copy.height}
    return renditions


def missing_renditions(image: Image) -> dict[str, int]:
    """The renditions of ``RENDITIONS`` an image has none of (stored before they existed)."""
    return {name: side for name, side in RENDITIONS.items() if name not in image.renditions}


def add_missing_renditions(image: Image) -> list[str]:
    """Write the renditions an image lacks, from its stored original; the names added.

    The original was validated and cleaned when it was uploaded, so it is decoded as is. The
    caller flushes (the row's ``renditions`` is reassigned, so the change is tracked)."""
    wanted = missing_renditions(image)
    if not wanted:
        return []
    folder = media_root() / image.storage_key
    if "original" not in image.renditions:
        raise FileNotFoundError(f"image {image.id} has no stored original")
    original = folder / image.renditions["original"]["file"]
    with PILImage.open(original) as opened:
        opened.load()
        img = ImageOps.exif_transpose(opened).copy()
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    added = _write_renditions(img, folder, wanted)
    image.renditions = {**image.renditions, **added}
    return sorted(added)


def srcset(image: Any, url_of: Callable[[Any, str], str | None] | None = None) -> str:
    """``srcset`` of an image's WebP renditions, narrowest first ("<url> 240w, …"); a width
    is listed once (a small original gives medium and large of the same size). ``url_of``:
    what makes a rendition's URL (``url`` unless a page has a cheaper way to the same URL)."""
    url_of = url_of or url
    widths: dict[int, str] = {}
    for name in sorted(RENDITIONS, key=RENDITIONS.__getitem__):
        info = image.renditions.get(name)
        if info and info["width"] not in widths:
            widths[info["width"]] = name
    return ", ".join(f"{url_of(image, name)} {width}w" for width, name in widths.items())


def remove_files(storage_key: str) -> None:
    """Delete an image's stored files (call after the commit that dropped its row)."""
    root = media_root().resolve()
    folder = (root / storage_key).resolve()
    if folder.parent.parent == root and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def file_path(image: Image, rendition: str) -> Path | None:
    """Where a rendition of an image is stored, or None if it has no such rendition."""
    info = image.renditions.get(rendition)
    if not info:
        return None
    return media_root() / image.storage_key / info["file"]


def is_public(image: Image) -> bool:
    return image.purpose in PUBLIC_PURPOSES


def url(image: Any, rendition: str = "medium") -> str | None:
    """The URL of a rendition (served by ``yipin.media.views``)."""
    if image is None:
        return None
    from flask import url_for

    return url_for("media.image", image_id=image.id, rendition=rendition)
