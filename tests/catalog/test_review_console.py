"""Operator console — listing review: the queue (oldest first, filters), the review page (the
product as consumers see it, what changed since the last approval, the checks) and decisions."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from catalog import actions
from catalog.models import Product, ProductStatus
from tests import factories
from tests.catalog import products_support as support
from yipin import clock
from yipin.db import db
from yipin.notifications import Notification

QUEUE = "/console/listings"


@pytest.fixture
def owner(app, reference):
    _supplier, owner = support.supplier_with_owner(name="寻乌县晨光脐橙专业合作社")
    db.session.commit()
    return owner


@pytest.fixture
def operator(app):
    user = factories.operator(display_name="审核员小王")
    db.session.commit()
    return user


def pending(owner, **kw) -> Product:
    product = support.draft_product(owner, **kw)
    actions.submit_for_review(db.session, owner, product.id)
    db.session.flush()
    return product


@pytest.mark.both_databases
def test_the_queue_lists_pending_products_oldest_first(owner, operator, login_as):
    clock.freeze(clock.now())
    first = pending(owner, name="先提交的脐橙")
    clock.advance(timedelta(hours=1))
    second = pending(owner, name="后提交的脐橙")
    support.draft_product(owner, name="草稿不在队列")
    support.listed_product(owner, operator, name="已上架不在队列")
    db.session.commit()
    page = login_as(operator).get(QUEUE).get_data(as_text=True)
    assert page.index("先提交的脐橙") < page.index("后提交的脐橙")
    assert "草稿不在队列" not in page and "已上架不在队列" not in page
    ids = re.findall(r'data-product-id="(\d+)"', page)
    assert ids == [str(first.id), str(second.id)]


@pytest.mark.both_databases
def test_the_queue_filters_by_brand_category_and_county(owner, operator, login_as):
    factories.authorise(owner.supplier, "gannan-navel-orange")
    branded = pending(owner, name="品牌脐橙", brand_id=factories.brand().id)
    plain = pending(owner, name="无品牌脐橙")
    _nk, nankang_owner = support.supplier_with_owner(region_code="360703001001")
    nankang = pending(nankang_owner, name="南康甜柚", origin_region_code="360703001001")
    db.session.commit()
    client = login_as(operator)

    def shown(query: str) -> set[str]:
        page = client.get(f"{QUEUE}?{query}").get_data(as_text=True)
        return set(re.findall(r'data-product-id="(\d+)"', page))

    assert shown(f"brand_id={factories.brand().id}") == {str(branded.id)}
    assert shown("county=360703") == {str(nankang.id)}
    assert shown("county=360734") == {str(branded.id), str(plain.id)}
    assert shown(f"category_id={factories.category('tea').id}") == set()
    assert shown(f"category_id={factories.category('fresh-fruit').id}") == {
        str(branded.id),
        str(plain.id),
        str(nankang.id),
    }
    assert client.get(f"{QUEUE}?county=abc&brand_id=x&page=0").status_code == 200


@pytest.mark.both_databases
def test_the_review_page_shows_the_product_and_what_changed(owner, operator, login_as):
    product = support.listed_product(owner, operator, name="赣南脐橙 晨光果园")
    variant = product.variants[0]
    actions.add_image(db.session, owner, product.id, io.BytesIO(support.png_bytes(200, 200)))
    actions.approve(db.session, operator, product.id)
    # the supplier changes the name, a variant's grade, its price, and adds a variant and a picture
    actions.update_product(
        db.session,
        owner,
        product.id,
        actions.ProductDraft.of(product, name="赣南脐橙 晨光果园 新季", sale_months=[11, 12]),
    )
    actions.update_variant(
        db.session,
        owner,
        variant.id,
        actions.VariantDraft.of(variant, grade_id=factories.grade("first").id, price_fen=5990),
    )
    actions.add_variant(db.session, owner, product.id, support.variant_draft(sku="CG-10KG"))
    actions.add_image(db.session, owner, product.id, io.BytesIO(support.png_bytes(220, 220, "red")))
    db.session.commit()
    assert product.status == ProductStatus.PENDING_REVIEW

    page = login_as(operator).get(f"{QUEUE}/{product.id}").get_data(as_text=True)
    assert "data-preview" in page and "赣南脐橙 晨光果园 新季" in page
    assert "可溶性固形物" in page  # grade criteria as the consumer sees them
    changes = page[page.index('data-diff="changes"') :]
    assert 'data-field="name"' in changes
    assert "赣南脐橙 晨光果园</span> → " in changes
    assert 'data-field="sale_months"' in changes
    assert f'data-variant="{variant.sku}" data-field="grade_id"' in changes
    assert "特等" in changes and "一等" in changes
    assert 'data-variant="CG-10KG"' in changes
    assert 'data-images="added"' in changes
    assert "¥59.90" in changes  # price change listed as not needing review
    assert 'data-field="description"' not in changes


def test_a_first_submission_says_so(owner, operator, login_as):
    product = pending(owner)
    db.session.commit()
    page = login_as(operator).get(f"{QUEUE}/{product.id}").get_data(as_text=True)
    assert 'data-diff="first"' in page
    assert 'data-check="supplier_verified"' in page


def test_a_resubmission_after_rejection_shows_what_was_fixed(owner, operator, login_as):
    product = pending(owner, subtitle="旧副标题")
    actions.reject(db.session, operator, product.id, "副标题夸大")
    actions.update_product(
        db.session, owner, product.id, actions.ProductDraft.of(product, subtitle="新副标题")
    )
    actions.submit_for_review(db.session, owner, product.id)
    db.session.commit()
    page = login_as(operator).get(f"{QUEUE}/{product.id}").get_data(as_text=True)
    assert 'data-field="subtitle"' in page and "旧副标题" in page and "新副标题" in page
    assert "副标题夸大" in page  # history with the reason


def test_approve_from_the_console_lists_it_and_tells_the_supplier(owner, operator, login_as):
    product = pending(owner)
    db.session.commit()
    client = login_as(operator)
    page = client.get(f"{QUEUE}/{product.id}").get_data(as_text=True)
    revision = re.search(r'name="revision"[^>]*value="(\d+)"', page).group(1)
    response = client.submit(f"{QUEUE}/{product.id}/approve", {"revision": revision})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.LISTED
    notes = db.session.query(Notification).filter_by(supplier_id=owner.supplier_id).all()
    assert notes and notes[-1].link.endswith(f"/products/{product.id}")


def test_approving_a_stale_revision_is_refused(owner, operator, login_as):
    product = pending(owner)
    db.session.commit()
    client = login_as(operator)
    seen = product.revision
    actions.update_product(
        db.session, owner, product.id, actions.ProductDraft.of(product, name="改过的名字")
    )
    db.session.commit()
    client.submit(f"{QUEUE}/{product.id}/approve", {"revision": str(seen)})
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW


def test_reject_needs_a_reason_in_the_console(owner, operator, login_as):
    product = pending(owner)
    db.session.commit()
    client = login_as(operator)
    response = client.submit(f"{QUEUE}/{product.id}/reject", {"reject-reason": ""})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW
    response = client.submit(f"{QUEUE}/{product.id}/reject", {"reject-reason": "缺少实拍图"})
    assert response.status_code == 302
    product = db.session.get(Product, product.id)
    assert product.status == ProductStatus.REJECTED and product.status_reason == "缺少实拍图"


def test_approval_is_blocked_when_a_rule_fails_on_the_day(owner, operator, login_as):
    auth = factories.authorise(owner.supplier)
    product = pending(owner, brand_id=factories.brand().id)
    auth.revoked_at = clock.now()
    db.session.commit()
    client = login_as(operator)
    page = client.get(f"{QUEUE}/{product.id}").get_data(as_text=True)
    assert re.search(r'class="bad" data-check="brand_authorised"', page)
    client.submit(f"{QUEUE}/{product.id}/approve", {"revision": str(product.revision)})
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW


@pytest.mark.parametrize("role", ["supplier", "consumer", "bureau"])
def test_only_operators_reach_the_console(owner, login_as, role):
    product = pending(owner)
    user = {
        "supplier": lambda: owner,
        "consumer": factories.consumer,
        "bureau": factories.bureau,
    }[role]()
    db.session.commit()
    client = login_as(user)
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}/{product.id}").status_code == 403
    response = client.submit(f"{QUEUE}/{product.id}/approve", {"revision": "1"})
    assert response.status_code == 403
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW


def test_the_listing_tab_links_to_the_queue(operator, login_as):
    page = login_as(operator).get("/console/").get_data(as_text=True)
    assert 'href="/console/listings"' in page
