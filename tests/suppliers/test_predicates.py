"""The suppliers' predicates hold in Python and in SQL alike (see tests/catalog/test_predicates):
a brand authorisation valid on a day and its states, a supplier that may sell and one holding a
brand — on the first and last valid day, around them, for one day, open-ended and revoked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from suppliers.models import AuthorisationState, BrandAuthorisation, Supplier, SupplierStatus
from tests import factories
from yipin import clock
from yipin.db import db

pytestmark = pytest.mark.both_databases

DAY = timedelta(days=1)
TODAY = date(2026, 11, 20)
FROM, TO = date(2026, 1, 1), date(2026, 12, 31)
DAYS = [FROM - DAY, FROM, TODAY, TO, TO + DAY, date(2031, 6, 1)]


def sql_says(row: Any, clause: Any) -> bool:
    model = type(row)
    db.session.flush()
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.id == row.id, clause)
    )
    return found == 1


@pytest.fixture
def supplier(app, reference):
    return factories.SupplierFactory()


def test_authorisation_valid_on_a_day_agrees_in_python_and_sql(supplier):
    rows = [
        factories.authorise(supplier, "gannan-navel-orange", valid_from=FROM, valid_to=TO),
        factories.authorise(supplier, "xunwu-mandarin", valid_from=TODAY, valid_to=TODAY),
        factories.authorise(supplier, "gannan-camellia-oil", valid_from=FROM, valid_to=date.max),
        factories.authorise(
            supplier, "nankang-pomelo", valid_from=FROM, valid_to=TO, revoked_at=clock.now()
        ),
    ]
    for auth in rows:
        for day in [*DAYS, auth.valid_from, auth.valid_to]:
            python = auth.is_valid_on(day)
            assert python == sql_says(auth, BrandAuthorisation.is_valid_on(day)), (auth, day)
            assert python == (auth.revoked_at is None and auth.valid_from <= day <= auth.valid_to)
            for state in AuthorisationState:
                in_sql = sql_says(auth, BrandAuthorisation.in_state(state, day))
                assert in_sql == (auth.state_on(day) == state), (auth, day, state)
    first = rows[0]
    assert [first.state_on(d) for d in (FROM - DAY, FROM, TO, TO + DAY)] == [
        AuthorisationState.UPCOMING,
        AuthorisationState.VALID,
        AuthorisationState.VALID,
        AuthorisationState.EXPIRED,
    ]
    assert rows[2].is_valid_on(date(2031, 6, 1)) and rows[3].state_on(TODAY) == "revoked"


def test_supplier_may_sell_and_holds_a_brand_in_python_and_sql(supplier):
    brand = factories.brand()
    other = factories.brand("xunwu-mandarin")
    factories.authorise(supplier, valid_from=FROM, valid_to=TO)
    for status in SupplierStatus:
        supplier.status = status
        assert supplier.can_sell == (status == SupplierStatus.VERIFIED)
        assert sql_says(supplier, Supplier.can_sell) == supplier.can_sell
    for day in DAYS:
        db.session.expire_all()
        row = db.session.get(Supplier, supplier.id)
        for b in (brand, other):
            python = row.holds_brand(b.id, day)
            assert python == sql_says(row, Supplier.holds_brand(b.id, day)), (b.slug, day)
            assert python == (b.id == brand.id and FROM <= day <= TO)
