"""Who may list personal data, per role (issue 7, finding 4), over every GET route there is.

People are planted with names, phone numbers and addresses that appear nowhere else; then each
role reads every JSON and page route it can (ids filled in from the planted records), and the
test looks for the planted values in what comes back:

| role | may list people |
| --- | --- |
| operator | everyone |
| supplier staff | their own supplier's staff and contacts, nobody else's |
| bureau (county or city) | nobody: statistics, not people |
| consumer | themself |
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from tests import factories
from tests.conftest import login
from yipin.db import db

STAFF = {"display_name": "隐私员工甲", "phone": "13711112222", "email": "privacy-a@example.com"}
SUPPLIER = {
    "legal_representative": "隐私法人乙",
    "contact_name": "隐私联系人丙",
    "contact_phone": "13733334444",
    "contact_email": "contact-secret@example.com",
    "address_detail": "隐私路七号",
}
WAREHOUSE = {"contact_name": "隐私仓管丁", "contact_phone": "13755556666"}
BUYER = {"display_name": "隐私买家己", "phone": "13777778888"}
PEOPLE = [
    *STAFF.values(),
    *SUPPLIER.values(),
    *WAREHOUSE.values(),
    *BUYER.values(),
]


@pytest.fixture
def planted(app: Any, reference: Any) -> SimpleNamespace:
    supplier = factories.SupplierFactory(region_code="360734100201", **SUPPLIER)
    staff = factories.supplier_staff(supplier, owner=True, **STAFF)
    warehouse = factories.WarehouseFactory(supplier_id=supplier.id, **WAREHOUSE)
    product = factories.ProductFactory(supplier=supplier)
    variant = factories.VariantFactory(product=product)
    batch = factories.BatchFactory(variant=variant)
    factories.StockFactory(warehouse=warehouse, variant=variant)
    buyer = factories.consumer(**BUYER)
    factories.paid_order(buyer, [(variant, 1, batch)])
    other_supplier = factories.SupplierFactory(region_code="360734100201")
    db.session.commit()
    ids = {
        "supplier_id": supplier.id,
        "user_id": staff.id,
        "warehouse_id": warehouse.id,
        "product_id": product.id,
        "variant_id": variant.id,
        "batch_id": batch.id,
    }
    return SimpleNamespace(
        ids=ids,
        staff=staff,
        buyer=buyer,
        other_staff=factories.supplier_staff(other_supplier),
        county_bureau=factories.bureau(region="360734"),
        city_bureau=factories.bureau(),
        operator=factories.operator(),
    )


def _get_routes(app: Any, ids: dict[str, int]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.rule.endswith((".js", ".css")) or "/api/docs/assets" in rule.rule:
            continue
        url = rule.rule
        for name in rule.arguments:
            value = ids.get(name, 1)
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
        urls.append(url)
    return sorted(set(urls))


def _seen(client: Any, app: Any, ids: dict[str, int]) -> dict[str, list[str]]:
    """Planted values found in each route's answer (route → values)."""
    found: dict[str, list[str]] = {}
    for url in _get_routes(app, ids):
        response = client.get(url)
        body = response.get_data(as_text=True)
        hits = [value for value in PEOPLE if value in body]
        if hits:
            found[url] = hits
    return found


@pytest.mark.parametrize("who", ["county_bureau", "city_bureau"])
def test_bureau_accounts_list_no_personal_data_anywhere(app, client, planted, who):
    login(client, getattr(planted, who))
    assert client.get("/api/v1/users").status_code == 403
    assert client.get(f"/api/v1/suppliers/{planted.ids['supplier_id']}").status_code == 200
    assert client.get("/bureau/").status_code == 200
    assert _seen(client, app, planted.ids) == {}


def test_another_suppliers_staff_list_none_of_these_people(app, client, planted):
    login(client, planted.other_staff)
    assert _seen(client, app, planted.ids) == {}


def test_a_consumer_sees_only_themself(app, client, planted):
    login(client, planted.buyer)
    seen = _seen(client, app, planted.ids)
    assert {v for values in seen.values() for v in values} <= set(BUYER.values())
    assert client.get("/api/v1/me").json["phone"] == BUYER["phone"]


def test_a_suppliers_staff_see_their_own_people(client, planted):
    login(client, planted.staff)
    users = client.get("/api/v1/users").json
    assert STAFF["phone"] in {u["phone"] for u in users}
    record = client.get(f"/api/v1/suppliers/{planted.ids['supplier_id']}").json
    assert record["contact_phone"] == SUPPLIER["contact_phone"]


def test_operators_see_people_so_the_search_above_would_find_them(app, client, planted):
    login(client, planted.operator)
    seen = {v for values in _seen(client, app, planted.ids).values() for v in values}
    assert {STAFF["phone"], SUPPLIER["contact_phone"], WAREHOUSE["contact_phone"]} <= seen
