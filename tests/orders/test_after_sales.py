"""After-sales: returns follow the category's rule (fresh produce exempt from 7-day no-reason
returns unless the supplier opts in), 坏果包赔 claims with photos are approved as partial
refunds or rejected with a reason, and buyers confirm receipt."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from orders import after_sales, lifecycle
from orders.errors import AfterSalesClosed
from orders.models import (
    Claim,
    ClaimStatus,
    Order,
    OrderStatus,
    PaymentMethod,
    Refund,
    ReturnReason,
    SalesLedgerEntry,
)
from orders.payments.service import confirm_bank_transfer
from orders.refunds import record_offline_refund
from tests import factories as f
from tests.orders.world import buy
from yipin import clock
from yipin.accounts.actions import issue_api_token
from yipin.db import db


def _token(user):
    _row, secret = issue_api_token(db.session, user, "app")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _delivered(shop, items):
    order = buy(shop, items, method=PaymentMethod.BANK_TRANSFER)
    confirm_bank_transfer(
        db.session, shop.operator, order.payments[0].id, "BANK-REF-0001", order.total_fen
    )
    for sub in order.sub_orders:
        batches = {line.id: f.BatchFactory(variant=line.variant).id for line in sub.lines}
        lifecycle.mark_shipped(
            db.session,
            shop.operator,
            sub.id,
            carrier_name="顺丰",
            waybill_number=f"SF{sub.id:010d}",
            batches=batches,
        )
        lifecycle.mark_delivered(db.session, shop.operator, sub.id)
    db.session.commit()
    return order


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 90, 40)).save(out, "JPEG")
    out.seek(0)
    return out


def _sub(order, supplier):
    return next(s for s in order.sub_orders if s.supplier_id == supplier.id)


def test_fresh_fruit_is_exempt_from_no_reason_returns_unless_the_supplier_opts_in(app, shop):
    order = _delivered(shop, [(shop.orange, 2), (shop.oil, 1)])
    xunwu, nankang = _sub(order, shop.xunwu), _sub(order, shop.nankang)
    orange_line, oil_line = xunwu.lines[0], nankang.lines[0]
    with pytest.raises(AfterSalesClosed):
        after_sales.request_return(
            db.session, shop.consumer, xunwu.id, ReturnReason.NO_REASON, [(orange_line.id, 1)]
        )
    db.session.rollback()
    after_sales.set_fresh_returns(db.session, shop.xunwu_owner, shop.xunwu.id, True)
    allowed = after_sales.request_return(
        db.session, shop.consumer, xunwu.id, ReturnReason.NO_REASON, [(orange_line.id, 1)]
    )
    assert allowed.status == "requested"
    # camellia oil: 7 days without a reason, then closed
    clock.advance(timedelta(days=8))
    with pytest.raises(AfterSalesClosed):
        after_sales.request_return(
            db.session, shop.consumer, nankang.id, ReturnReason.NO_REASON, [(oil_line.id, 1)]
        )


def test_a_return_approved_and_received_is_refunded_for_the_units_sent_back(app, shop):
    order = _delivered(shop, [(shop.oil, 2)])
    sub = order.sub_orders[0]
    client = app.test_client()
    r = client.post(
        f"/api/v1/sub-orders/{sub.id}/returns",
        headers=_token(shop.consumer),
        json={
            "reason_kind": "no_reason",
            "reason": "不想要了",
            "lines": [{"line_id": sub.lines[0].id, "quantity": 1}],
        },
    )
    assert r.status_code == 201, r.json
    supplier = _token(shop.nankang_owner)
    rejected = client.post(
        f"/api/v1/returns/{r.json['id']}/decision", headers=supplier, json={"approve": False}
    )
    assert rejected.status_code == 422  # a rejection needs a reason
    assert (
        client.post(
            f"/api/v1/returns/{r.json['id']}/decision", headers=supplier, json={"approve": True}
        ).status_code
        == 200
    )
    received = client.post(f"/api/v1/returns/{r.json['id']}/receipt", headers=supplier)
    assert received.status_code == 200 and received.json["refund_id"]
    refund = db.session.get(Refund, received.json["refund_id"])
    assert refund.amount_fen == 19800 and refund.lines[0].quantity == 1
    record_offline_refund(db.session, shop.operator, refund.id, "REFUND-RET-01")
    db.session.commit()
    reversal = db.session.scalars(
        sa.select(SalesLedgerEntry).where(SalesLedgerEntry.refund_id == refund.id)
    ).one()
    assert (reversal.amount_fen, reversal.quantity) == (-19800, -1)
    assert db.session.get(Order, order.id).sub_orders[0].status == OrderStatus.PARTLY_REFUNDED


def test_bad_fruit_claim_with_photos_is_compensated_by_a_partial_refund(app, shop):
    order = _delivered(shop, [(shop.orange, 2)])
    sub = order.sub_orders[0]
    line = sub.lines[0]
    client = app.test_client()
    buyer = _token(shop.consumer)
    not_image = client.post(
        f"/api/v1/sub-orders/{sub.id}/claims",
        headers=buyer,
        data={
            "line_id": line.id,
            "bad_units": 1,
            "requested_fen": 2000,
            "description": "烂了 3 个",
            "photos": [(io.BytesIO(b"not a picture"), "x.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert not_image.status_code == 422 and not_image.json["error"] == "invalid_image"
    r = client.post(
        f"/api/v1/sub-orders/{sub.id}/claims",
        headers=buyer,
        data={
            "line_id": line.id,
            "bad_units": 1,
            "requested_fen": 2000,
            "description": "到货烂了 3 个",
            "photos": [(_jpeg(), "a.jpg"), (_jpeg(), "b.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    assert len(r.json["photo_ids"]) == 2 and r.json["status"] == "open"
    # another supplier cannot see or decide it
    assert (
        client.post(
            f"/api/v1/claims/{r.json['id']}/decision",
            headers=_token(shop.nankang_owner),
            json={"approve": True},
        ).status_code
        == 404
    )
    decided = client.post(
        f"/api/v1/claims/{r.json['id']}/decision",
        headers=_token(shop.xunwu_owner),
        json={"approve": True, "amount_fen": 1500, "note": "核实属实"},
    )
    assert decided.status_code == 200 and decided.json["approved_fen"] == 1500
    refund = db.session.get(Refund, decided.json["refund_id"])
    record_offline_refund(db.session, shop.operator, refund.id, "REFUND-CLM-01")
    db.session.commit()
    reversal = db.session.scalars(
        sa.select(SalesLedgerEntry).where(SalesLedgerEntry.refund_id == refund.id)
    ).one()
    assert (reversal.amount_fen, reversal.quantity) == (-1500, 0)
    assert db.session.get(Claim, r.json["id"]).status == ClaimStatus.APPROVED
    # the photos are the buyer's, the supplier's and operators' only
    photo = r.json["photo_ids"][0]
    assert client.get(f"/media/images/{photo}/thumb").status_code == 404


def test_claims_close_after_the_window_and_are_for_fresh_produce(app, shop):
    order = _delivered(shop, [(shop.orange, 1), (shop.oil, 1)])
    xunwu, nankang = _sub(order, shop.xunwu), _sub(order, shop.nankang)
    from yipin.media.images import store_upload
    from yipin.media.models import ImagePurpose

    image = store_upload(
        db.session,
        _jpeg(),
        purpose=ImagePurpose.CLAIM,
        supplier_id=shop.nankang.id,
        uploaded_by_id=shop.consumer.id,
    )
    with pytest.raises(AfterSalesClosed):
        after_sales.file_claim(
            db.session,
            shop.consumer,
            nankang.id,
            nankang.lines[0].id,
            bad_units=1,
            requested_fen=100,
            description="",
            image_ids=[image.id],
        )
    db.session.rollback()
    clock.advance(timedelta(hours=49))
    with pytest.raises(AfterSalesClosed):
        after_sales.file_claim(
            db.session,
            shop.consumer,
            xunwu.id,
            xunwu.lines[0].id,
            bad_units=1,
            requested_fen=100,
            description="",
            image_ids=[image.id],
        )


def test_the_buyer_confirms_receipt(app, shop):
    order = _delivered(shop, [(shop.orange, 1)])
    sub = order.sub_orders[0]
    client = app.test_client()
    r = client.post(f"/api/v1/sub-orders/{sub.id}/receipt", headers=_token(shop.consumer))
    assert r.status_code == 200 and r.json["status"] == "completed"
    assert db.session.get(Order, order.id).status == OrderStatus.COMPLETED
    other = f.consumer()
    assert (
        client.post(f"/api/v1/sub-orders/{sub.id}/receipt", headers=_token(other)).status_code
        == 404
    )


def test_the_sweeps_expire_unpaid_orders_and_complete_delivered_parcels(app, shop):
    from orders.models import OrderStatus as S

    unpaid = buy(shop, [(shop.oil, 1)], method=PaymentMethod.BANK_TRANSFER)
    delivered = _delivered(shop, [(shop.orange, 1)])
    db.session.commit()
    runner = app.test_cli_runner()
    clock.advance(timedelta(days=11))
    assert "expired 1" in runner.invoke(args=["orders", "expire"]).output
    assert "completed 1" in runner.invoke(args=["orders", "complete-delivered"]).output
    db.session.expire_all()
    assert db.session.get(Order, unpaid.id).status == S.CANCELLED
    assert db.session.get(Order, delivered.id).status == S.COMPLETED
    assert shop.reserved(shop.oil) == 0
