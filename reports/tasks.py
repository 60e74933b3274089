"""Outbox handlers: the ledger's ``orders.ledger_recorded`` keeps the daily rollups current."""

from __future__ import annotations

from typing import Any

from reports import rollups
from yipin import outbox
from yipin.db import db


@outbox.handler("orders.ledger_recorded")
def ledger_recorded(payload: dict[str, Any]) -> None:
    """Rebuild the rollups of the Shanghai days the new ledger entries fall on."""
    rollups.rebuild_days(db.session, rollups.days_of(payload.get("days", [])))
