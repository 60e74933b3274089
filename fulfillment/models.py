"""Stock places: warehouses of every kind and the stock of each variant in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.reference import StorageClass
from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column
from yipin.regions.models import Region

if TYPE_CHECKING:
    from catalog.models import Variant
    from suppliers.models import Supplier


class WarehouseKind(StrEnum):
    ORIGIN = "origin"  # 产地仓
    COUNTY_HUB = "county_hub"  # 县级物流配送中心
    TOWNSHIP_POINT = "township_point"  # 乡镇网点
    VILLAGE_STATION = "village_station"  # 村级服务站
    FORWARD = "forward"  # 前置仓


COLD_ORDER = {StorageClass.AMBIENT: 0, StorageClass.CHILLED: 1, StorageClass.FROZEN: 2}


class Warehouse(TimestampMixin, Base):
    """A place that holds stock, run by one supplier or by the platform (统仓共配)."""

    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[WarehouseKind] = enum_column(WarehouseKind)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    address_detail: Mapped[str] = mapped_column(sa.String(200), default="")
    cold_capability: Mapped[StorageClass] = enum_column(
        StorageClass, default=StorageClass.AMBIENT
    )  # the coldest class it can keep
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(60), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # routing (issue 9): how many parcels a day it can send, the local time after which a
    # parcel leaves the next day, who runs the site, where it is, and whether it is a county
    # centre that consolidates several suppliers' parcels (统仓共配)
    daily_capacity: Mapped[int | None]  # parcels per day; None: no limit
    cutoff_time: Mapped[str] = mapped_column(sa.String(5), default="16:00")  # HH:MM local
    operator_name: Mapped[str] = mapped_column(sa.String(120), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    consolidates: Mapped[bool] = mapped_column(default=False)

    region: Mapped[Region] = relationship(lazy="joined")
    supplier: Mapped[Supplier | None] = relationship()

    @property
    def is_platform_run(self) -> bool:
        """Run by the platform and shared by suppliers (统仓共配)."""
        return self.supplier_id is None

    @property
    def owner_supplier_id(self) -> int | None:
        return self.supplier_id

    def can_keep(self, storage: StorageClass) -> bool:
        return COLD_ORDER[self.cold_capability] >= COLD_ORDER[storage]

    def __repr__(self) -> str:
        return f"<Warehouse {self.code} {self.kind}>"


class Stock(Base):
    """Units of one variant in one warehouse. Never negative; reserved ≤ on hand."""

    __tablename__ = "stock"
    __table_args__ = (
        sa.UniqueConstraint("warehouse_id", "variant_id"),
        sa.CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"), index=True)
    variant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    warehouse: Mapped[Warehouse] = relationship(lazy="joined")
    variant: Mapped[Variant] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id


class StockMovementKind(StrEnum):
    SET = "set"  # 盘点: the on-hand count was set
    ADJUST = "adjust"  # 调整: + / − with a reason (received, damaged, returned …)
    IMPORT = "import"  # set by a bulk import
    SHIP = "ship"  # 出库: units left the warehouse in an order's parcel


class StockMovement(Base):
    """One change of a stock row's on-hand count: who, when, by how much and why (库存流水)."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    stock_id: Mapped[int] = mapped_column(sa.ForeignKey("stock.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    kind: Mapped[StockMovementKind] = enum_column(StockMovementKind)
    delta: Mapped[int]
    on_hand_after: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    stock: Mapped[Stock] = relationship()

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id


class PickupPointKind(StrEnum):
    VILLAGE_STATION = "village_station"  # 村级服务站 (快递进村)
    TOWNSHIP_POINT = "township_point"  # 乡镇驿站 / 网点
    LOCKER = "locker"  # 智能快递柜


class PickupPoint(TimestampMixin, Base):
    """A place where a consumer collects parcels instead of home delivery (自提点).

    It serves the region ``serves_region_code`` and everything under it (a village station its
    village, a township point its township); ``cold_capability`` is the coldest class it can hold
    until collection (a plain locker: ambient only).
    """

    __tablename__ = "pickup_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[PickupPointKind] = enum_column(PickupPointKind)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    serves_region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    address_detail: Mapped[str] = mapped_column(sa.String(200), default="")
    opening_hours: Mapped[str] = mapped_column(sa.String(60), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    cold_capability: Mapped[StorageClass] = enum_column(StorageClass, default=StorageClass.AMBIENT)
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    is_active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(lazy="joined", foreign_keys=[region_code])

    def can_keep(self, storage: StorageClass) -> bool:
        return COLD_ORDER[self.cold_capability] >= COLD_ORDER[storage]

    def serves(self, region_code: str) -> bool:
        return region_code.startswith(self.serves_region_code)


class ShippingService(Base):
    """A delivery service consumers choose per parcel (快递标准件, 冷链 …): editable data."""

    __tablename__ = "shipping_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    cold_chain: Mapped[bool] = mapped_column(default=False)  # only these carry chilled / frozen
    allows_cod: Mapped[bool] = mapped_column(default=False)  # cash on delivery possible
    days_min: Mapped[int] = mapped_column(default=2)
    days_max: Mapped[int] = mapped_column(default=4)
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    rates: Mapped[list[ShippingRate]] = relationship(back_populates="service")


ANY_PROVINCE = "*"


class ShippingRate(Base):
    """First weight + additional weight (首重 + 续重) of a service to a destination province for
    one storage class, with a cold-chain surcharge per parcel. ``province_code`` ``*`` is the
    rate for every province without a row of its own; no row at all: not delivered there."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "province_code", "storage_class"),
        sa.CheckConstraint(
            "first_weight_g > 0 AND step_weight_g > 0 AND first_fen >= 0 AND step_fen >= 0"
            " AND cold_surcharge_fen >= 0",
            name="amounts",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shipping_services.id", ondelete="CASCADE"), index=True
    )
    province_code: Mapped[str] = mapped_column(sa.String(2))
    storage_class: Mapped[StorageClass] = enum_column(StorageClass)
    first_weight_g: Mapped[int] = mapped_column(default=1000)
    first_fen: Mapped[int]
    step_weight_g: Mapped[int] = mapped_column(default=1000)
    step_fen: Mapped[int]
    cold_surcharge_fen: Mapped[int] = mapped_column(default=0)
    free_over_fen: Mapped[int | None]  # goods worth at least this ship free (base fee only)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    service: Mapped[ShippingService] = relationship(back_populates="rates", lazy="joined")
