"""A supplier's owner registers through the apply form (and the API) and lands on the portal."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from catalog.models import Certification, CertificationKind
from suppliers.models import Supplier, SupplierKind, SupplierStatus, SupplierStatusChange
from tests import factories
from tests.suppliers.conftest import (
    application,
    category_id,
    count,
    food_licence,
)
from yipin.accounts.models import Role, SupplierRole, User
from yipin.db import db
from yipin.media.models import Image, ImagePurpose

pytestmark = pytest.mark.usefixtures("reference")


def submit(client, data):
    return client.submit("/supplier/apply", data, content_type="multipart/form-data")


def test_apply_page_asks_for_everything_in_chinese(client):
    page = client.get("/supplier/apply").get_data(as_text=True)
    for text in (
        "统一社会信用代码",
        "法定代表人",
        "营业执照",
        "农民专业合作社",
        "家庭农场",
        "龙头企业",
    ):
        assert text in page
    assert 'enctype="multipart/form-data"' in page
    assert "data-region-picker" in page and 'data-value="3607"' in page


@pytest.mark.both_databases
def test_owner_registers_and_lands_on_the_portal_pending(client):
    data = application()
    response = submit(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.location == "/supplier/"

    supplier = db.session.scalars(sa.select(Supplier)).one()
    assert supplier.status == SupplierStatus.PENDING
    assert supplier.kind == SupplierKind.COOPERATIVE
    assert supplier.uscc == data["uscc"]
    assert supplier.region_code == "360734100201"
    assert [c.slug for c in supplier.main_categories] == ["fresh-fruit"]
    owner = db.session.scalars(sa.select(User).where(User.supplier_id == supplier.id)).one()
    assert (owner.role, owner.supplier_role, owner.phone) == (
        Role.SUPPLIER,
        SupplierRole.OWNER,
        "13907970001",
    )
    assert owner.password_hash.startswith("$argon2")
    licence = db.session.get(Image, supplier.licence_image_id)
    assert licence.purpose == ImagePurpose.LICENCE and licence.supplier_id == supplier.id
    change = db.session.scalars(sa.select(SupplierStatusChange)).one()
    assert (change.from_status, change.to_status, change.actor_id) == (
        None,
        SupplierStatus.PENDING,
        owner.id,
    )
    assert count(Certification) == 0  # fresh fruit needs no food licence

    home = client.get("/supplier/").get_data(as_text=True)
    assert 'data-page="supplier-home"' in home
    assert 'data-status-banner="pending"' in home and "待审核" in home


def test_the_licence_image_is_never_public(client):
    submit(client, application())
    supplier = db.session.scalars(sa.select(Supplier)).one()
    url = f"/media/images/{supplier.licence_image_id}/medium"
    assert client.get(url).status_code == 200  # its owner (logged in by the application)
    client.submit("/logout")
    assert client.get(url).status_code == 404
    factories.consumer(phone="13800009999")
    db.session.commit()
    client.submit("/login", {"login": "13800009999", "password": factories.PASSWORD})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("slug", ["grain-oil", "tea", "processed-food", "honey"])
def test_a_category_that_needs_a_food_licence_demands_one(client, slug):
    data = application(main_category_ids=[str(category_id("fresh-fruit")), str(category_id(slug))])
    response = submit(client, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "食品生产许可证" in page
    assert count(Supplier) == 0 and count(User) == 0 and count(Image) == 0


@pytest.mark.parametrize("slug", ["fresh-fruit", "vegetables", "meat-poultry", "dried-goods"])
def test_categories_without_sc_need_no_food_licence(client, slug):
    response = submit(client, application(main_category_ids=[str(category_id(slug))]))
    assert response.status_code == 302
    assert count(Certification) == 0


@pytest.mark.both_databases
def test_with_the_food_licence_it_is_stored_as_a_certification(client):
    data = application(main_category_ids=[str(category_id("tea"))], **food_licence())
    response = submit(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    supplier = db.session.scalars(sa.select(Supplier)).one()
    cert = db.session.scalars(sa.select(Certification)).one()
    assert cert.kind == CertificationKind.FOOD_PRODUCTION_LICENCE
    assert cert.supplier_id == supplier.id
    assert cert.number == "SC10336073400012"
    assert cert.issuer == "寻乌县市场监督管理局"
    assert str(cert.valid_from) == "2024-03-01" and str(cert.valid_to) == "2029-02-28"
    assert cert.image.purpose == ImagePurpose.LICENCE
    assert "茶叶" in cert.scope


@pytest.mark.parametrize(
    "number",
    [
        "SC1033607340001",
        "SC103360734000123",
        "SD10336073400012",
        "10336073400012",
        "SC1033607340001X",
    ],
)
def test_the_food_licence_number_is_sc_and_14_digits(client, number):
    data = application(
        main_category_ids=[str(category_id("tea"))], **food_licence(food_licence_number=number)
    )
    response = submit(client, data)
    assert response.status_code == 422
    assert "SC" in response.get_data(as_text=True) and "14" in response.get_data(as_text=True)
    assert count(Supplier) == 0 and count(Certification) == 0


def test_an_expired_food_licence_is_refused(client):
    data = application(
        main_category_ids=[str(category_id("tea"))],
        **food_licence(food_licence_valid_from="2018-01-01", food_licence_valid_to="2023-01-01"),
    )
    response = submit(client, data)
    assert response.status_code == 422
    assert "已过期" in response.get_data(as_text=True)
    assert count(Supplier) == 0


def test_the_business_licence_image_is_required_and_must_be_an_image(client):
    data = application()
    del data["licence_image"]
    assert submit(client, data).status_code == 422
    fake = application(licence_image=(io.BytesIO(b"%PDF-1.4 not an image"), "x.png"))
    response = submit(client, fake)
    assert response.status_code == 422
    assert "JPEG" in response.get_data(as_text=True)
    assert count(Supplier) == 0 and count(User) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region_code", "110105", "赣州市"),  # Beijing: outside the platform's region
        ("region_code", "360734100", "村"),  # a township only: the village is needed
        ("region_code", "", "村"),
        ("registered_on", "2099-01-01", "不能晚于今天"),
        ("contact_phone", "12345", "手机"),
        ("main_category_ids", None, "类目"),
        ("password", "short", "8"),
        ("login", "not-a-phone", "11"),
        ("name", "", "必填"),
    ],
)
def test_bad_fields_are_refused_with_the_reason_and_nothing_is_created(
    client, field, value, message
):
    data = application(**{field: value}) if value is not None else application()
    if value is None:
        del data[field]
    response = submit(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Supplier) == 0 and count(User) == 0 and count(Image) == 0


def test_a_taken_credit_code_name_or_login_is_refused(client):
    existing = factories.SupplierFactory(name="已注册合作社")
    factories.consumer(phone="13907979999")
    db.session.commit()
    for overrides, message in [
        ({"uscc": existing.uscc}, "已被其他供应商注册"),
        ({"name": "已注册合作社"}, "已注册"),
        ({"login": "13907979999"}, "已存在"),
    ]:
        response = submit(client, application(**overrides))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert count(Supplier) == 1


def test_a_logged_in_consumer_is_asked_to_log_out_first(client):
    user = factories.consumer()
    db.session.commit()
    client.submit("/login", {"login": user.login, "password": factories.PASSWORD})
    assert "退出" in client.get("/supplier/apply").get_data(as_text=True)
    assert submit(client, application()).status_code == 422
    assert count(Supplier) == 0


def test_a_supplier_opening_apply_goes_to_the_portal(client, login_as):
    login_as(factories.supplier_staff(owner=True))
    assert client.get("/supplier/apply").location == "/supplier/"


# ----------------------------------------------------------------------------- the API


def api_apply(client, data):
    return client.post(
        "/api/v1/suppliers/applications", data=data, content_type="multipart/form-data"
    )


def test_api_application_creates_a_pending_supplier_and_its_owner(client):
    data = application(
        login="owner@example.com",
        kind="enterprise",
        uscc="91360734MA35L7XR1E",
        name="江西寻乌天源果业有限公司",
        main_category_ids=[str(category_id("processed-food"))],
        **food_licence(),
    )
    response = api_apply(client, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["supplier"]["status"] == "pending"
    assert body["supplier"]["uscc"] == "91360734MA35L7XR1E"
    assert body["supplier"]["can_sell"] is False
    assert body["owner"]["supplier_role"] == "owner"
    assert body["owner"]["email"] == "owner@example.com"
    assert "password" not in body["owner"]
    assert count(Certification) == 1


def test_api_application_errors_are_json_and_change_nothing(client):
    data = application(main_category_ids=[str(category_id("tea"))])
    response = api_apply(client, data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "food_licence_required"
    assert "food_licence_number" in body["errors"]
    assert set(body["messages"]) == {"zh_CN", "en"}
    assert count(Supplier) == 0 and count(User) == 0


def test_api_application_needs_the_licence_image(client):
    data = application()
    del data["licence_image"]
    response = api_apply(client, data)
    assert response.status_code == 422
    assert "licence_image" in response.get_json()["errors"]
    assert count(Supplier) == 0
