"""In-app notifications to a user or to every staff member of a supplier."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from yipin import clock
from yipin.db import Base


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint("user_id IS NOT NULL OR supplier_id IS NOT NULL", name="recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # every staff member of a supplier (the suppliers domain's table, named only in the schema)
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]

    @property
    def owner_supplier_id(self) -> int | None:
        return self.supplier_id


def notify_supplier(
    session: Session,
    supplier_id: int,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
) -> Notification:
    """Tell every staff member of a supplier (shown in the supplier portal)."""
    note = Notification(supplier_id=supplier_id, kind=kind, title=title, body=body, link=link)
    session.add(note)
    session.flush()
    return note


def notify_user(
    session: Session, user_id: int, kind: str, title: str, body: str = "", link: str | None = None
) -> Notification:
    """Tell one person (shown on their account page)."""
    note = Notification(user_id=user_id, kind=kind, title=title, body=body, link=link)
    session.add(note)
    session.flush()
    return note
