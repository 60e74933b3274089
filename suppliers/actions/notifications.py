"""The supplier portal's notifications."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from yipin import clock
from yipin.accounts.models import User
from yipin.errors import NotFound
from yipin.notifications import Notification


def mark_notifications_read(
    session: Session, actor: User, supplier_id: int, notification_id: int | None = None
) -> int:
    """Mark one (or every) unread notification of the supplier as read; returns how many."""
    if actor.supplier_id != supplier_id and not actor.is_operator:
        raise NotFound()
    stmt = (
        sa.update(Notification)
        .where(Notification.supplier_id == supplier_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
