"""Rollups: kept current through the ledger's outbox topic, idempotent, the page's statement
count pinned."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from reports import rollups
from reports.models import DailyBuyers, DailySales
from reports.tasks import ledger_recorded
from tests import factories as f
from tests.reports.world import NANKANG, XUNWU, World
from yipin.db import db
from yipin.outbox.models import OutboxEntry


def _rows() -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in db.session.execute(
            sa.select(
                DailySales.day,
                DailySales.supplier_id,
                DailySales.buyer_type,
                DailySales.sales_fen,
                DailySales.refunds_fen,
                DailySales.lines,
            ).order_by(DailySales.day, DailySales.supplier_id, DailySales.buyer_type)
        )
    ]


def test_the_ledger_topic_keeps_the_rollups_current_and_a_rerun_changes_nothing(
    world: World, roll_up
) -> None:  # type: ignore[no-untyped-def]
    world.supplier("甲", XUNWU)
    # 23:30 in Shanghai on 1 March, and 00:30 on 2 March
    order = world.sell("甲", 1_000, datetime(2026, 3, 1, 15, 30, tzinfo=UTC))
    world.sell("甲", 2_000, datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    topics = db.session.scalars(
        sa.select(OutboxEntry.payload).where(OutboxEntry.topic == "orders.ledger_recorded")
    ).all()
    assert sorted(d for p in topics for d in p["days"]) == ["2026-03-01", "2026-03-02"]
    roll_up()
    first = _rows()
    assert [(r[0], r[3]) for r in first] == [(date(2026, 3, 1), 1_000), (date(2026, 3, 2), 2_000)]
    ledger_recorded({"days": ["2026-03-01", "2026-03-02", "not a day"]})  # run again
    db.session.commit()
    assert _rows() == first
    world.refund(order, 400, datetime(2026, 3, 2, 1, tzinfo=UTC))
    roll_up()
    assert [(r[0], r[3], r[4]) for r in _rows()] == [
        (date(2026, 3, 1), 1_000, 0),
        (date(2026, 3, 2), 2_000, 400),
    ]
    buyers = db.session.execute(
        sa.select(DailyBuyers.day, DailyBuyers.sub_orders).order_by(DailyBuyers.day)
    ).all()
    assert [tuple(b) for b in buyers] == [(date(2026, 3, 1), 1), (date(2026, 3, 2), 1)]
    assert rollups.ledger_days(db.session) == [date(2026, 3, 1), date(2026, 3, 2)]


def test_the_dashboard_runs_a_fixed_number_of_statements(
    world: World, roll_up, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    for i, county in enumerate([XUNWU, NANKANG] * 3):
        world.supplier(f"商{i}", county)
        world.sell(f"商{i}", 1_000 + i, datetime(2026, 4, 1 + i, 2, tzinfo=UTC))
    roll_up()
    login_as(f.bureau())
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get("/bureau/sales?start=2026-01-01&end=2026-12-31&group_by=supplier")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert page.status_code == 200
    # 17 today: session, user, filters, 6 sales figures, 5 of the parcels (fulfillment's)
    assert len(statements) <= 19, statements
