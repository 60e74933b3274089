"""Helpers for the suppliers tests: real small images, a valid application, a query counter."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image as PILImage

from tests import factories
from yipin.db import db

VILLAGE = "360734100201"  # 江西省赣州市寻乌县长宁镇三二五村委会


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 40)) -> bytes:
    """A real small image made with Pillow."""
    out = io.BytesIO()
    PILImage.new("RGB", size, (232, 113, 10)).save(out, fmt)
    return out.getvalue()


def upload(fmt: str = "PNG", name: str | None = None) -> tuple[io.BytesIO, str]:
    ext = {"PNG": "png", "JPEG": "jpg"}[fmt]
    return io.BytesIO(image_bytes(fmt)), name or f"licence.{ext}"


def category_id(slug: str) -> int:
    return factories.category(slug).id


def application(**overrides: Any) -> dict[str, Any]:
    """Form fields of a valid application (fresh fruit: no food licence needed)."""
    data: dict[str, Any] = {
        "display_name": "刘建华",
        "login": "13907970001",
        "password": "Gannan2026",
        "name": "寻乌县晨光脐橙专业合作社",
        "kind": "cooperative",
        "uscc": factories.make_uscc("360734", "93"),
        "legal_representative": "刘建华",
        "contact_name": "刘建华",
        "contact_phone": "13907970001",
        "contact_email": "chenguang@example.com",
        "region_code": VILLAGE,
        "address_detail": "三二五村 6 组",
        "registered_on": "2015-06-01",
        "introduction": "寻乌县脐橙基地 320 亩。",
        "main_category_ids": [str(category_id("fresh-fruit"))],
        "licence_image": upload("PNG"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def food_licence(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "food_licence_number": "SC10336073400012",
        "food_licence_issuer": "寻乌县市场监督管理局",
        "food_licence_valid_from": "2024-03-01",
        "food_licence_valid_to": "2029-02-28",
        "food_licence_image": upload("JPEG", "sc.jpg"),
    }
    data.update(overrides)
    return data


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def pending_supplier(reference: None) -> Any:
    """A pending supplier with its owner (as if it had just applied)."""
    from suppliers.models import SupplierStatus, SupplierStatusChange

    supplier = factories.SupplierFactory(status=SupplierStatus.PENDING, verified_at=None)
    owner = factories.supplier_staff(supplier, owner=True, display_name="刘建华")
    db.session.add(
        SupplierStatusChange(
            supplier_id=supplier.id,
            from_status=None,
            to_status=SupplierStatus.PENDING,
            actor_id=owner.id,
        )
    )
    db.session.flush()
    return supplier


def today() -> date:
    from yipin import clock

    return clock.today_local()


# ----------------------------------------------------------------------------- browser


@pytest.fixture
def browse(page: Any) -> Any:
    """``browse(fn)`` runs ``fn(page)`` with the suite's phone-sized Chromium page."""
    return lambda fn: fn(page)
