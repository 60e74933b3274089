"""The catalog rules through the actions: grades within the product's standard and sellable,
brands only with a valid authorisation and origin in the brand's region, SC licence for food
categories. A refused change changes nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from catalog import actions
from catalog.errors import (
    BrandNotAuthorised,
    FoodLicenceRequired,
    GradeNotInStandard,
    GradeNotSellable,
    GradeRequired,
    OriginOutsideBrand,
)
from catalog.models import Product, ProductStatus
from tests import factories
from tests.catalog import products_support as support
from yipin import clock
from yipin.db import db
from yipin.errors import Forbidden, NotFound

pytestmark = pytest.mark.both_databases


@pytest.fixture
def owner(app, reference):
    _supplier, owner = support.supplier_with_owner()
    return owner


# ----------------------------------------------------------------------------- grades


def test_a_grade_of_another_standard_is_refused_and_nothing_changes(owner):
    product = support.draft_product(owner)
    db.session.commit()
    before = support.snapshot(product.id)
    rice = factories.grade("indica-1", "GB/T 1354-2018")
    with pytest.raises(GradeNotInStandard) as refused:
        actions.add_variant(
            db.session, owner, product.id, support.variant_draft(sku="R1", grade_id=rice.id)
        )
    assert "GB/T 21488-2008" in refused.value.texts()["zh_CN"]
    db.session.rollback()
    assert support.snapshot(product.id) == before


def test_an_unsellable_grade_is_refused(owner):
    product = support.draft_product(owner)
    substandard = factories.grade("substandard")  # 等外
    with pytest.raises(GradeNotSellable) as refused:
        actions.add_variant(
            db.session, owner, product.id, support.variant_draft(sku="X1", grade_id=substandard.id)
        )
    assert "等外" in refused.value.texts()["zh_CN"]


def test_changing_a_variant_to_a_grade_outside_the_standard_is_refused(owner):
    product = support.draft_product(owner)
    variant = product.variants[0]
    tea_grade = factories.grade("indica-2", "GB/T 1354-2018")
    with pytest.raises(GradeNotInStandard):
        actions.update_variant(
            db.session, owner, variant.id, actions.VariantDraft.of(variant, grade_id=tea_grade.id)
        )


def test_a_graded_product_needs_a_grade_and_an_ungraded_one_none(owner):
    graded = support.draft_product(owner, with_variant=False)
    with pytest.raises(GradeRequired):
        actions.add_variant(db.session, owner, graded.id, support.variant_draft(grade_id=None))
    ungraded = support.draft_product(owner, with_variant=False, grade_standard_id=None)
    with pytest.raises(GradeNotInStandard):
        actions.add_variant(db.session, owner, ungraded.id, support.variant_draft())
    variant = actions.add_variant(
        db.session, owner, ungraded.id, support.variant_draft(sku="NG-1", grade_id=None)
    )
    assert variant.grade_id is None


# ----------------------------------------------------------------------------- brands


def test_a_brand_without_any_authorisation_is_refused(owner):
    brand = factories.brand("gannan-navel-orange")
    with pytest.raises(BrandNotAuthorised) as refused:
        support.draft_product(owner, brand_id=brand.id)
    assert refused.value.field == "brand_id"
    assert "赣南脐橙" in refused.value.texts()["zh_CN"]
    db.session.rollback()
    assert support.count(Product) == 0


def test_an_expired_authorisation_is_refused(owner):
    factories.authorise(
        owner.supplier,
        "gannan-navel-orange",
        valid_from=date(2020, 1, 1),
        valid_to=date(2023, 12, 31),
    )
    with pytest.raises(BrandNotAuthorised):
        support.draft_product(owner, brand_id=factories.brand().id)


def test_a_revoked_authorisation_is_refused(owner):
    factories.authorise(
        owner.supplier, "gannan-navel-orange", revoked_at=clock.now(), revoke_reason="违规使用"
    )
    with pytest.raises(BrandNotAuthorised):
        support.draft_product(owner, brand_id=factories.brand().id)


def test_another_suppliers_authorisation_does_not_count(owner):
    other = factories.SupplierFactory()
    factories.authorise(other, "gannan-navel-orange")
    with pytest.raises(BrandNotAuthorised):
        support.draft_product(owner, brand_id=factories.brand().id)


def test_an_origin_outside_the_brands_region_is_refused(owner):
    factories.authorise(owner.supplier, "xunwu-mandarin")  # 寻乌蜜桔: 寻乌县 only
    db.session.commit()
    with pytest.raises(OriginOutsideBrand) as refused:
        support.draft_product(
            owner, brand_id=factories.brand("xunwu-mandarin").id, origin_region_code=support.NANKANG
        )
    assert refused.value.field == "origin_region_code"
    db.session.rollback()
    factories.authorise(owner.supplier, "gannan-navel-orange")  # 赣州市
    with pytest.raises(OriginOutsideBrand):
        support.draft_product(
            owner, brand_id=factories.brand().id, origin_region_code=support.NANCHANG
        )


def test_a_valid_authorisation_allows_the_brand(owner):
    factories.authorise(owner.supplier, "xunwu-mandarin")
    product = support.draft_product(owner, brand_id=factories.brand("xunwu-mandarin").id)
    assert product.brand.name == "寻乌蜜桔"


def test_moving_a_branded_product_out_of_the_region_is_refused(owner):
    factories.authorise(owner.supplier, "xunwu-mandarin")
    product = support.draft_product(owner, brand_id=factories.brand("xunwu-mandarin").id)
    db.session.commit()
    before = support.snapshot(product.id)
    with pytest.raises(OriginOutsideBrand):
        actions.update_product(
            db.session,
            owner,
            product.id,
            actions.ProductDraft.of(product, origin_region_code=support.NANKANG),
        )
    db.session.rollback()
    assert support.snapshot(product.id) == before


# ----------------------------------------------------------------------------- food licence


def test_a_food_category_needs_a_valid_sc_licence(owner):
    oil = factories.category("grain-oil")
    db.session.commit()
    with pytest.raises(FoodLicenceRequired) as refused:
        support.draft_product(owner, False, category_id=oil.id, grade_standard_id=None)
    assert refused.value.field == "category_id"
    db.session.rollback()
    support.food_licence(owner.supplier, valid_from=date(2020, 1, 1), valid_to=date(2023, 1, 1))
    db.session.commit()
    with pytest.raises(FoodLicenceRequired):
        support.draft_product(owner, False, category_id=oil.id, grade_standard_id=None)
    db.session.rollback()
    support.food_licence(owner.supplier, number="SC11336070000999")
    product = support.draft_product(owner, False, category_id=oil.id, grade_standard_id=None)
    assert product.category.slug == "grain-oil"


def test_fresh_fruit_needs_no_licence(owner):
    assert support.draft_product(owner).status == ProductStatus.DRAFT


# ----------------------------------------------------------------------------- who


def test_another_suppliers_staff_cannot_touch_the_product(owner):
    product = support.draft_product(owner)
    stranger = factories.supplier_staff()
    with pytest.raises(NotFound):
        actions.update_product(
            db.session, stranger, product.id, actions.ProductDraft.of(product, name="改名")
        )
    with pytest.raises(NotFound):
        actions.create_product(db.session, stranger, owner.supplier_id, support.product_draft())
    with pytest.raises(Forbidden):
        actions.delist(db.session, factories.bureau(), product.id, "x")
    with pytest.raises(Forbidden):
        actions.approve(db.session, owner, product.id)


def test_approval_rechecks_the_brand_on_the_day(owner, app):
    operator = factories.operator()
    auth = factories.authorise(owner.supplier, valid_to=date(2026, 12, 31))
    clock.freeze(datetime(2026, 12, 30, 4, 0, tzinfo=clock.SHANGHAI))
    product = support.draft_product(owner, brand_id=factories.brand().id)
    actions.submit_for_review(db.session, owner, product.id)
    db.session.commit()
    clock.freeze(datetime(2027, 1, 2, 4, 0, tzinfo=clock.SHANGHAI))
    with pytest.raises(BrandNotAuthorised):
        actions.approve(db.session, operator, product.id)
    db.session.rollback()
    assert db.session.get(Product, product.id).status == ProductStatus.PENDING_REVIEW
    assert auth.valid_to == date(2026, 12, 31)
