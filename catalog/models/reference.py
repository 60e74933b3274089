"""Reference data of the catalog: regional brands, categories, grade standards and grades."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin.db import Base, TimestampMixin, enum_column
from yipin.i18n import _l
from yipin.labels import Labels


class StorageClass(StrEnum):
    AMBIENT = "ambient"  # 常温
    CHILLED = "chilled"  # 冷藏 (0–10 °C)
    FROZEN = "frozen"  # 冷冻 (≤ −18 °C)


STORAGE_CLASS_LABELS = Labels(
    StorageClass,
    {
        StorageClass.AMBIENT: _l("Ambient"),
        StorageClass.CHILLED: _l("Chilled"),
        StorageClass.FROZEN: _l("Frozen"),
    },
)
# How to keep it, in a consumer's words (the product page; form hints).
STORAGE_CLASS_HINTS = Labels(
    StorageClass,
    {
        StorageClass.AMBIENT: _l("Keep in a cool, dry place"),
        StorageClass.CHILLED: _l("Keep at 0–10 °C; shipped by cold chain"),
        StorageClass.FROZEN: _l("Keep at −18 °C or below; shipped frozen"),
    },
)


class RegionalBrand(TimestampMixin, Base):
    """A regional public brand (区域公用品牌) such as 赣南脐橙."""

    __tablename__ = "regional_brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    steward: Mapped[str] = mapped_column(sa.String(120), default="")  # 品牌管理单位
    gi_number: Mapped[str | None] = mapped_column(sa.String(40))  # 地理标志登记号 if any
    description: Mapped[str] = mapped_column(sa.Text, default="")
    season_months: Mapped[list[Any]] = mapped_column(default=list)  # when it is in season
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def covers_region(self, region_code: str) -> bool:
        """Produce from this region may carry the brand (the brand's region contains it)."""
        return region_code.startswith(self.region_code)

    def __repr__(self) -> str:
        return f"<RegionalBrand {self.slug}>"


class Category(Base):
    """A product category (fresh fruit, grain and oil, tea, processed food …)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    requires_food_licence: Mapped[bool] = mapped_column(default=False)  # 食品生产许可 (SC)
    default_storage_class: Mapped[StorageClass] = enum_column(
        StorageClass, default=StorageClass.AMBIENT
    )
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class GradeStandard(Base):
    """A grading standard (e.g. GB/T 21488-2008 脐橙) and the grades it defines."""

    __tablename__ = "grade_standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # "GB/T 21488-2008"
    title: Mapped[str] = mapped_column(sa.String(80))  # "脐橙"
    title_en: Mapped[str] = mapped_column(sa.String(120), default="")
    source: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    grades: Mapped[list[Grade]] = relationship(
        back_populates="standard", order_by="Grade.rank", cascade="all, delete-orphan"
    )


class Grade(Base):
    """One grade of a standard with its criteria, e.g. 特等: 可溶性固形物 ≥ 11.0 %."""

    __tablename__ = "grades"
    __table_args__ = (sa.UniqueConstraint("standard_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grade_standards.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(40))  # stable key, e.g. "premium", "xian-1"
    name: Mapped[str] = mapped_column(sa.String(40))  # 特等, 籼米一级 …
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    rank: Mapped[int] = mapped_column(default=0)  # 0 = best
    criteria: Mapped[list[Any]] = mapped_column(default=list)  # [{"criterion", "value"}]
    sellable: Mapped[bool] = mapped_column(default=True)  # 等外 is not sold

    standard: Mapped[GradeStandard] = relationship(back_populates="grades")

    def __repr__(self) -> str:
        return f"<Grade {self.code} {self.name}>"
