"""Each business predicate of the catalog has one Python and one SQL definition (on the model);
these tests hold the two against each other on the days where they could part: the first and
the last valid day, the days around them, today, a one-day period and an open-ended one (the
last day the calendar has), revoked rows — on PostgreSQL and on SQLite."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.models import (
    EXPIRY_WARNING_DAYS,
    Batch,
    BatchStatus,
    Certification,
    CertificationKind,
    CertificationState,
    Product,
    ProductStatus,
)
from suppliers.models import SupplierStatus
from tests import factories
from yipin import clock
from yipin.db import db

pytestmark = pytest.mark.both_databases

TODAY = date(2026, 11, 20)
DAY = timedelta(days=1)
FROM, TO = date(2026, 1, 1), date(2026, 12, 31)
DAYS = [FROM - DAY, FROM, TODAY, TO, TO + DAY, date(2031, 6, 1)]


def sql_says(row: Any, clause: Any) -> bool:
    """Whether the row matches ``clause`` in the database."""
    model = type(row)
    db.session.flush()
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.id == row.id, clause)
    )
    return found == 1


def certificate(
    supplier: Any, valid_from: date, valid_to: date, number: str, **kw: Any
) -> Certification:
    cert = Certification(
        supplier_id=supplier.id,
        kind=CertificationKind.GREEN_FOOD,
        number=number,
        issuer="中国绿色食品发展中心",
        valid_from=valid_from,
        valid_to=valid_to,
        **kw,
    )
    db.session.add(cert)
    db.session.flush()
    return cert


@pytest.fixture
def supplier(app, reference):
    return factories.SupplierFactory()


def test_certificate_valid_on_a_day_agrees_in_python_and_sql(supplier):
    periods = [
        certificate(supplier, FROM, TO, number="GF360734260001"),
        certificate(supplier, TODAY, TODAY, number="GF360734260002"),  # one day
        certificate(supplier, FROM, date.max, number="GF360734260003"),  # open-ended
        certificate(supplier, FROM, TO, number="GF360734260004", revoked_at=clock.now()),
    ]
    for cert in periods:
        for day in [*DAYS, cert.valid_from, cert.valid_to]:
            python = cert.is_valid_on(day)
            assert python == sql_says(cert, Certification.is_valid_on(day)), (cert, day)
            assert python == (
                cert.revoked_at is None and cert.valid_from <= day <= cert.valid_to
            ), (cert, day)
    first, _one_day, open_ended, revoked = periods
    assert first.is_valid_on(FROM) and first.is_valid_on(TO)  # both ends count
    assert not first.is_valid_on(FROM - DAY) and not first.is_valid_on(TO + DAY)
    assert open_ended.is_valid_on(date(2031, 6, 1)) and not revoked.is_valid_on(TODAY)


def test_certificate_state_agrees_in_python_and_sql(supplier):
    cert = certificate(supplier, FROM, TO, number="GF360734260011")
    revoked = certificate(supplier, FROM, TO, number="GF360734260012", revoked_at=clock.now())
    expected = {
        FROM - DAY: CertificationState.NOT_YET_VALID,
        FROM: CertificationState.VALID,
        TODAY: CertificationState.VALID,
        TO: CertificationState.VALID,
        TO + DAY: CertificationState.EXPIRED,
    }
    for day, state in expected.items():
        assert cert.state_on(day) == state
        assert revoked.state_on(day) == CertificationState.REVOKED
        for candidate in CertificationState:
            for row in (cert, revoked):
                in_sql = sql_says(row, Certification.in_state(candidate, day))
                assert in_sql == (row.state_on(day) == candidate), (row, day, candidate)
                assert sql_says(row, Certification.is_expired_on(day)) == row.is_expired_on(day)
                assert sql_says(row, Certification.is_upcoming_on(day)) == row.is_upcoming_on(day)


def test_certificate_expiring_soon_agrees_in_python_and_sql(supplier):
    cert = certificate(supplier, FROM, TO, number="GF360734260021")
    warn_from = TO - timedelta(days=EXPIRY_WARNING_DAYS)
    for day in (warn_from - DAY, warn_from, TODAY, TO, TO + DAY, FROM - DAY):
        python = cert.expires_soon(day)
        assert python == sql_says(cert, Certification.expires_within(day, EXPIRY_WARNING_DAYS))
        assert python == (FROM <= day <= TO and (TO - day).days <= EXPIRY_WARNING_DAYS)
    assert cert.days_left(TO) == 0 and cert.days_left(TO + DAY) == -1


def test_batch_on_sale_agrees_in_python_and_sql(supplier):
    batch = factories.BatchFactory()
    for status in BatchStatus:
        batch.status = status
        assert batch.is_on_sale == (status == BatchStatus.ACTIVE)
        assert sql_says(batch, Batch.is_on_sale) == batch.is_on_sale


def test_product_visible_to_consumers_agrees_in_python_and_sql(supplier):
    variant = factories.VariantFactory(product__supplier=supplier)
    product = variant.product

    def agree() -> bool:
        db.session.flush()
        db.session.expire_all()  # the Python side reads supplier and variants afresh
        python = bool(db.session.get(Product, product.id).is_visible)
        assert python == sql_says(db.session.get(Product, product.id), Product.is_visible)
        return python

    assert agree()  # listed, verified supplier, an active variant
    for status in ProductStatus:
        db.session.get(Product, product.id).status = status
        assert agree() == (status == ProductStatus.LISTED)
    db.session.get(Product, product.id).status = ProductStatus.LISTED
    for status in SupplierStatus:
        supplier.status = status
        assert agree() == (status == SupplierStatus.VERIFIED)
    supplier.status = SupplierStatus.VERIFIED
    variant.is_active = False
    assert not agree()  # nothing on sale
    factories.VariantFactory(product=db.session.get(Product, product.id))
    assert agree()


def test_product_shows_its_brand_only_under_a_valid_authorisation(supplier):
    product = factories.ProductFactory(supplier=supplier, brand_id=factories.brand().id)
    unbranded = factories.ProductFactory(supplier=supplier)
    auth = factories.authorise(supplier, valid_from=FROM, valid_to=TO)
    for day in DAYS:
        db.session.expire_all()
        for row in (product, unbranded):
            python = db.session.get(Product, row.id).shows_brand_on(day)
            assert python == sql_says(row, Product.shows_brand_on(day)), (row, day)
        expected = FROM <= day <= TO
        assert db.session.get(Product, product.id).shows_brand_on(day) == expected
        assert not db.session.get(Product, unbranded.id).shows_brand_on(day)
    auth.revoked_at = clock.now()
    db.session.flush()
    db.session.expire_all()
    assert not db.session.get(Product, product.id).shows_brand_on(TODAY)
    assert not sql_says(product, Product.shows_brand_on(TODAY))


def test_product_in_season_agrees_in_python_and_sql(supplier):
    """On sale in a month, on pre-sale, either: a winter season across the new year, a
    pre-sale before it, and a product on sale all year."""
    winter = factories.ProductFactory(
        supplier=supplier, sale_months=[11, 12, 1], presale_months=[10]
    )
    staple = factories.ProductFactory(supplier=supplier, sale_months=list(range(1, 13)))
    nothing = factories.ProductFactory(supplier=supplier, sale_months=[], presale_months=[])
    for product in (winter, staple, nothing):
        for month in range(1, 13):
            for predicate in ("on_sale_in", "presale_in", "in_season"):
                python = getattr(product, predicate)(month)
                sql = sql_says(product, getattr(Product, predicate)(month))
                assert python == sql, (product.sale_months, predicate, month)
    assert winter.on_sale_in(1) and winter.presale_in(10) and winter.in_season(10)
    assert not winter.in_season(9) and staple.in_season(6) and not nothing.in_season(6)
