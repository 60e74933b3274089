"""The supplier portal's home, notifications and company profile (with resubmission)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from catalog.models import BatchStatus, CertificationKind, ProductStatus
from suppliers import actions
from suppliers.models import SupplierStatus, SupplierStatusChange
from tests import factories
from tests.suppliers.conftest import application, category_id, food_licence
from yipin import clock
from yipin.db import db
from yipin.notifications import Notification, notify_supplier

pytestmark = pytest.mark.usefixtures("reference")


@pytest.mark.both_databases
def test_home_shows_counts_cheaply(client, login_as, count_queries):
    clock.freeze(datetime(2026, 11, 20, 4, 0, tzinfo=UTC))
    supplier = factories.SupplierFactory()
    owner = factories.supplier_staff(supplier, owner=True)
    for status in ("listed", "listed", "draft", "pending_review"):
        product = factories.ProductFactory(supplier=supplier, status=status)
    variant = factories.VariantFactory(product=product)
    factories.BatchFactory(variant=variant)
    factories.BatchFactory(variant=variant, status=BatchStatus.CLOSED)
    factories.CertificationFactory(supplier=supplier, valid_to=date(2026, 12, 1))  # expiring
    factories.CertificationFactory(supplier=supplier, valid_to=date(2026, 1, 1))  # expired
    factories.CertificationFactory(supplier=supplier, valid_to=date(2028, 1, 1))
    other = factories.SupplierFactory()
    factories.ProductFactory(supplier=other)
    for i in range(12):
        notify_supplier(db.session, supplier.id, "test", f"消息{i}")
    login_as(owner)
    with count_queries() as q:
        page = client.get("/supplier/").get_data(as_text=True)
    assert 'data-count="products-listed">\n      <b>2</b>' in page
    assert 'data-count="products-draft">\n      <b>1</b>' in page
    assert 'data-count="products-pending_review">\n      <b>1</b>' in page
    assert 'data-count="batches">\n    <b>1</b>' in page
    assert "1 个已过期" in page
    assert page.count("data-notification=") == 10 and ">12</span>" in page
    assert q.count <= 8, q.statements  # user, counts, notifications: no N+1


@pytest.mark.both_databases
def test_notifications_are_marked_read(client, login_as):
    supplier = factories.SupplierFactory()
    owner = factories.supplier_staff(supplier, owner=True)
    first = notify_supplier(db.session, supplier.id, "test", "第一条")
    notify_supplier(db.session, supplier.id, "test", "第二条")
    other = factories.SupplierFactory()
    theirs = notify_supplier(db.session, other.id, "test", "别家的")
    login_as(owner)
    client.submit("/supplier/notifications/read", {"id": str(first.id)})
    page = client.get("/supplier/").get_data(as_text=True)
    assert "第一条" not in page and "第二条" in page
    client.submit("/supplier/notifications/read", {"id": str(theirs.id)})
    db.session.refresh(theirs)
    assert theirs.read_at is None
    client.submit("/supplier/notifications/read")
    assert "暂无新消息" in client.get("/supplier/").get_data(as_text=True)
    unread = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.supplier_id == supplier.id, Notification.read_at.is_(None))
    )
    assert unread == 0


def test_suspended_banner_shows_the_reason(client, login_as):
    supplier = factories.SupplierFactory()
    owner = factories.supplier_staff(supplier, owner=True)
    actions.change_status(db.session, factories.operator(), supplier.id, "suspend", "抽检不合格")
    login_as(owner)
    page = client.get("/supplier/").get_data(as_text=True)
    assert 'data-status-banner="suspended"' in page and "抽检不合格" in page


def test_owner_edits_contact_details_without_reverification(client, login_as):
    supplier = factories.SupplierFactory()
    owner = factories.supplier_staff(supplier, owner=True)
    login_as(owner)
    response = client.submit(
        "/supplier/profile",
        {
            "contact_name": "钟小梅",
            "contact_phone": "0797-2821234",
            "contact_email": "Sales@Example.com",
            "address_detail": "长宁镇工业园 8 号",
            "introduction": "合作社成立于 2009 年。",
        },
    )
    assert response.status_code == 302
    db.session.refresh(supplier)
    assert (supplier.contact_name, supplier.contact_phone, supplier.contact_email) == (
        "钟小梅",
        "0797-2821234",
        "sales@example.com",
    )
    assert supplier.status == SupplierStatus.VERIFIED
    bad = client.submit("/supplier/profile", {"contact_name": "", "contact_phone": "123"})
    assert bad.status_code == 422
    db.session.refresh(supplier)
    assert supplier.contact_name == "钟小梅"


def test_a_contact_mobile_typed_with_spaces_and_the_country_code_is_kept_as_eleven_digits(
    client, login_as
):
    supplier = factories.SupplierFactory()
    login_as(factories.supplier_staff(supplier, owner=True))
    response = client.submit(
        "/supplier/profile", {"contact_name": "钟小梅", "contact_phone": "+86 139 0797 1234"}
    )
    assert response.status_code == 302
    db.session.refresh(supplier)
    assert supplier.contact_phone == "13907971234"  # as a warehouse or a login keeps it
    response = client.api(
        "PATCH", f"/api/v1/suppliers/{supplier.id}", json={"contact_phone": "0797 2821234"}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["contact_phone"] == "0797-2821234"


def test_staff_see_the_profile_read_only(client, login_as):
    supplier = factories.SupplierFactory()
    login_as(factories.supplier_staff(supplier))
    page = client.get("/supplier/profile").get_data(as_text=True)
    assert supplier.uscc in page and "只有负责人可以修改" in page
    assert 'action="/supplier/profile"' not in page


def rejected_applicant(client):
    """Apply through the form, get rejected; returns the supplier (the owner stays logged in)."""
    client.submit("/supplier/apply", application(), content_type="multipart/form-data")
    from suppliers.models import Supplier

    supplier = db.session.scalars(sa.select(Supplier)).one()
    actions.change_status(db.session, factories.operator(), supplier.id, "reject", "名称与执照不符")
    return supplier


def resubmission(supplier, **overrides):
    data = application(
        name="寻乌县晨光脐橙种植专业合作社",
        uscc=supplier.uscc,
        licence_image=None,
        login=None,
        password=None,
        display_name=None,
    )
    data.update(overrides)
    return data


def test_a_rejected_owner_corrects_and_resubmits(client):
    supplier = rejected_applicant(client)
    page = client.get("/supplier/profile").get_data(as_text=True)
    assert 'id="resubmit"' in page and "名称与执照不符" in page
    assert supplier.uscc in page  # prefilled
    response = client.submit(
        "/supplier/profile/resubmit",
        resubmission(supplier),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(supplier)
    assert supplier.status == SupplierStatus.PENDING
    assert supplier.name == "寻乌县晨光脐橙种植专业合作社"
    last = db.session.scalars(
        sa.select(SupplierStatusChange).order_by(SupplierStatusChange.id.desc())
    ).first()
    assert (last.from_status, last.to_status) == (SupplierStatus.REJECTED, SupplierStatus.PENDING)
    assert 'data-status-banner="pending"' in client.get("/supplier/").get_data(as_text=True)
    # pending again: no second resubmission
    again = client.submit(
        "/supplier/profile/resubmit", resubmission(supplier), content_type="multipart/form-data"
    )
    assert again.status_code == 409, again.get_data(as_text=True)[-3000:]


def test_resubmission_is_validated_like_an_application(client):
    supplier = rejected_applicant(client)
    response = client.submit(
        "/supplier/profile/resubmit",
        resubmission(supplier, uscc="91350100M000100Y44"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "校验码" in response.get_data(as_text=True)
    tea = resubmission(supplier, main_category_ids=[str(category_id("tea"))])
    response = client.submit("/supplier/profile/resubmit", tea, content_type="multipart/form-data")
    assert response.status_code == 422 and "食品生产许可证" in response.get_data(as_text=True)
    db.session.refresh(supplier)
    assert supplier.status == SupplierStatus.REJECTED
    tea = resubmission(supplier, main_category_ids=[str(category_id("tea"))], **food_licence())
    response = client.submit("/supplier/profile/resubmit", tea, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(supplier)
    assert supplier.status == SupplierStatus.PENDING
    assert [c.kind for c in _certs(supplier)] == [CertificationKind.FOOD_PRODUCTION_LICENCE]


def _certs(supplier):
    from catalog.models import Certification

    return db.session.scalars(
        sa.select(Certification).where(Certification.supplier_id == supplier.id)
    ).all()


def test_products_statuses_are_labelled(client, login_as):
    supplier = factories.SupplierFactory()
    login_as(factories.supplier_staff(supplier))
    page = client.get("/supplier/").get_data(as_text=True)
    for label in ("已上架", "审核中", "草稿"):
        assert label in page
    assert ProductStatus.LISTED
