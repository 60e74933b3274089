"""Bulk imports of products and stock (CSV / XLSX) with a per-row error report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from yipin import clock
from yipin.db import Base, enum_column
from yipin.i18n import _l
from yipin.labels import Labels


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"  # the file itself could not be read


IMPORT_STATUS_LABELS = Labels(
    ImportStatus,
    {
        ImportStatus.QUEUED: _l("queued"),
        ImportStatus.RUNNING: _l("running"),
        ImportStatus.FINISHED: _l("finished"),
        ImportStatus.FAILED: _l("file refused"),
    },
)


class ImportJob(Base):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    storage_key: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[ImportStatus] = enum_column(ImportStatus, default=ImportStatus.QUEUED)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    error_rows: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)  # [{"row", "column", "message"}]
    failure: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @property
    def progress(self) -> float:
        return self.processed_rows / self.total_rows if self.total_rows else 0.0
