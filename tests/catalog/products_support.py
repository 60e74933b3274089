"""Helpers for the product, review and image tests (plain functions, no fixtures: the
``tests/catalog`` package is shared with other areas)."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date
from typing import Any

import sqlalchemy as sa
from PIL import Image as PILImage

from catalog import actions
from catalog.models import (
    Certification,
    CertificationKind,
    ListingReview,
    Product,
    ProductImage,
    Variant,
)
from suppliers.models import Supplier
from tests import factories
from yipin.accounts.models import User
from yipin.db import db
from yipin.outbox.models import OutboxEntry

VILLAGE = "360734100201"  # 寻乌县 长宁镇 三二五村
NANKANG = "360703001001"  # 南康区, outside 寻乌蜜桔's county
NANCHANG = "360102"  # 南昌市东湖区, outside Ganzhou


def supplier_with_owner(**kw: Any) -> tuple[Supplier, User]:
    supplier = factories.SupplierFactory(**kw)
    owner = factories.supplier_staff(supplier, owner=True)
    return supplier, owner


def product_draft(**kw: Any) -> actions.ProductDraft:
    values: dict[str, Any] = {
        "category_id": factories.category("fresh-fruit").id,
        "name": "赣南脐橙 寻乌果园直发",
        "origin_region_code": VILLAGE,
        "shelf_life_days": 30,
        "grade_standard_id": factories.standard().id,
        "subtitle": "现摘现发",
        "description": "赣南丘陵红壤，昼夜温差大。",
        "sale_months": [11, 12, 1],
        "presale_months": [10],
    }
    values.update(kw)
    return actions.ProductDraft(**values)


def variant_draft(**kw: Any) -> actions.VariantDraft:
    values: dict[str, Any] = {
        "sku": "XW-5KG-80",
        "spec": "5 kg 75–80 mm",
        "net_weight_g": 5000,
        "gross_weight_g": 5600,
        "price_fen": 6980,
        "grade_id": factories.grade("premium").id,
        "list_price_fen": 8800,
    }
    values.update(kw)
    return actions.VariantDraft(**values)


def draft_product(staff: User, with_variant: bool = True, **kw: Any) -> Product:
    product = actions.create_product(db.session, staff, staff.supplier_id, product_draft(**kw))
    if with_variant:
        actions.add_variant(db.session, staff, product.id, variant_draft(sku=f"SKU-{product.id}"))
    db.session.flush()
    return product


def listed_product(staff: User, operator: User, **kw: Any) -> Product:
    product = draft_product(staff, **kw)
    actions.submit_for_review(db.session, staff, product.id)
    actions.approve(db.session, operator, product.id)
    db.session.flush()
    return product


def food_licence(supplier: Supplier, **kw: Any) -> Certification:
    cert = Certification(
        supplier_id=supplier.id,
        kind=CertificationKind.FOOD_PRODUCTION_LICENCE,
        number=kw.pop("number", f"SC1133607{supplier.id:08d}"),
        issuer="赣州市市场监督管理局",
        valid_from=kw.pop("valid_from", date(2024, 1, 1)),
        valid_to=kw.pop("valid_to", date(2029, 12, 31)),
        **kw,
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def snapshot(product_id: int) -> dict[str, Any]:
    """Everything a failed request must leave untouched."""
    db.session.expire_all()
    product = db.session.get(Product, product_id)
    assert product is not None
    return {
        "product": {
            c.key: getattr(product, c.key) for c in sa.inspect(Product).columns if c.key != "x"
        },
        "variants": sorted(
            (v.id, v.sku, v.grade_id, v.price_fen, v.spec)
            for v in db.session.scalars(sa.select(Variant).where(Variant.product_id == product_id))
        ),
        "images": sorted(
            (pi.id, pi.position, pi.alt)
            for pi in db.session.scalars(
                sa.select(ProductImage).where(ProductImage.product_id == product_id)
            )
        ),
        "reviews": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ListingReview)
            .where(ListingReview.product_id == product_id)
        ),
    }


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def outbox_topics() -> list[str]:
    return list(db.session.scalars(sa.select(OutboxEntry.topic).order_by(OutboxEntry.id)))


# ----------------------------------------------------------------------------- image bytes


def png_bytes(width: int = 64, height: int = 48, color: str = "orange") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int = 800, height: int = 600, color: str = "orange") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def jpeg_with_gps(width: int = 1600, height: int = 1200) -> bytes:
    """A JPEG whose EXIF carries a camera and the GPS position of a farm in 寻乌县."""
    img = PILImage.new("RGB", (width, height), (232, 113, 10))
    exif = PILImage.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS 5D"  # Model
    exif[0x8825] = {  # GPSInfo
        1: "N",
        2: (24.0, 57.0, 12.5),
        3: "E",
        4: (115.0, 38.0, 44.1),
    }
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    data = out.getvalue()
    check = PILImage.open(io.BytesIO(data)).getexif()
    assert check.get_ifd(0x8825), "the test image must carry GPS"
    return data


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb):
    a real 1×1 PNG with the IHDR size patched and its CRC recomputed."""
    data = bytearray(png_bytes(1, 1))
    # signature (8) + IHDR length (4) + b"IHDR" (4) → width and height at 16..24, CRC at 29..33
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def gif_bytes() -> bytes:
    out = io.BytesIO()
    PILImage.new("P", (20, 20)).save(out, "GIF")
    return out.getvalue()


def bmp_bytes() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (20, 20), "red").save(out, "BMP")
    return out.getvalue()


def tiff_bytes() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (20, 20), "red").save(out, "TIFF")
    return out.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a picture")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT_BYTES = b"this is not an image, just text named photo.jpg\n"
