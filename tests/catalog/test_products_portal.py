"""Supplier portal — products: list, create/edit form, variants, submit/withdraw/delist and the
review history, as supplier staff use them; other suppliers' staff get 404."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from catalog import actions
from catalog.models import ListingReview, Product, ProductStatus, ReviewEvent, Variant
from tests import factories
from tests.catalog import products_support as support
from yipin import clock
from yipin.db import db

BASE = "/supplier/catalog"


@pytest.fixture
def owner(app, reference):
    _supplier, owner = support.supplier_with_owner(name="寻乌县晨光脐橙专业合作社")
    db.session.commit()
    return owner


def form_data(**kw):
    data = {
        "category_id": str(factories.category("fresh-fruit").id),
        "brand_id": "",
        "grade_standard_id": str(factories.standard().id),
        "name": "赣南脐橙 晨光果园",
        "subtitle": "现摘现发",
        "origin_region_code": support.VILLAGE,
        "storage_class": "ambient",
        "shelf_life_days": "30",
        "sale_months": ["11", "12", "1"],
        "presale_months": ["10"],
        "description": "果园在寻乌县长宁镇。",
    }
    data.update(kw)
    return data


def variant_data(**kw):
    data = {
        "sku": "CG-5KG",
        "grade_id": str(factories.grade("premium").id),
        "spec": "5 kg 75–80 mm",
        "net_weight_g": "5000",
        "gross_weight_g": "5600",
        "price": "69.80",
        "list_price": "88",
        "per_order_limit": "",
        "is_active": "y",
        "sort_order": "0",
    }
    data.update(kw)
    return data


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


# ----------------------------------------------------------------------------- list


def test_the_list_shows_own_products_with_status_filter_and_search(owner, login_as):
    listed = support.listed_product(owner, factories.operator(), name="赣南脐橙 特级果")
    support.draft_product(owner, name="寻乌蜜桔 草稿")
    stranger, _ = support.supplier_with_owner()
    support.draft_product(factories.supplier_staff(stranger), name="别人家的脐橙")
    db.session.commit()
    client = login_as(owner)

    page = client.get(f"{BASE}/products").get_data(as_text=True)
    assert "赣南脐橙 特级果" in page and "寻乌蜜桔 草稿" in page
    assert "别人家的脐橙" not in page
    assert 'class="badge listed"' in page and 'class="badge draft"' in page

    only_listed = client.get(f"{BASE}/products?status=listed").get_data(as_text=True)
    assert "赣南脐橙 特级果" in only_listed and "寻乌蜜桔 草稿" not in only_listed

    found = client.get(f"{BASE}/products?q=蜜桔").get_data(as_text=True)
    assert "寻乌蜜桔 草稿" in found and "赣南脐橙 特级果" not in found
    by_sku = client.get(f"{BASE}/products?q=SKU-{listed.id}").get_data(as_text=True)
    assert "赣南脐橙 特级果" in by_sku

    assert client.get(f"{BASE}/products?status=bogus&page=-3").status_code == 200


def test_the_products_tab_is_in_the_portal(owner, login_as):
    page = login_as(owner).get("/supplier/").get_data(as_text=True)
    assert f'href="{BASE}/products"' in page


# ----------------------------------------------------------------------------- create / edit


def test_a_supplier_creates_a_product_through_the_form(owner, login_as):
    client = login_as(owner)
    assert client.get(f"{BASE}/products/new").status_code == 200
    response = client.submit(f"{BASE}/products/new", form_data())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    product = db.session.scalars(sa.select(Product)).one()
    assert product.name == "赣南脐橙 晨光果园"
    assert product.origin_region_code == support.VILLAGE
    assert product.sale_months == [1, 11, 12] and product.presale_months == [10]
    assert product.status == ProductStatus.DRAFT and product.supplier_id == owner.supplier_id
    assert response.headers["Location"].endswith(f"{BASE}/products/{product.id}")
    page = client.get(f"{BASE}/products/{product.id}").get_data(as_text=True)
    assert "三二五村" in page  # origin down to the village


def test_only_currently_authorised_brands_are_offered(owner, login_as):
    factories.authorise(owner.supplier, "gannan-navel-orange")
    factories.authorise(
        owner.supplier, "xunwu-mandarin", valid_from=date(2020, 1, 1), valid_to=date(2022, 1, 1)
    )
    factories.authorise(owner.supplier, "nankang-pomelo", revoked_at=clock.now())
    db.session.commit()
    page = login_as(owner).get(f"{BASE}/products/new").get_data(as_text=True)
    brands = options(page, "brand_id")
    assert "赣南脐橙" in brands
    assert "寻乌蜜桔" not in brands and "南康甜柚" not in brands
    assert "赣南茶油" not in brands


@pytest.mark.parametrize(
    ("case", "field_error"),
    [("none", "brand_id"), ("expired", "brand_id"), ("revoked", "brand_id"), ("outside", None)],
)
def test_the_form_refuses_a_brand_without_valid_authorisation(owner, login_as, case, field_error):
    brand = factories.brand("xunwu-mandarin")
    if case == "expired":
        factories.authorise(
            owner.supplier, "xunwu-mandarin", valid_from=date(2020, 1, 1), valid_to=date(2022, 1, 1)
        )
    elif case == "revoked":
        factories.authorise(owner.supplier, "xunwu-mandarin", revoked_at=clock.now())
    elif case == "outside":
        factories.authorise(owner.supplier, "xunwu-mandarin")
    db.session.commit()
    origin = support.NANKANG if case == "outside" else support.VILLAGE
    response = login_as(owner).submit(
        f"{BASE}/products/new", form_data(brand_id=str(brand.id), origin_region_code=origin)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert "寻乌蜜桔" in page  # the message names the brand
    if field_error:
        assert "贵单位没有“寻乌蜜桔”的有效品牌授权" in page
    else:
        assert "仅适用于产自江西省 赣州市 寻乌县的农产品" in page
    assert "内容尚未保存" in page
    assert support.count(Product) == 0


def test_the_form_refuses_a_food_category_without_an_sc_licence(owner, login_as):
    response = login_as(owner).submit(
        f"{BASE}/products/new",
        form_data(category_id=str(factories.category("tea").id), grade_standard_id=""),
    )
    assert response.status_code == 422
    assert "“茶叶”类目的商品需要有效的食品生产许可证（SC）" in response.get_data(as_text=True)
    assert support.count(Product) == 0


def test_bad_input_is_shown_and_nothing_is_saved(owner, login_as):
    client = login_as(owner)
    response = client.submit(
        f"{BASE}/products/new",
        form_data(name="", shelf_life_days="abc", sale_months=["4"], presale_months=["4"]),
    )
    assert response.status_code == 422
    assert support.count(Product) == 0
    response = client.submit(
        f"{BASE}/products/new", form_data(sale_months=["4"], presale_months=["4"])
    )
    assert response.status_code == 422
    assert support.count(Product) == 0


def test_editing_a_listed_products_content_sends_it_back_to_review(owner, login_as):
    product = support.listed_product(owner, factories.operator())
    db.session.commit()
    client = login_as(owner)
    page = client.get(f"{BASE}/products/{product.id}/edit").get_data(as_text=True)
    assert "赣南脐橙 寻乌果园直发" in page
    response = client.submit(
        f"{BASE}/products/{product.id}/edit", form_data(name="赣南脐橙 寻乌果园直发 新季")
    )
    assert response.status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.status == ProductStatus.PENDING_REVIEW
    assert product.reviews[-1].event == ReviewEvent.RETURNED_TO_REVIEW


# ----------------------------------------------------------------------------- variants


def test_a_variant_is_added_with_the_price_in_yuan(owner, login_as):
    product = support.draft_product(owner, with_variant=False)
    db.session.commit()
    client = login_as(owner)
    page = client.get(f"{BASE}/products/{product.id}/variants/new").get_data(as_text=True)
    grades = options(page, "grade_id")
    assert grades == ["特等", "一等", "二等"]  # the product's standard, sellable grades only
    response = client.submit(f"{BASE}/products/{product.id}/variants/new", variant_data())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    variant = db.session.scalars(sa.select(Variant)).one()
    assert (variant.price_fen, variant.list_price_fen) == (6980, 8800)
    assert variant.grade.name == "特等"
    detail = client.get(f"{BASE}/products/{product.id}").get_data(as_text=True)
    assert "¥69.80" in detail and "CG-5KG" in detail


@pytest.mark.parametrize(
    "grade", [("indica-1", "GB/T 1354-2018"), ("substandard", "GB/T 21488-2008")]
)
def test_the_variant_form_refuses_a_grade_outside_the_standard_or_unsellable(
    owner, login_as, grade
):
    product = support.draft_product(owner, with_variant=False)
    bad = factories.grade(*grade)
    db.session.commit()
    response = login_as(owner).submit(
        f"{BASE}/products/{product.id}/variants/new", variant_data(grade_id=str(bad.id))
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert "不属于商品的等级标准 GB/T 21488-2008" in page or "等外等级的农产品不得销售" in page
    assert support.count(Variant) == 0


def test_a_bad_price_is_explained(owner, login_as):
    product = support.draft_product(owner, with_variant=False)
    db.session.commit()
    client = login_as(owner)
    for price, list_price in (("abc", ""), ("12.345", ""), ("50", "40")):
        response = client.submit(
            f"{BASE}/products/{product.id}/variants/new",
            variant_data(price=price, list_price=list_price),
        )
        assert response.status_code == 422, price
    assert support.count(Variant) == 0


def test_a_price_change_on_the_variant_form_needs_no_review(owner, login_as):
    product = support.listed_product(owner, factories.operator())
    variant = product.variants[0]
    db.session.commit()
    client = login_as(owner)
    page = client.get(f"{BASE}/products/{product.id}/variants/{variant.id}/edit")
    assert 'value="69.80"' in page.get_data(as_text=True)
    data = variant_data(sku=variant.sku, price="59.90", list_price="")
    response = client.submit(f"{BASE}/products/{product.id}/variants/{variant.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).price_fen == 5990
    assert db.session.get(Product, product.id).status == ProductStatus.LISTED


# ----------------------------------------------------------------------------- review


def test_submit_withdraw_submit_and_delist_from_the_portal(owner, login_as):
    product = support.draft_product(owner)
    operator = factories.operator(display_name="审核员小王")
    db.session.commit()
    client = login_as(owner)
    url = f"{BASE}/products/{product.id}"
    assert client.submit(f"{url}/submit").status_code == 302
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW
    assert client.submit(f"{url}/withdraw").status_code == 302
    assert db.session.get(Product, product.id).status == ProductStatus.DRAFT
    client.submit(f"{url}/submit")
    actions.reject(db.session, operator, product.id, "图片与商品不符")
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "图片与商品不符" in page and "审核员小王" in page  # who / why in the history
    client.submit(f"{url}/submit")
    actions.approve(db.session, operator, product.id)
    db.session.commit()
    response = client.submit(f"{url}/delist", {"reason": ""})
    assert db.session.get(Product, product.id).status == ProductStatus.LISTED  # reason needed
    response = client.submit(f"{url}/delist", {"reason": "本季已售罄"})
    assert response.status_code == 302
    product = db.session.get(Product, product.id)
    assert product.status == ProductStatus.DELISTED and product.status_reason == "本季已售罄"
    events = [
        r.event
        for r in db.session.scalars(
            sa.select(ListingReview)
            .order_by(ListingReview.id)
            .where(ListingReview.product_id == product.id)
        )
    ]
    assert events == [
        ReviewEvent.SUBMITTED,
        ReviewEvent.WITHDRAWN,
        ReviewEvent.SUBMITTED,
        ReviewEvent.REJECTED,
        ReviewEvent.SUBMITTED,
        ReviewEvent.APPROVED,
        ReviewEvent.DELISTED,
    ]


def test_an_unverified_supplier_cannot_submit(app, reference, login_as):
    _supplier, owner = support.supplier_with_owner(status="pending")
    product = support.draft_product(owner)
    db.session.commit()
    client = login_as(owner)
    client.submit(f"{BASE}/products/{product.id}/submit")
    assert db.session.get(Product, product.id).status == ProductStatus.DRAFT


# ----------------------------------------------------------------------------- access


def test_other_suppliers_staff_get_404_everywhere(owner, login_as):
    product = support.draft_product(owner)
    variant = product.variants[0]
    before = support.snapshot(product.id)
    stranger = factories.supplier_staff()
    db.session.commit()
    client = login_as(stranger)
    url = f"{BASE}/products/{product.id}"
    for path in (url, f"{url}/edit", f"{url}/variants/new", f"{url}/variants/{variant.id}/edit"):
        assert client.get(path).status_code == 404, path
    posts = {
        f"{url}/edit": form_data(name="改名"),
        f"{url}/variants/new": variant_data(sku="X"),
        f"{url}/variants/{variant.id}/edit": variant_data(price="1"),
        f"{url}/submit": {},
        f"{url}/withdraw": {},
        f"{url}/delist": {"reason": "x"},
        f"{url}/images": {},
        f"{url}/images/1/alt": {"alt": "x"},
        f"{url}/images/1/move": {"direction": "up"},
        f"{url}/images/1/delete": {},
    }
    for path, data in posts.items():
        assert client.submit(path, data).status_code == 404, path
    assert support.snapshot(product.id) == before


@pytest.mark.parametrize("role", ["consumer", "operator", "bureau"])
def test_other_roles_are_refused(owner, login_as, role):
    product = support.draft_product(owner)
    user = {
        "consumer": factories.consumer,
        "operator": factories.operator,
        "bureau": factories.bureau,
    }[role]()
    db.session.commit()
    before = support.snapshot(product.id)
    client = login_as(user)
    assert client.get(f"{BASE}/products").status_code == 403
    assert client.get(f"{BASE}/products/{product.id}").status_code == 403
    response = client.submit(f"{BASE}/products/{product.id}/edit", form_data(name="改名"))
    assert response.status_code == 403
    assert client.submit(f"{BASE}/products/new", form_data()).status_code == 403
    assert support.snapshot(product.id) == before


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(f"{BASE}/products")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
