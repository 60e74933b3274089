"""The products JSON API: who sees and changes what, the rules through the API, pagination."""

from __future__ import annotations

import json
from datetime import date

import pytest

from catalog import actions
from catalog.models import Product, Variant
from tests import factories
from tests.catalog import products_support as support
from yipin import clock
from yipin.db import db

API = "/api/v1"


@pytest.fixture
def owner(app, reference):
    _supplier, owner = support.supplier_with_owner()  # 寻乌县
    db.session.commit()
    return owner


def product_body(**kw):
    body = {
        "category_id": factories.category("fresh-fruit").id,
        "name": "赣南脐橙 API 果园",
        "origin_region_code": support.VILLAGE,
        "shelf_life_days": 25,
        "grade_standard_id": factories.standard().id,
        "sale_months": [11, 12],
        "presale_months": [10],
        "description": "直发",
    }
    body.update(kw)
    return body


def variant_body(**kw):
    body = {
        "sku": "API-5KG",
        "spec": "5 kg",
        "net_weight_g": 5000,
        "gross_weight_g": 5500,
        "price_fen": 6500,
        "grade_id": factories.grade("first").id,
    }
    body.update(kw)
    return body


# ----------------------------------------------------------------------------- create & read


def test_a_supplier_creates_a_product_with_a_variant(owner, login_as):
    client = login_as(owner)
    response = client.api("POST", f"{API}/products", json=product_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["supplier_id"] == owner.supplier_id
    assert body["storage_class"] == "ambient"  # the category's default
    assert body["origin_name"].endswith("三二五村委会")
    response = client.api("POST", f"{API}/products/{body['id']}/variants", json=variant_body())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["grade_name"] == "一等"
    detail = client.get(f"{API}/products/{body['id']}").get_json()
    assert [v["sku"] for v in detail["variants"]] == ["API-5KG"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sale_months": [13]}, "sale_months"),
        ({"name": ""}, "name"),
        ({"origin_region_code": "abc"}, "origin_region_code"),
        ({"shelf_life_days": 0}, "shelf_life_days"),
        ({"storage_class": "warm"}, "storage_class"),
        ({"category_id": 99999}, "category_id"),
        ({"origin_region_code": "999999"}, "origin_region_code"),
        ({"grade_standard_id": 99999}, "grade_standard_id"),
        ({"sale_months": [4], "presale_months": [4]}, "presale_months"),
    ],
)
def test_bad_product_input_is_a_4xx_with_the_field(owner, login_as, body, field):
    response = login_as(owner).api("POST", f"{API}/products", json=product_body(**body))
    assert response.status_code in (404, 422), response.get_json()
    errors = response.get_json()["errors"]
    assert field in json.dumps(errors), errors
    assert support.count(Product) == 0


def test_the_api_refuses_brands_without_valid_authorisation(owner, login_as):
    brand = factories.brand("xunwu-mandarin")
    client = login_as(owner)
    response = client.api("POST", f"{API}/products", json=product_body(brand_id=brand.id))
    assert response.status_code == 422 and response.get_json()["error"] == "brand_not_authorised"
    factories.authorise(
        owner.supplier, "xunwu-mandarin", valid_from=date(2020, 1, 1), valid_to=date(2021, 1, 1)
    )
    db.session.commit()
    response = client.api("POST", f"{API}/products", json=product_body(brand_id=brand.id))
    assert response.get_json()["error"] == "brand_not_authorised"
    factories.authorise(owner.supplier, "xunwu-mandarin", revoked_at=clock.now())
    db.session.commit()
    response = client.api("POST", f"{API}/products", json=product_body(brand_id=brand.id))
    assert response.get_json()["error"] == "brand_not_authorised"
    factories.authorise(owner.supplier, "xunwu-mandarin")
    db.session.commit()
    response = client.api(
        "POST",
        f"{API}/products",
        json=product_body(brand_id=brand.id, origin_region_code=support.NANKANG),
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "origin_outside_brand"
    assert "origin_region_code" in response.get_json()["errors"]
    assert support.count(Product) == 0
    response = client.api("POST", f"{API}/products", json=product_body(brand_id=brand.id))
    assert response.status_code == 201


def test_the_api_refuses_a_food_category_without_an_sc_licence(owner, login_as):
    honey = factories.category("honey")
    response = login_as(owner).api(
        "POST", f"{API}/products", json=product_body(category_id=honey.id, grade_standard_id=None)
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "food_licence_required" and "category_id" in body["errors"]
    assert body["messages"]["zh_CN"] != body["messages"]["en"]
    assert support.count(Product) == 0


@pytest.mark.parametrize(
    "grade", [("japonica-1", "GB/T 1354-2018"), ("substandard", "GB/T 21488-2008")]
)
def test_the_api_refuses_grades_outside_the_standard_or_unsellable(owner, login_as, grade):
    product = support.draft_product(owner)
    variant = product.variants[0]
    db.session.commit()
    before = support.snapshot(product.id)
    bad = factories.grade(*grade).id
    client = login_as(owner)
    response = client.api(
        "POST", f"{API}/products/{product.id}/variants", json=variant_body(grade_id=bad)
    )
    assert response.status_code == 422
    assert response.get_json()["error"] in ("grade_not_in_standard", "grade_not_sellable")
    response = client.api("PATCH", f"{API}/variants/{variant.id}", json={"grade_id": bad})
    assert response.status_code == 422
    assert support.snapshot(product.id) == before


def test_duplicate_skus_and_bad_prices_are_refused(owner, login_as):
    product = support.draft_product(owner)
    variant = product.variants[0]
    db.session.commit()
    client = login_as(owner)
    response = client.api(
        "POST", f"{API}/products/{product.id}/variants", json=variant_body(sku=variant.sku)
    )
    assert response.status_code == 409 and response.get_json()["error"] == "duplicate_sku"
    url = f"{API}/variants/{variant.id}/price"
    assert client.api("PUT", url, json={"price_fen": 0}).status_code == 422
    assert client.api("PUT", url, json={"price_fen": "12.5"}).status_code == 422
    response = client.api("PUT", url, json={"price_fen": 9000, "list_price_fen": 8000})
    assert response.status_code == 422 and "list_price_fen" in response.get_json()["errors"]
    assert db.session.get(Variant, variant.id).price_fen == 6980


# ----------------------------------------------------------------------------- lists


@pytest.mark.both_databases
def test_lists_are_scoped_and_paginated(owner, client, app):
    from tests.conftest import login

    for n in range(3):
        support.draft_product(owner, name=f"寻乌脐橙 {n}")
    nankang, nankang_owner = support.supplier_with_owner(region_code="360703001001")
    support.draft_product(nankang_owner, name="南康甜柚", origin_region_code="360703001001")
    operator = factories.operator()
    xunwu_bureau = factories.bureau("360734")
    consumer = factories.consumer()
    db.session.commit()

    login(client, owner)
    response = client.get(f"{API}/products?page_size=2")
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    names = {p["name"] for p in client.get(f"{API}/products?page=1&page_size=50").get_json()}
    assert "南康甜柚" not in names and len(names) == 3
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login(client, operator)
    assert len(client.get(f"{API}/products").get_json()) == 4
    only = client.get(f"{API}/products?supplier_id={nankang.id}").get_json()
    assert [p["name"] for p in only] == ["南康甜柚"]
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login(client, xunwu_bureau)
    seen = {p["name"] for p in client.get(f"{API}/products").get_json()}
    assert seen == {"寻乌脐橙 0", "寻乌脐橙 1", "寻乌脐橙 2"}
    nankang_product = db.session.query(Product).filter_by(name="南康甜柚").one()
    assert client.get(f"{API}/products/{nankang_product.id}").status_code == 404
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login(client, consumer)
    assert client.get(f"{API}/products").status_code == 403
    assert client.get(f"{API}/products/{nankang_product.id}").status_code == 403
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})
    assert client.get(f"{API}/products").status_code == 401


# ----------------------------------------------------------------------------- refusals


def test_every_endpoint_refuses_another_suppliers_staff(owner, login_as):
    product = support.draft_product(owner)
    variant = product.variants[0]
    link = actions.add_image(
        db.session, owner, product.id, __import__("io").BytesIO(support.png_bytes())
    )
    stranger = factories.supplier_staff()
    db.session.commit()
    before = support.snapshot(product.id)
    client = login_as(stranger)
    pid, vid = product.id, variant.id
    calls = [
        ("GET", f"{API}/products/{pid}", None),
        ("PATCH", f"{API}/products/{pid}", {"name": "改名"}),
        ("POST", f"{API}/products/{pid}/variants", variant_body(sku="S-1")),
        ("PATCH", f"{API}/variants/{vid}", {"price_fen": 1}),
        ("PUT", f"{API}/variants/{vid}/price", {"price_fen": 1}),
        ("PATCH", f"{API}/products/{pid}/images/{link.id}", {"alt": "x"}),
        ("DELETE", f"{API}/products/{pid}/images/{link.id}", None),
        ("POST", f"{API}/products/{pid}/review", {"action": "submit"}),
        ("POST", f"{API}/products/{pid}/review", {"action": "delist", "reason": "x"}),
        ("GET", f"{API}/products/{pid}/reviews", None),
    ]
    for method, url, body in calls:
        kw = {"json": body} if body is not None else {}
        response = client.api(method, url, **kw)
        assert response.status_code == 404, (method, url, response.get_json())
    assert all(p["id"] != pid for p in client.get(f"{API}/products").get_json())
    assert support.snapshot(product.id) == before


@pytest.mark.parametrize("role", ["consumer", "bureau", "operator"])
def test_consumers_bureau_and_operators_cannot_change_content(owner, login_as, role):
    product = support.draft_product(owner)
    variant = product.variants[0]
    user = {
        "consumer": factories.consumer,
        "bureau": factories.bureau,
        "operator": factories.operator,
    }[role]()
    db.session.commit()
    before = support.snapshot(product.id)
    client = login_as(user)
    pid, vid = product.id, variant.id
    for method, url, body in [
        ("POST", f"{API}/products", product_body()),
        ("PATCH", f"{API}/products/{pid}", {"name": "改名"}),
        ("POST", f"{API}/products/{pid}/variants", variant_body(sku="S-2")),
        ("PATCH", f"{API}/variants/{vid}", {"spec": "x"}),
        ("PUT", f"{API}/variants/{vid}/price", {"price_fen": 1}),
        ("POST", f"{API}/products/{pid}/review", {"action": "submit"}),
    ]:
        response = client.api(method, url, json=body)
        assert response.status_code == 403, (role, method, url)
    if role == "bureau":
        assert client.get(f"{API}/products/{pid}").status_code == 200  # read-only, in region
        assert client.get(f"{API}/products/{pid}/reviews").status_code == 200
    assert support.snapshot(product.id) == before
