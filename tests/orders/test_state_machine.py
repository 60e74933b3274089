"""The state machine is one table, and the README shows that table; the order's status after
payment is a summary of its parcels and the money refunded."""

from __future__ import annotations

from pathlib import Path

from orders.status import TRANSITIONS, Level, OrderStatus, can_move, summarise

S = OrderStatus
README = Path(__file__).resolve().parents[2] / "orders" / "README.md"


def test_the_readme_lists_exactly_the_transitions_of_the_table():
    rows = {
        tuple(cell.strip().strip("`") for cell in line.strip("|").split("|"))
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith(("| order |", "| sub_order |"))
    }
    table = {(str(t.level), str(t.source), str(t.target), t.event) for t in TRANSITIONS}
    assert rows == table


def test_nothing_moves_out_of_a_refund_and_shipped_parcels_are_not_cancelled():
    assert not can_move(Level.SUB_ORDER, S.SHIPPED, S.CANCELLED)
    assert not can_move(Level.SUB_ORDER, S.REFUNDED, S.DELIVERED)
    assert not can_move(Level.ORDER, S.REFUNDED, S.PAID)
    assert can_move(Level.SUB_ORDER, S.ROUTED, S.CANCELLED)


def test_the_order_summarises_its_parcels():
    assert summarise(S.PAID, [S.SHIPPED, S.AWAITING_ROUTING], 10000, 0) == S.PAID
    assert summarise(S.PAID, [S.COMPLETED, S.CANCELLED], 10000, 0) == S.COMPLETED
    assert summarise(S.PAID, [S.CANCELLED, S.CANCELLED], 10000, 10000) == S.CANCELLED
    assert summarise(S.PAID, [S.DELIVERED, S.PARTLY_REFUNDED], 10000, 500) == S.PARTLY_REFUNDED
    assert summarise(S.COMPLETED, [S.REFUNDED, S.CANCELLED], 10000, 6000) == S.REFUNDED
    assert summarise(S.CASH_ON_DELIVERY, [S.SHIPPED, S.DELIVERED], 10000, 0) == (S.CASH_ON_DELIVERY)
    assert summarise(S.PENDING_PAYMENT, [S.PENDING_PAYMENT], 10000, 0) == S.PENDING_PAYMENT
