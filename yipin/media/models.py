"""An uploaded image: its stored files, what it is for and who owns it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from yipin import clock
from yipin.db import Base, enum_column


class ImagePurpose(StrEnum):
    PRODUCT = "product"
    LICENCE = "licence"  # 营业执照 / 食品生产许可证: private to the supplier and operators
    CERTIFICATE = "certificate"
    BRAND = "brand"
    CLAIM = "claim"  # a buyer's photo of a complaint (坏果包赔): private like a licence


class Image(Base):
    """A validated upload: the original (EXIF stripped) and its WebP renditions."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the supplier whose staff uploaded it (the table is the suppliers domain's)
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    purpose: Mapped[ImagePurpose] = enum_column(ImagePurpose)
    storage_key: Mapped[str] = mapped_column(sa.String(120), unique=True)  # "ab/abcdef…"
    original_format: Mapped[str] = mapped_column(sa.String(10))  # JPEG, PNG, WEBP
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    renditions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> {w, h, file}
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def owner_supplier_id(self) -> int | None:
        return self.supplier_id
