"""Property-based fuzzing of the whole JSON API from its OpenAPI document (schemathesis +
hypothesis): whatever the input, no request produces a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests import factories
from tests.conftest import PASSWORD
from yipin.db import db

FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
SKIP = {("POST", "/api/v1/auth/tokens")}  # its rate limit would turn later examples into 429s


@pytest.fixture
def tokens(app, client, reference):
    """Bearer tokens of an operator, of a supplier owner with a little catalog, and of a
    consumer with something in the cart (checkout, orders, payments)."""
    operator = factories.operator()
    owner = factories.supplier_staff(owner=True)
    factories.authorise(owner.supplier)
    factories.BatchFactory(
        variant=factories.VariantFactory(product=factories.ProductFactory(supplier=owner.supplier))
    )
    consumer = factories.consumer()
    from tests.orders.world import build_shop, fill_cart

    shop = build_shop()
    fill_cart(consumer, [(shop.orange, 1), (shop.pork, 1)])
    db.session.commit()
    out = {}
    for name, user in (("operator", operator), ("supplier", owner), ("consumer", consumer)):
        response = client.post(
            "/api/v1/auth/tokens", json={"login": user.login, "password": PASSWORD}
        )
        out[name] = response.json["token"]
    return out


@pytest.mark.parametrize("who", ["operator", "supplier", "consumer"])
def test_no_api_request_produces_a_server_error(app, tokens, who):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens[who]}"}
            try:
                response = case.call()
            except Exception as exc:  # an unhandled exception is a server error
                failures.append((case.method, case.formatted_path, repr(exc)[:300]))
                return
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.text[:300]))

        fuzz()
        db.session.rollback()
    assert operations >= 10
    assert not failures, "\n".join(map(str, failures[:20]))
