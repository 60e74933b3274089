"""Production batches with their 承诺达标合格证, inspections and market-supervision samples."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column
from yipin.i18n import _l
from yipin.labels import Labels
from yipin.regions.models import Region

if TYPE_CHECKING:
    from catalog.models.products import Variant
    from suppliers.models import Supplier
    from yipin.accounts.models import User


class BatchStatus(StrEnum):
    ACTIVE = "active"  # 在售
    DELISTED = "delisted"  # 已下架: a failed sample or the supplier withdrew it
    CLOSED = "closed"  # 已售罄 / 已结束


BATCH_STATUS_LABELS = Labels(
    BatchStatus,
    {
        BatchStatus.ACTIVE: _l("On sale"),
        BatchStatus.CLOSED: _l("Closed"),
        BatchStatus.DELISTED: _l("Delisted (recalled)"),
    },
)


class InspectionResult(StrEnum):
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格


INSPECTION_RESULT_LABELS = Labels(
    InspectionResult, {InspectionResult.PASS: _l("Pass"), InspectionResult.FAIL: _l("Fail")}
)


class CommitmentBasis(StrEnum):
    """承诺依据: what the commitment on a 合格证 rests on."""

    SELF_TEST = "self_test"  # 自我检测
    ENTRUSTED_TEST = "entrusted_test"  # 委托检测
    INTERNAL_CONTROL = "internal_control"  # 内部质量控制
    SELF_COMMITMENT = "self_commitment"  # 自我承诺


COMMITMENT_BASIS_LABELS = Labels(
    CommitmentBasis,
    {
        CommitmentBasis.SELF_TEST: _l("Own test"),
        CommitmentBasis.ENTRUSTED_TEST: _l("Test by an entrusted laboratory"),
        CommitmentBasis.INTERNAL_CONTROL: _l("Internal quality control"),
        CommitmentBasis.SELF_COMMITMENT: _l("Own commitment"),
    },
)
# The 合格证 is a Chinese legal document: what it prints, whatever the reader's language.
COMMITMENT_BASIS_TEXT = {
    CommitmentBasis.SELF_TEST: "自我检测",
    CommitmentBasis.ENTRUSTED_TEST: "委托检测",
    CommitmentBasis.INTERNAL_CONTROL: "内部质量控制",
    CommitmentBasis.SELF_COMMITMENT: "自我承诺",
}
BASIS_PREFIX = "承诺依据："  # the commitment line that names the basis
# What the committing party promises (承诺内容), printed on every 合格证.
STANDARD_COMMITMENTS = [
    "不使用禁用农药兽药、停用兽药和非法添加物",
    "常规农药兽药残留不超标",
    "对承诺的真实性负责",
]


class Batch(TimestampMixin, Base):
    """A production lot of one variant. Its public code is the traceability QR target."""

    __tablename__ = "batches"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(24), unique=True)  # public traceability code
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    base_name: Mapped[str] = mapped_column(sa.String(120))  # 基地 / 地块
    base_region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    harvest_date: Mapped[date | None]  # 采收日期 (fresh produce)
    production_date: Mapped[date | None]  # 生产日期 (processed food)
    quantity: Mapped[int]  # units of the variant in this lot
    status: Mapped[BatchStatus] = enum_column(BatchStatus, default=BatchStatus.ACTIVE, index=True)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    delisted_at: Mapped[datetime | None]
    # 承诺达标合格证 (one per batch), fields required by the 2026 regulation
    certificate_number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    certificate_issued_on: Mapped[date]
    committing_party: Mapped[str] = mapped_column(sa.String(120))  # 承诺主体
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    commitments: Mapped[list[Any]] = mapped_column(default=list)  # 承诺内容, then the basis

    variant: Mapped[Variant] = relationship(back_populates="batches", lazy="joined")
    supplier: Mapped[Supplier] = relationship()
    base_region: Mapped[Region] = relationship(lazy="joined")
    inspections: Mapped[list[BatchInspection]] = relationship(
        back_populates="batch", order_by="BatchInspection.inspected_on"
    )
    samplings: Mapped[list[SamplingRecord]] = relationship(
        back_populates="batch", order_by="SamplingRecord.sampled_on"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @hybrid_property
    def is_on_sale(self) -> bool:
        """Active: its goods may be sold and shipped (not closed, not recalled)."""
        return self.status == BatchStatus.ACTIVE

    @is_on_sale.inplace.expression
    @classmethod
    def _is_on_sale_sql(cls) -> Any:
        return cls.status == BatchStatus.ACTIVE

    @property
    def produced_on(self) -> date | None:
        return self.harvest_date or self.production_date

    @property
    def is_recalled(self) -> bool:
        return self.status == BatchStatus.DELISTED

    def __repr__(self) -> str:
        return f"<Batch {self.code} {self.status}>"


class BatchInspection(Base):
    """A test of the batch (快检 or a lab report) recorded by the supplier."""

    __tablename__ = "batch_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(sa.String(80))  # 农药残留 (有机磷/氨基甲酸酯类)
    method: Mapped[str] = mapped_column(sa.String(80), default="")  # 酶抑制率法 (GB/T 5009.199)
    result: Mapped[InspectionResult] = enum_column(InspectionResult)
    value: Mapped[str] = mapped_column(sa.String(80), default="")
    inspected_on: Mapped[date]
    inspector: Mapped[str] = mapped_column(sa.String(120), default="")

    batch: Mapped[Batch] = relationship(back_populates="inspections")


class SamplingRecord(Base):
    """A market-supervision sample (抽检) of a batch; a failure delists the batch at once."""

    __tablename__ = "sampling_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    sampled_on: Mapped[date]
    agency: Mapped[str] = mapped_column(sa.String(120))  # 赣州市市场监督管理局
    report_number: Mapped[str] = mapped_column(sa.String(60), default="")
    items: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[InspectionResult] = enum_column(InspectionResult)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    batch: Mapped[Batch] = relationship(back_populates="samplings")
    recorded_by: Mapped[User] = relationship()
