"""Refunds go back through the method that paid and write reversing ledger entries; the ledger
itself is append-only (the ORM and the database refuse changes); buyer types are recognised
from the invoice data and carried into the ledger."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from orders import buyers
from orders.buyers import BuyerDetails, recognise
from orders.models import (
    BuyerType,
    BuyerTypeBasis,
    LedgerEntryKind,
    LedgerIsAppendOnly,
    Order,
    OrderStatus,
    PaymentMethod,
    Refund,
    RefundStatus,
    SalesLedgerEntry,
)
from orders.payments.service import confirm_bank_transfer
from suppliers import uscc
from suppliers.errors import InvalidUSCC
from tests.orders.conftest import intent_object, post_event, stripe_event
from tests.orders.world import buy
from yipin.accounts.actions import issue_api_token
from yipin.db import db

GOV = uscc.make("11360700MB1234567")  # 机关
INSTITUTION = uscc.make("12360702MB0012345")  # 事业单位
SOE = uscc.make("91360700MA35XY12Q")
PRIVATE = uscc.make("91440300MA5F00001")
COOP = uscc.make("93360734MA3TY0001")


def _token(user):
    _row, secret = issue_api_token(db.session, user, "app")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _paid(shop, items, **kw):
    order = buy(shop, items, method=PaymentMethod.BANK_TRANSFER, **kw)
    confirm_bank_transfer(
        db.session, shop.operator, order.payments[0].id, "BANK-REF-0001", order.total_fen
    )
    db.session.commit()
    return order


def _entries(order_id):
    return db.session.scalars(
        sa.select(SalesLedgerEntry)
        .where(SalesLedgerEntry.order_id == order_id)
        .order_by(SalesLedgerEntry.id)
    ).all()


def test_a_stripe_refund_writes_the_reversing_ledger_entry(app, shop, jobs):
    client = app.test_client()
    headers = _token(shop.consumer)
    client.post(
        "/api/v1/cart/lines", json={"variant_id": shop.orange.id, "quantity": 2}, headers=headers
    )
    placed = client.post(
        "/api/v1/orders",
        headers=headers,
        json={"destination": {"address_id": shop.address.id}, "payment_method": "card"},
    ).json
    payment = db.session.get(Order, placed["id"]).payments[0]
    post_event(client, app, stripe_event("payment_intent.succeeded", intent_object(payment)))
    sub = placed["sub_orders"][0]
    operator = _token(shop.operator)
    r = client.post(
        f"/api/v1/sub-orders/{sub['id']}/refunds",
        headers=operator,
        json={"amount_fen": 2000, "reason": "价格调整：降价补差"},
    )
    assert r.status_code == 201 and r.json["status"] == "pending"
    jobs.run()  # the refund goes to Stripe with its idempotency key; stripe-mock: succeeded
    refund = db.session.get(Refund, r.json["id"])
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_ref.startswith("re_")
    sale, reversal = _entries(placed["id"])
    assert (sale.kind, sale.amount_fen, sale.quantity) == (LedgerEntryKind.SALE, 2 * 6980, 2)
    assert reversal.kind == LedgerEntryKind.REVERSAL and reversal.amount_fen == -2000
    assert reversal.quantity == 0 and reversal.reverses_id == sale.id
    assert reversal.refund_id == refund.id
    same = (
        "supplier_id",
        "supplier_county_code",
        "origin_township_code",
        "category_id",
        "brand_id",
        "buyer_type",
        "destination_province_code",
        "is_upward",
    )
    assert all(getattr(sale, name) == getattr(reversal, name) for name in same)
    order = db.session.get(Order, placed["id"])
    assert order.refunded_fen == 2000 and order.status == OrderStatus.PARTLY_REFUNDED
    # a refund event for the same refund changes nothing more
    post_event(
        client,
        app,
        stripe_event(
            "refund.updated",
            {
                "id": refund.provider_ref,
                "object": "refund",
                "status": "succeeded",
                "amount": 2000,
                "payment_intent": payment.provider_ref,
                "metadata": {"yipin_refund_id": str(refund.id)},
            },
        ),
    )
    assert len(_entries(placed["id"])) == 2
    too_much = client.post(
        f"/api/v1/sub-orders/{sub['id']}/refunds",
        headers=operator,
        json={"amount_fen": 10**7, "reason": "全额"},
    )
    assert too_much.status_code == 409 and too_much.json["error"] == "refund_too_large"


def test_cancelling_a_paid_parcel_before_shipment_refunds_it_and_frees_its_stock(app, shop):
    order = _paid(shop, [(shop.orange, 2), (shop.oil, 1)])
    nankang = next(s for s in order.sub_orders if s.supplier_id == shop.nankang.id)
    client = app.test_client()
    # the supplier is out of stock: it cancels its own parcel
    r = client.post(
        f"/api/v1/sub-orders/{nankang.id}/cancel",
        headers=_token(shop.nankang_owner),
        json={"reason": "缺货"},
    )
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert shop.reserved(shop.oil) == 0 and shop.reserved(shop.orange) == 2
    refund = db.session.scalars(sa.select(Refund)).one()
    assert refund.amount_fen == nankang.total_fen and refund.status == RefundStatus.PENDING
    # a bank transfer is paid back by the operator, who records the reference
    r = client.post(
        f"/api/v1/refunds/{refund.id}/bank-transfer",
        headers=_token(shop.operator),
        json={"reference": "REFUND-0001"},
    )
    assert r.status_code == 200 and r.json["status"] == "succeeded"
    reversal = _entries(order.id)[-1]
    assert reversal.amount_fen == -nankang.subtotal_fen and reversal.quantity == -1
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PARTLY_REFUNDED


def test_the_ledger_is_append_only(app, shop):
    order = _paid(shop, [(shop.orange, 1)])
    entry = _entries(order.id)[0]
    entry.amount_fen = 1
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerIsAppendOnly):
        db.session.execute(sa.update(SalesLedgerEntry).values(amount_fen=0))
    db.session.rollback()
    db.session.delete(db.session.get(SalesLedgerEntry, entry.id))
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    # the database refuses it too, whatever the client
    for sql in ("UPDATE sales_ledger SET amount_fen = 0", "DELETE FROM sales_ledger"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.text(sql))
        db.session.rollback()
    assert _entries(order.id)[0].amount_fen == 6980


# ----------------------------------------------------------------------------- buyer types


@pytest.mark.parametrize(
    ("details", "expected", "basis"),
    [
        (BuyerDetails(), BuyerType.INDIVIDUAL, BuyerTypeBasis.NONE),
        (
            BuyerDetails(invoice_requested=True, invoice_title="王小明"),
            BuyerType.INDIVIDUAL,
            BuyerTypeBasis.NONE,
        ),
        (
            BuyerDetails(organisation=True, invoice_title="赣州市商务局", uscc=GOV),
            BuyerType.GOVERNMENT_OR_INSTITUTION,
            BuyerTypeBasis.USCC,
        ),
        (
            BuyerDetails(organisation=True, invoice_title="赣州市人民医院", uscc=INSTITUTION),
            BuyerType.GOVERNMENT_OR_INSTITUTION,
            BuyerTypeBasis.USCC,
        ),
        (
            BuyerDetails(
                organisation=True,
                invoice_title="赣州市商务局",
                uscc=GOV,
                procurement_reference="赣财采计〔2026〕0412 号",
            ),
            BuyerType.BUDGET_UNIT,
            BuyerTypeBasis.PROCUREMENT,
        ),
        (
            BuyerDetails(organisation=True, invoice_title="江西稀土集团有限公司", uscc=SOE),
            BuyerType.STATE_OWNED,
            BuyerTypeBasis.STATE_OWNED_LIST,
        ),
        (
            BuyerDetails(
                organisation=True,
                invoice_title="深圳前海农贸有限公司",
                uscc=PRIVATE,
                declares_state_owned=True,
            ),
            BuyerType.STATE_OWNED,
            BuyerTypeBasis.DECLARATION,
        ),
        (
            BuyerDetails(organisation=True, invoice_title="深圳前海农贸有限公司", uscc=PRIVATE),
            BuyerType.PRIVATE_ENTERPRISE,
            BuyerTypeBasis.USCC,
        ),
        (
            BuyerDetails(organisation=True, invoice_title="寻乌县果业合作社", uscc=COOP),
            BuyerType.PRIVATE_ENTERPRISE,
            BuyerTypeBasis.USCC,
        ),
    ],
)
def test_buyer_types_are_recognised_from_invoice_data(app, shop, details, expected, basis):
    buyers.add_state_owned(db.session, shop.operator, SOE, "江西稀土集团有限公司")
    buyer = recognise(db.session, details)
    assert (buyer.buyer_type, buyer.basis) == (expected, basis)


def test_invalid_invoice_codes_are_refused_with_the_field(app, shop):
    with pytest.raises(InvalidUSCC) as caught:
        recognise(
            db.session,
            BuyerDetails(
                organisation=True,
                invoice_title="某某公司",
                uscc=PRIVATE[:-1] + ("0" if PRIVATE[-1] != "0" else "1"),
            ),
        )
    assert caught.value.field == "uscc" and caught.value.code == "invalid_uscc_check_character"
    with pytest.raises(Exception) as caught:
        recognise(
            db.session,
            BuyerDetails(
                organisation=True,
                invoice_title="深圳前海农贸有限公司",
                uscc=PRIVATE,
                procurement_reference="采购 1 号",
            ),
        )
    assert caught.value.field == "procurement_reference"


def test_the_buyer_type_goes_on_the_order_and_into_the_ledger(app, shop):
    order = _paid(
        shop,
        [(shop.orange, 3)],
        buyer=BuyerDetails(organisation=True, invoice_title="赣州市人民医院", uscc=INSTITUTION),
    )
    assert order.buyer_type == BuyerType.GOVERNMENT_OR_INSTITUTION
    assert order.invoice_uscc == INSTITUTION and order.invoice_title == "赣州市人民医院"
    assert {e.buyer_type for e in _entries(order.id)} == {BuyerType.GOVERNMENT_OR_INSTITUTION}
