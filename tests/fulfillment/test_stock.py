"""Stock per variant per warehouse: kept by suppliers, never below zero, never lost."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import actions as catalog_actions
from catalog.models import ProductStatus
from fulfillment import actions
from fulfillment.errors import InsufficientStock, InvalidQuantity, StorageMismatch
from fulfillment.models import Stock, StockMovement
from tests.fulfillment.world import listed
from yipin.accounts.models import User
from yipin.db import db
from yipin.errors import NotFound


def _stock(variant_id: int, warehouse_id: int) -> Stock | None:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Stock).where(Stock.variant_id == variant_id, Stock.warehouse_id == warehouse_id)
    ).first()


def test_supplier_sets_and_adjusts_stock_in_own_and_shared_warehouses(world):
    s = actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 120)
    assert (s.on_hand, s.reserved, s.available) == (120, 0, 120)
    s = actions.adjust_stock(
        db.session, world.staff, world.variant.id, world.own_wh.id, -20, "运输途中损耗"
    )
    assert s.on_hand == 100
    s2 = actions.adjust_stock(
        db.session, world.staff, world.variant.id, world.shared_wh.id, 40, "送入县级配送中心"
    )
    assert s2.on_hand == 40 and s2.supplier_id == world.supplier.id
    db.session.commit()
    moves = db.session.scalars(sa.select(StockMovement).order_by(StockMovement.id)).all()
    assert [(m.kind, m.delta, m.on_hand_after) for m in moves] == [
        ("set", 120, 120),
        ("adjust", -20, 100),
        ("adjust", 40, 40),
    ]
    assert moves[1].reason == "运输途中损耗" and moves[1].actor_id == world.staff.id


def test_stock_never_goes_below_zero_nor_below_reserved(world):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 10)
    db.session.commit()
    with pytest.raises(InsufficientStock):
        actions.adjust_stock(
            db.session, world.staff, world.variant.id, world.own_wh.id, -11, "损耗"
        )
    db.session.rollback()
    row = _stock(world.variant.id, world.own_wh.id)
    assert row.on_hand == 10
    row.reserved = 6  # an order holds 6 (set by checkout in the orders package)
    db.session.commit()
    with pytest.raises(InsufficientStock) as caught:
        actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 5)
    assert "6" in caught.value.texts()["zh_CN"]
    db.session.rollback()
    with pytest.raises(InsufficientStock):
        actions.adjust_stock(db.session, world.staff, world.variant.id, world.own_wh.id, -5, "损耗")
    db.session.rollback()
    s = actions.adjust_stock(db.session, world.staff, world.variant.id, world.own_wh.id, -4, "损耗")
    assert (s.on_hand, s.reserved, s.available) == (6, 6, 0)
    # a negative count is refused; the database refuses it too
    with pytest.raises(InvalidQuantity):
        actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, -1)
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Stock).values(on_hand=-1))
    db.session.rollback()


def test_removing_from_a_missing_row_is_refused(world):
    with pytest.raises(InsufficientStock):
        actions.adjust_stock(db.session, world.staff, world.variant.id, world.own_wh.id, -1, "x")
    db.session.rollback()
    assert _stock(world.variant.id, world.own_wh.id) is None


def test_supplier_cannot_stock_another_suppliers_warehouse_or_variant(world):
    with pytest.raises(NotFound) as caught:
        actions.set_on_hand(db.session, world.staff, world.variant.id, world.other_wh.id, 5)
    assert caught.value.field == "warehouse_id"
    db.session.rollback()
    with pytest.raises(NotFound) as caught:
        actions.set_on_hand(db.session, world.other_staff, world.variant.id, world.other_wh.id, 5)
    assert caught.value.field == "variant_id"
    db.session.rollback()
    # not even an operator can put one supplier's goods in another supplier's warehouse
    with pytest.raises(NotFound):
        actions.set_on_hand(db.session, world.operator, world.variant.id, world.other_wh.id, 5)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stock)) == 0


def test_chilled_product_cannot_go_into_an_ambient_only_warehouse(world):
    with pytest.raises(StorageMismatch) as caught:
        actions.set_on_hand(
            db.session, world.staff, world.chilled_variant.id, world.shared_wh.id, 10
        )
    text = caught.value.texts()
    assert "冷藏" in text["zh_CN"] and "XW-HUB" in text["zh_CN"]
    assert "chilled" in text["en"]
    db.session.rollback()
    s = actions.set_on_hand(db.session, world.staff, world.chilled_variant.id, world.own_wh.id, 10)
    assert s.on_hand == 10


def test_stock_and_price_changes_keep_a_listed_product_listed(world):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 50)
    actions.adjust_stock(db.session, world.staff, world.variant.id, world.own_wh.id, 5, "入库")
    catalog_actions.set_price(db.session, world.staff, world.variant.id, 5980, 8800)
    db.session.commit()
    assert listed(world.product.id) == ProductStatus.LISTED


def _adjust_many(engine, user_id, variant_id, warehouse_id, deltas, failures):
    for delta in deltas:
        with Session(engine) as session:
            user = session.get(User, user_id)
            try:
                actions.adjust_stock(session, user, variant_id, warehouse_id, delta, "并发测试")
                session.commit()
            except InsufficientStock:
                session.rollback()
                failures.append(delta)


def test_concurrent_adjustments_lose_no_update_on_postgresql(world, app):
    """Two connections adjust the same row at once: every change counts, none goes below 0."""
    assert db.engine.dialect.name == "postgresql"
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 100)
    db.session.commit()
    staff, vid, wid = world.staff.id, world.variant.id, world.own_wh.id
    failures: list[int] = []
    threads = [
        threading.Thread(
            target=lambda d=d: (
                app.app_context().push() or _adjust_many(db.engine, staff, vid, wid, d, failures)
            )
        )
        for d in ([+3] * 40, [-2] * 40)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    assert _stock(vid, wid).on_hand == 100 + 40 * 3 - 40 * 2
    moves = db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement))
    assert moves == 81


def test_concurrent_removals_never_oversell(world, app):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 25)
    db.session.commit()
    staff, vid, wid = world.staff.id, world.variant.id, world.own_wh.id
    failures: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: (
                app.app_context().push()
                or _adjust_many(db.engine, staff, vid, wid, [-1] * 20, failures)
            )
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert _stock(vid, wid).on_hand == 0
    assert len(failures) == 15  # 40 attempts, 25 units


def test_concurrent_counts_are_serialised(world, app):
    """Setting counts from two connections: the row lock keeps the movement log consistent."""
    staff, vid, wid = world.staff.id, world.variant.id, world.own_wh.id
    errors: list[Exception] = []

    def count(values: list[int]) -> None:
        app.app_context().push()
        for value in values:
            with Session(db.engine) as session:
                try:
                    actions.set_on_hand(session, session.get(User, staff), vid, wid, value)
                    session.commit()
                except Exception as exc:  # the test reports any failure
                    errors.append(exc)

    threads = [threading.Thread(target=count, args=(v,)) for v in ([10, 30] * 10, [20, 40] * 10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    final = _stock(vid, wid).on_hand
    moves = db.session.scalars(sa.select(StockMovement).order_by(StockMovement.id)).all()
    assert sum(m.delta for m in moves) == final  # no change was lost from the log
    assert moves[-1].on_hand_after == final
