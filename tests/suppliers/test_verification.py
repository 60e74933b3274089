"""Operator verification: one state machine, an audit row and a notification per change, and only
verified suppliers can sell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from catalog.actions import submit_for_review
from catalog.errors import SupplierCannotSell
from suppliers import actions
from suppliers.actions import TRANSITIONS, StatusAction
from suppliers.errors import ReasonRequired, StatusTransitionNotAllowed
from suppliers.models import SupplierStatus, SupplierStatusChange
from tests import factories
from tests.suppliers.conftest import count
from yipin import clock
from yipin.db import db
from yipin.notifications import Notification

pytestmark = pytest.mark.usefixtures("reference")


def history(supplier):
    return db.session.scalars(
        sa.select(SupplierStatusChange)
        .where(SupplierStatusChange.supplier_id == supplier.id)
        .order_by(SupplierStatusChange.id)
    ).all()


def notes(supplier):
    return db.session.scalars(
        sa.select(Notification)
        .where(Notification.supplier_id == supplier.id)
        .order_by(Notification.id)
    ).all()


def test_the_state_machine_is_one_table():
    assert TRANSITIONS == {
        (SupplierStatus.PENDING, StatusAction.VERIFY): SupplierStatus.VERIFIED,
        (SupplierStatus.PENDING, StatusAction.REJECT): SupplierStatus.REJECTED,
        (SupplierStatus.REJECTED, StatusAction.RESUBMIT): SupplierStatus.PENDING,
        (SupplierStatus.VERIFIED, StatusAction.SUSPEND): SupplierStatus.SUSPENDED,
        (SupplierStatus.SUSPENDED, StatusAction.RESTORE): SupplierStatus.VERIFIED,
    }


@pytest.mark.both_databases
def test_every_transition_leaves_who_when_why_and_tells_the_supplier(pending_supplier):
    supplier = pending_supplier
    operator = factories.operator(display_name="运营小王")
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    clock.freeze(at)
    actions.change_status(db.session, operator, supplier.id, "reject", "营业执照照片模糊")
    assert supplier.status == SupplierStatus.REJECTED
    assert supplier.status_reason == "营业执照照片模糊"
    owner = actions.owner_of(db.session, supplier.id)
    draft = actions.SupplierDraft(
        name=supplier.name,
        kind=supplier.kind,
        uscc=supplier.uscc,
        legal_representative="刘建华",
        contact_name="刘建华",
        contact_phone="13907970001",
        region_code=supplier.region_code,
        registered_on=supplier.registered_on,
        main_category_ids=[factories.category().id],
    )
    actions.resubmit(db.session, owner, supplier.id, draft, platform_region="3607")
    assert supplier.status == SupplierStatus.PENDING and supplier.status_reason is None
    actions.change_status(db.session, operator, supplier.id, "verify", "")
    assert supplier.status == SupplierStatus.VERIFIED and supplier.verified_at == at
    actions.change_status(db.session, operator, supplier.id, "suspend", "抽检不合格")
    assert supplier.status == SupplierStatus.SUSPENDED
    actions.change_status(db.session, operator, supplier.id, "restore", "整改完成")
    assert supplier.status == SupplierStatus.VERIFIED and supplier.can_sell

    rows = [(r.from_status, r.to_status, r.reason, r.actor_id, r.at) for r in history(supplier)]
    assert rows[1:] == [
        (SupplierStatus.PENDING, SupplierStatus.REJECTED, "营业执照照片模糊", operator.id, at),
        (SupplierStatus.REJECTED, SupplierStatus.PENDING, None, owner.id, at),
        (SupplierStatus.PENDING, SupplierStatus.VERIFIED, None, operator.id, at),
        (SupplierStatus.VERIFIED, SupplierStatus.SUSPENDED, "抽检不合格", operator.id, at),
        (SupplierStatus.SUSPENDED, SupplierStatus.VERIFIED, "整改完成", operator.id, at),
    ]
    told = [(n.kind, n.body) for n in notes(supplier)]
    assert told == [
        ("supplier.rejected", "营业执照照片模糊"),
        ("supplier.pending", ""),
        ("supplier.verified", ""),
        ("supplier.suspended", "抽检不合格"),
        ("supplier.verified", "整改完成"),
    ]
    assert "驳回" in notes(supplier)[0].title


@pytest.mark.parametrize("action", ["reject", "suspend"])
def test_reject_and_suspend_need_a_reason(pending_supplier, action):
    supplier = pending_supplier
    if action == "suspend":
        supplier.status = SupplierStatus.VERIFIED
    with pytest.raises(ReasonRequired):
        actions.change_status(db.session, factories.operator(), supplier.id, action, "   ")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (SupplierStatus.PENDING, "suspend"),
        (SupplierStatus.PENDING, "restore"),
        (SupplierStatus.VERIFIED, "verify"),
        (SupplierStatus.VERIFIED, "reject"),
        (SupplierStatus.REJECTED, "verify"),
        (SupplierStatus.REJECTED, "suspend"),
        (SupplierStatus.SUSPENDED, "verify"),
        (SupplierStatus.SUSPENDED, "reject"),
    ],
)
def test_illegal_transitions_are_refused_with_409(client, login_as, status, action):
    supplier = factories.SupplierFactory(status=status)
    login_as(factories.operator())
    response = client.api(
        "POST",
        f"/api/v1/suppliers/{supplier.id}/verification",
        json={"action": action, "reason": "x"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "status_transition_not_allowed"
    db.session.refresh(supplier)
    assert supplier.status == status
    assert count(SupplierStatusChange) == 0 and count(Notification) == 0
    with pytest.raises(StatusTransitionNotAllowed):
        actions.change_status(db.session, factories.operator(), supplier.id, action, "x")


def test_only_verified_suppliers_can_submit_products(pending_supplier):
    supplier = pending_supplier
    owner = actions.owner_of(db.session, supplier.id)
    product = factories.ProductFactory(supplier=supplier, status="draft")
    factories.VariantFactory(product=product)
    for status in (SupplierStatus.PENDING, SupplierStatus.REJECTED, SupplierStatus.SUSPENDED):
        supplier.status = status
        with pytest.raises(SupplierCannotSell):
            submit_for_review(db.session, owner, product.id)
    supplier.status = SupplierStatus.VERIFIED
    assert submit_for_review(db.session, owner, product.id).status == "pending_review"


def test_suspending_resyncs_the_listed_products(pending_supplier):
    """Suppliers publishes its own topic; the catalog's handler re-indexes the listed products."""
    from catalog import tasks as catalog_tasks
    from yipin.outbox.models import OutboxEntry

    supplier = pending_supplier
    supplier.status = SupplierStatus.VERIFIED
    listed = factories.ProductFactory(supplier=supplier)
    factories.ProductFactory(supplier=supplier, status="draft")
    actions.change_status(db.session, factories.operator(), supplier.id, "suspend", "整改")
    published = db.session.scalars(sa.select(OutboxEntry)).one()
    assert published.topic == "suppliers.verification_changed"
    assert published.payload["supplier_id"] == supplier.id
    assert published.payload["to_status"] == "suspended" and not published.payload["can_sell"]
    catalog_tasks.supplier_verification_changed(published.payload)  # what the job runs
    payloads = [
        e.payload
        for e in db.session.scalars(
            sa.select(OutboxEntry).where(OutboxEntry.topic == "catalog.product_changed")
        )
    ]
    assert payloads == [{"product_id": listed.id}]


# ----------------------------------------------------------------------------- console


def test_operator_verifies_from_the_console(client, login_as, pending_supplier):
    operator = factories.operator(display_name="运营小王")
    login_as(operator)
    queue = client.get("/console/suppliers/").get_data(as_text=True)
    assert pending_supplier.name in queue and "待审核" in queue
    detail = client.get(f"/console/suppliers/{pending_supplier.id}").get_data(as_text=True)
    assert pending_supplier.uscc in detail
    assert 'data-action="verify"' in detail and 'data-action="reject"' in detail
    assert 'data-action="suspend"' not in detail

    response = client.submit(
        f"/console/suppliers/{pending_supplier.id}/status", {"action": "verify", "reason": ""}
    )
    assert response.status_code == 302
    db.session.refresh(pending_supplier)
    assert pending_supplier.status == SupplierStatus.VERIFIED
    page = client.get(response.location).get_data(as_text=True)
    assert "已认证" in page and "运营小王" in page
    assert 'data-action="suspend"' in page


def test_console_reject_without_reason_says_so_and_changes_nothing(
    client, login_as, pending_supplier
):
    login_as(factories.operator())
    response = client.submit(
        f"/console/suppliers/{pending_supplier.id}/status", {"action": "reject", "reason": ""}
    )
    assert response.status_code == 422
    assert "请填写原因" in response.get_data(as_text=True)
    db.session.refresh(pending_supplier)
    assert pending_supplier.status == SupplierStatus.PENDING
    assert count(SupplierStatusChange) == 1  # only the application's own row


def test_console_illegal_transition_is_409(client, login_as, pending_supplier):
    login_as(factories.operator())
    response = client.submit(
        f"/console/suppliers/{pending_supplier.id}/status", {"action": "restore", "reason": "x"}
    )
    assert response.status_code == 409
    assert "不能恢复" in response.get_data(as_text=True)


def test_the_supplier_sees_the_rejection_and_its_reason(client, login_as, pending_supplier):
    actions.change_status(
        db.session, factories.operator(), pending_supplier.id, "reject", "营业执照照片模糊"
    )
    login_as(actions.owner_of(db.session, pending_supplier.id))
    home = client.get("/supplier/").get_data(as_text=True)
    assert 'data-status-banner="rejected"' in home
    assert "营业执照照片模糊" in home
    assert "/supplier/profile#resubmit" in home
    assert "入驻申请被驳回" in home  # the notification


@pytest.mark.both_databases
def test_queue_lists_pending_first_and_filters(client, login_as):
    old = factories.SupplierFactory(name="甲合作社", status=SupplierStatus.VERIFIED)
    first = factories.SupplierFactory(name="乙合作社", status=SupplierStatus.PENDING)
    second = factories.SupplierFactory(
        name="丙家庭农场", status=SupplierStatus.PENDING, region_code="360781100001"
    )
    first.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    second.created_at = datetime(2026, 2, 1, tzinfo=UTC)
    login_as(factories.operator())
    page = client.get("/console/suppliers/").get_data(as_text=True)
    assert page.index("乙合作社") < page.index("丙家庭农场") < page.index("甲合作社")
    by_county = client.get("/console/suppliers/?county=360781").get_data(as_text=True)
    assert "丙家庭农场" in by_county and "乙合作社" not in by_county
    verified = client.get("/console/suppliers/?status=verified").get_data(as_text=True)
    assert "甲合作社" in verified and "乙合作社" not in verified
    by_code = client.get(f"/console/suppliers/?q={first.uscc.lower()}").get_data(as_text=True)
    assert "乙合作社" in by_code and "丙家庭农场" not in by_code
    by_name = client.get("/console/suppliers/?q=家庭农场").get_data(as_text=True)
    assert "丙家庭农场" in by_name and "甲合作社" not in by_name
    assert old.id


def test_queue_is_paginated(client, login_as):
    for _ in range(23):
        factories.SupplierFactory(status=SupplierStatus.PENDING)
    login_as(factories.operator())
    first = client.get("/console/suppliers/").get_data(as_text=True)
    assert first.count("data-supplier=") == 20 and "1 / 2" in first
    second = client.get("/console/suppliers/?page=2").get_data(as_text=True)
    assert second.count("data-supplier=") == 3


# ----------------------------------------------------------------------------- API


def test_api_verification_and_history(client, login_as, pending_supplier):
    operator = factories.operator(display_name="运营小王")
    login_as(operator)
    url = f"/api/v1/suppliers/{pending_supplier.id}"
    bad = client.api("POST", f"{url}/verification", json={"action": "reject"})
    assert bad.status_code == 422 and bad.get_json()["error"] == "reason_required"
    odd = client.api("POST", f"{url}/verification", json={"action": "delete"})
    assert odd.status_code == 422
    ok = client.api("POST", f"{url}/verification", json={"action": "verify"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "verified"
    assert ok.get_json()["can_sell"] is True
    hist = client.get(f"{url}/history").get_json()
    assert [(h["from_status"], h["to_status"]) for h in hist] == [
        (None, "pending"),
        ("pending", "verified"),
    ]
    assert hist[1]["actor_name"] == "运营小王" and hist[1]["actor_role"] == "operator"


def test_the_supplier_reads_its_history_without_operator_names(client, login_as, pending_supplier):
    actions.change_status(db.session, factories.operator(), pending_supplier.id, "reject", "模糊")
    login_as(actions.owner_of(db.session, pending_supplier.id))
    hist = client.get(f"/api/v1/suppliers/{pending_supplier.id}/history").get_json()
    assert hist[0]["actor_name"] == "刘建华"  # its own owner
    assert hist[1]["reason"] == "模糊" and hist[1]["actor_role"] == "operator"
    assert hist[1]["actor_name"] is None


def test_queue_and_detail_pages_have_a_fixed_query_count(client, login_as, count_queries):
    suppliers = [factories.SupplierFactory(status=SupplierStatus.PENDING) for _ in range(20)]
    target = suppliers[0]
    for _ in range(3):
        factories.supplier_staff(target)
        factories.CertificationFactory(supplier=target)
    factories.authorise(target)
    operator = factories.operator()
    actions.change_status(db.session, operator, target.id, "reject", "模糊")
    login_as(operator)
    with count_queries() as queue:
        assert client.get("/console/suppliers/").status_code == 200
    with count_queries() as detail:
        assert client.get(f"/console/suppliers/{target.id}").status_code == 200
    assert queue.count <= 6, queue.statements
    assert detail.count <= 10, detail.statements
