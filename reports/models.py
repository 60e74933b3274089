"""The reports domain's tables: daily rollups of the sales ledger, reward policies and what they
are computed from (livestream bases, published figures), frozen reward snapshots, and supplier
settlement (commission rules, statements, payouts).

Every amount is an integer of fen (``BigInteger``: a year's sums pass 2^31 fen = ¥21 million).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, enum_column

BigFen = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class DailySales(Base):
    """日汇总: the ledger summed per Shanghai calendar day and per reporting dimension.

    Rebuilt one day at a time from the ledger (``reports.rollups.rebuild_days``), so a day's rows
    are always the exact sum of the ledger rows that occurred on it.
    """

    __tablename__ = "report_daily_sales"
    __table_args__ = (
        sa.Index("ix_report_daily_sales_county_day", "supplier_county_code", "day"),
        sa.Index("ix_report_daily_sales_supplier_day", "supplier_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigFen, primary_key=True)
    day: Mapped[date] = mapped_column(index=True)  # local date (Asia/Shanghai)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"))
    supplier_county_code: Mapped[str] = mapped_column(sa.String(6))
    origin_county_code: Mapped[str] = mapped_column(sa.String(6))
    origin_township_code: Mapped[str | None] = mapped_column(sa.String(9))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    brand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regional_brands.id"))
    buyer_type: Mapped[str] = mapped_column(sa.String(40))
    is_upward: Mapped[bool]
    sales_fen: Mapped[int] = mapped_column(BigFen, default=0)  # sale entries (≥ 0)
    refunds_fen: Mapped[int] = mapped_column(BigFen, default=0)  # reversals, as a positive sum
    quantity: Mapped[int] = mapped_column(BigFen, default=0)  # net units
    lines: Mapped[int] = mapped_column(default=0)  # sale entries (order lines sold)


class DailyBuyers(Base):
    """Per day, supplier and buyer: the supplier orders (子订单) placed — the KPIs "orders" and
    "buyers" (distinct) are counted here, since they cannot be summed over the sales rollup."""

    __tablename__ = "report_daily_buyers"
    __table_args__ = (
        sa.Index("ix_report_daily_buyers_county_day", "supplier_county_code", "day"),
        sa.Index("ix_report_daily_buyers_supplier_day", "supplier_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigFen, primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"))
    supplier_county_code: Mapped[str] = mapped_column(sa.String(6))
    consumer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    sub_orders: Mapped[int] = mapped_column(default=0)


class RollupDay(Base):
    """One row per rolled-up day: the lock two rebuilds of the same day take in turn, and when
    it was last rebuilt."""

    __tablename__ = "report_rollup_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    rebuilt_at: Mapped[datetime] = mapped_column(default=clock.now)
    ledger_rows: Mapped[int] = mapped_column(default=0)


class RewardPolicy(Base):
    """A reward policy (奖补政策) as versioned data: loading changed rules makes a new version."""

    __tablename__ = "reward_policies"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    document: Mapped[str] = mapped_column(sa.String(200), default="")  # 赣市府办字〔2024〕81号
    effective_from: Mapped[date]
    effective_to: Mapped[date]
    rules: Mapped[dict[str, Any]]
    checksum: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    loaded_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


class LivestreamBaseKind(StrEnum):
    SHARED = "shared"  # 共享型
    DEMONSTRATION = "demonstration"  # 示范型


class LivestreamBase(Base):
    """直播基地: one record per base and investment year, kept by operators or bureau staff."""

    __tablename__ = "livestream_bases"
    __table_args__ = (sa.UniqueConstraint("operator_uscc", "name", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    operator_name: Mapped[str] = mapped_column(sa.String(120))
    operator_uscc: Mapped[str] = mapped_column(sa.String(18))
    operator_region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    kind: Mapped[LivestreamBaseKind] = enum_column(LivestreamBaseKind)
    area_m2: Mapped[int]
    live_rooms: Mapped[int]
    hosts: Mapped[int]
    enterprises_served: Mapped[int]  # city enterprises served
    recognised: Mapped[bool] = mapped_column(default=False)  # recognised by the city
    year: Mapped[int]  # the year of the fixed-asset investment
    investment_fen: Mapped[int] = mapped_column(BigFen)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")  # invoices, contracts, audit
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PublishedFigure(Base):
    """An officially published sales figure (e.g. the provincial commerce department's) that
    staff entered for a supplier (or the platform: ``supplier_id`` NULL) and a year."""

    __tablename__ = "reward_published_figures"
    __table_args__ = (
        sa.Index("uq_reward_published_figures_subject", "year", "rule", "subject", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    rule: Mapped[str] = mapped_column(sa.String(10))  # R1 … R5
    subject: Mapped[str] = mapped_column(sa.String(20))  # "platform" or "supplier:<id>"
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"))
    amount_fen: Mapped[int] = mapped_column(BigFen)
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=clock.now)


class RewardSnapshot(Base):
    """A frozen reward report (冻结版本): the computed report as data, signed (HMAC-SHA256 with
    the app's secret key) so a changed row shows. Later refunds change nothing here; a new
    version is frozen instead and the difference shown."""

    __tablename__ = "reward_snapshots"
    __table_args__ = (sa.UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    version: Mapped[int]
    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("reward_policies.id"))
    report: Mapped[dict[str, Any]]
    signature: Mapped[str] = mapped_column(sa.String(64))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    frozen_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    frozen_at: Mapped[datetime] = mapped_column(default=clock.now)

    policy: Mapped[RewardPolicy] = relationship(lazy="joined")


class CommissionRule(Base):
    """佣金规则: a rate in basis points (1 bp = 0.01 %) for a supplier and/or a category over a
    date range; the most specific rule valid on the sale's day applies."""

    __tablename__ = "commission_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    rate_bp: Mapped[int]
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
    )


class StatementStatus(StrEnum):
    OPEN = "open"  # 待付款
    PAID = "paid"  # 已付清


class SettlementStatement(Base):
    """结算单: one supplier, one billing cycle (a calendar month in Shanghai)."""

    __tablename__ = "settlement_statements"
    __table_args__ = (sa.UniqueConstraint("supplier_id", "cycle_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    cycle_start: Mapped[date]
    cycle_end: Mapped[date]  # inclusive
    sales_fen: Mapped[int] = mapped_column(BigFen)
    refunds_fen: Mapped[int] = mapped_column(BigFen)
    commission_fen: Mapped[int] = mapped_column(BigFen)
    shipping_fen: Mapped[int] = mapped_column(BigFen)
    net_payable_fen: Mapped[int] = mapped_column(BigFen)
    details: Mapped[list[Any]]  # per category and rate: sales, refunds, commission
    status: Mapped[StatementStatus] = enum_column(StatementStatus, default=StatementStatus.OPEN)
    generated_at: Mapped[datetime] = mapped_column(default=clock.now)

    payouts: Mapped[list[Payout]] = relationship(
        back_populates="statement", order_by="Payout.id", lazy="selectin"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payouts)

    @property
    def outstanding_fen(self) -> int:
        return self.net_payable_fen - self.paid_fen


class Payout(Base):
    """付款记录: money an operator sent a supplier against a statement (bank reference)."""

    __tablename__ = "settlement_payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("settlement_statements.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigFen)
    bank_reference: Mapped[str] = mapped_column(sa.String(60))
    paid_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    statement: Mapped[SettlementStatement] = relationship(back_populates="payouts")

    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="positive"),)
