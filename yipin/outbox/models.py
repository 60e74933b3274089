"""The outbox table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from yipin import clock
from yipin.db import Base, enum_column


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting to be handed to the queue (new, or retry due later)
    DISPATCHED = "dispatched"  # handed to the queue, not finished yet
    DONE = "done"
    FAILED = "failed"  # gave up after the last attempt; see last_error


class OutboxEntry(Base):
    __tablename__ = "outbox_entries"
    __table_args__ = (sa.Index("ix_outbox_entries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(sa.String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[OutboxStatus] = enum_column(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    dispatched_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    job_id: Mapped[str | None] = mapped_column(sa.String(80))
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<OutboxEntry {self.id} {self.topic} {self.status} x{self.attempts}>"
