"""Fixtures of the storefront tests: a small shop built with the factories, and a statement
counter for pinning the pages' SQL query counts."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image as PILImage

from catalog.models import Product, ProductImage, ProductStatus, Variant
from suppliers.models import Supplier
from tests import factories
from yipin import clock
from yipin.db import db
from yipin.media.images import store_upload
from yipin.media.models import ImagePurpose

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 2026-11-20 12:00 in Shanghai: November


@pytest.fixture
def november(app: Flask) -> Iterator[datetime]:
    """The clock stopped in November (navel oranges in season, camellia oil on pre-sale)."""
    clock.freeze(NOW)
    yield NOW
    clock.reset()


def png(colour: tuple[int, int, int] = (240, 140, 40)) -> io.BytesIO:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 64), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def picture(product: Product, position: int = 0) -> ProductImage:
    image = store_upload(
        db.session,
        png(),
        purpose=ImagePurpose.PRODUCT,
        supplier_id=product.supplier_id,
        uploaded_by_id=None,
    )
    row = ProductImage(product_id=product.id, image_id=image.id, position=position, alt="图")
    db.session.add(row)
    db.session.flush()
    return row


def orange(
    supplier: Supplier | None = None,
    *,
    name: str | None = None,
    branded: bool = True,
    status: ProductStatus = ProductStatus.LISTED,
    grades: tuple[tuple[str, str, int], ...] = (
        ("5 kg 70–75 mm", "first", 5490),
        ("5 kg 75–80 mm", "premium", 6990),
    ),
    with_picture: bool = True,
    **kw: Any,
) -> Product:
    """A navel-orange product (GB/T 21488-2008) with graded variants."""
    supplier = supplier or factories.SupplierFactory()
    if branded:
        kw["brand_id"] = factories.brand().id
    product = factories.ProductFactory(
        supplier=supplier,
        status=status,
        listed_at=clock.now() - timedelta(days=3),
        **({"name": name} if name else {}),
        **kw,
    )
    for index, (spec, grade, price) in enumerate(grades):
        factories.VariantFactory(
            product=product,
            spec=spec,
            grade_id=factories.grade(grade).id,
            price_fen=price,
            list_price_fen=price + 1000,
            sort_order=index,
        )
    if with_picture:
        picture(product)
    db.session.flush()
    db.session.expire(product, ["variants", "images"])
    return product


def authorised_supplier(**kw: Any) -> Supplier:
    supplier = factories.SupplierFactory(**kw)
    factories.authorise(supplier, "gannan-navel-orange")
    return supplier


@pytest.fixture
def shop(app: Flask, reference: None, november: datetime) -> dict[str, Any]:
    """A supplier authorised for 赣南脐橙 with a listed product (certificates, a batch with its
    合格证), plus what must never show: a pending product, an unverified supplier's product."""
    supplier = authorised_supplier(name="寻乌县晨光脐橙专业合作社", region_code="360734100201")
    product = orange(supplier, name="赣南脐橙 晨光果园 现摘现发", subtitle="寻乌丘陵红壤 树上熟")
    first, premium = sorted(product.variants, key=lambda v: v.sort_order)
    factories.CertificationFactory(
        supplier=supplier,
        product_id=product.id,
        number="GF360734241234",
        scope="赣南脐橙",
        valid_from=date(2025, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    factories.CertificationFactory(
        supplier=supplier,
        product_id=product.id,
        number="GF360734209999",
        scope="赣南脐橙",
        valid_from=date(2020, 1, 1),
        valid_to=date(2026, 8, 31),  # expired before November
    )
    batch = factories.BatchFactory(
        variant=premium,
        code="GNTEST000001",
        base_name="晨光镇脐橙基地 3 号地块",
        base_region_code="360734100201",
        harvest_date=date(2026, 11, 12),
        certificate_number="HG-20261112-GNTEST000001",
        certificate_issued_on=date(2026, 11, 12),
        committing_party="寻乌县晨光脐橙专业合作社",
        contact_phone="13907971234",
        quantity=800,
    )
    pending = orange(supplier, name="赣南脐橙 待审核的礼盒", status=ProductStatus.PENDING_REVIEW)
    unverified = factories.SupplierFactory(name="未认证的合作社", status="pending")
    factories.authorise(unverified, "gannan-navel-orange")
    hidden = orange(unverified, name="赣南脐橙 未认证供应商的果")
    db.session.commit()
    return {
        "supplier": supplier,
        "product": product,
        "first": first,
        "premium": premium,
        "batch": batch,
        "pending": pending,
        "hidden": hidden,
    }


def variants_of(product: Product) -> list[Variant]:
    return list(
        db.session.scalars(
            sa.select(Variant).where(Variant.product_id == product.id).order_by(Variant.sort_order)
        )
    )
