"""Settlement: commission rules by specificity and date, the statement's figures, payouts,
suppliers see only their own statements."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from catalog.models import Category
from reports import settlement
from reports.errors import Overpaid, StatementHasPayouts
from reports.models import StatementStatus
from tests import factories as f
from tests.reports.world import NANKANG, XUNWU, World
from yipin.db import db


def test_statement_commission_refunds_and_payouts(world: World, roll_up, client, login_as) -> None:  # type: ignore[no-untyped-def]
    a = world.supplier("甲", XUNWU)
    b = world.supplier("乙", NANKANG)
    fruit = db.session.scalars(sa.select(Category).where(Category.slug == "fresh-fruit")).one()
    op = world.operator
    settlement.add_rule(db.session, op, rate_bp=500, valid_from=date(2026, 1, 1))  # default 5 %
    settlement.add_rule(
        db.session, op, rate_bp=300, valid_from=date(2026, 1, 1), category_id=fruit.id
    )
    # from 15 March 甲's fruit pays 2 %
    settlement.add_rule(
        db.session,
        op,
        rate_bp=200,
        valid_from=date(2026, 3, 15),
        supplier_id=a.id,
        category_id=fruit.id,
    )
    first = world.sell("甲", 10_000, datetime(2026, 3, 10, 2, tzinfo=UTC))  # 3 % → 300
    world.sell("甲", 20_001, datetime(2026, 3, 20, 2, tzinfo=UTC))  # 2 % → 400.02 → 400
    world.refund(first, 1_000, datetime(2026, 3, 25, 2, tzinfo=UTC))  # back on the 3 % line: −30
    world.sell("乙", 7_000, datetime(2026, 3, 20, 2, tzinfo=UTC))
    world.sell("甲", 9_999, datetime(2026, 4, 1, 2, tzinfo=UTC))  # April: not in March's cycle
    roll_up()

    made = settlement.make_statements(db.session, date(2026, 3, 5))
    db.session.commit()
    mine = next(s for s in made if s.supplier_id == a.id)
    assert (mine.cycle_start, mine.cycle_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert mine.sales_fen == 30_001 and mine.refunds_fen == 1_000
    assert mine.commission_fen == 270 + 400
    assert mine.net_payable_fen == 30_001 - 1_000 - 670 + mine.shipping_fen
    assert {d["rate_bp"] for d in mine.details} == {300, 200}

    with pytest.raises(Overpaid):
        settlement.record_payout(
            db.session, op, mine.id, mine.net_payable_fen + 1, "B1", date(2026, 4, 5)
        )
    db.session.rollback()
    settlement.record_payout(
        db.session, op, mine.id, mine.net_payable_fen, "CMB20260405001", date(2026, 4, 5)
    )
    db.session.commit()
    assert mine.status == StatementStatus.PAID and mine.outstanding_fen == 0
    with pytest.raises(StatementHasPayouts):
        settlement.make_statement(db.session, a.id, date(2026, 3, 1))
    db.session.rollback()

    # the supplier sees and downloads its own statement, not the other's
    theirs = next(s for s in made if s.supplier_id == b.id)
    login_as(f.supplier_staff(a, owner=True))
    listing = client.get("/supplier/statements/")
    assert listing.status_code == 200 and "2026-03" in listing.get_data(as_text=True)
    assert client.get(f"/supplier/statements/{mine.id}").status_code == 200
    assert client.get(f"/supplier/statements/{mine.id}.pdf").data.startswith(b"%PDF")
    assert client.get(f"/supplier/statements/{mine.id}.csv").status_code == 200
    assert client.get(f"/supplier/statements/{theirs.id}").status_code == 404
    assert client.get(f"/supplier/statements/{theirs.id}.xlsx").status_code == 404
    assert client.get(f"/api/v1/reports/statements/{theirs.id}").status_code == 404
    assert [s["id"] for s in client.get("/api/v1/reports/statements").get_json()] == [mine.id]
    assert client.post(f"/console/reports/statements/{mine.id}/payouts").status_code in (400, 403)


def test_operators_record_payouts_through_the_console(
    world: World, roll_up, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    a = world.supplier("甲", XUNWU)
    world.sell("甲", 10_000, datetime(2026, 3, 10, 2, tzinfo=UTC))
    roll_up()
    login_as(world.operator)
    assert (
        client.submit(
            "/console/reports/commission", {"rate": "5", "valid_from": "2026-01-01"}
        ).status_code
        == 302
    )
    assert client.submit("/console/reports/statements", {"month": "2026-03"}).status_code == 302
    statement = settlement.statements_for(db.session, world.operator, a.id)[0]
    assert statement.commission_fen == 500
    page = client.submit(
        f"/console/reports/statements/{statement.id}/payouts",
        {"amount": "abc", "bank_reference": "X", "paid_on": "2026-04-01"},
    )
    assert page.status_code == 302  # refused with a message, no 500
    client.submit(
        f"/console/reports/statements/{statement.id}/payouts",
        {"amount": "95.00", "bank_reference": "ICBC-0001", "paid_on": "2026-04-01"},
    )
    db.session.expire_all()
    assert statement.paid_fen == 9_500 and statement.status == StatementStatus.PAID
    assert client.get("/console/reports/statements?month=2026-03").status_code == 200
    assert client.get("/console/reports/statements?month=bad").status_code == 404
