"""Access rules that hold for every endpoint: bureau read-only, supplier isolation, roles."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import PASSWORD, login
from yipin.accounts.security import BUREAU_WRITABLE
from yipin.db import db

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _concrete(rule) -> str:
    """A URL for a rule with placeholder arguments."""
    url = rule.rule
    for name, conv in rule._converters.items():
        value = "1" if type(conv).__name__ in ("IntegerConverter", "NumberConverter") else "x"
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, url)
    return url


def _unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in BUREAU_WRITABLE or rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) & set(UNSAFE)):
            yield method, _concrete(rule), rule.endpoint


def test_bureau_accounts_can_change_nothing(app, client):
    supplier = factories.SupplierFactory()
    factories.supplier_staff(supplier, owner=True)
    user = factories.bureau()
    db.session.commit()
    login(client, user)
    before = _row_counts()
    routes = list(_unsafe_routes(app))
    assert len(routes) >= 5
    for method, url, endpoint in routes:
        response = client.api(method, url, json={})
        assert response.status_code == 403, (method, url, endpoint, response.status_code)
    assert _row_counts() == before


def test_bureau_token_can_change_nothing(app, client):
    user = factories.bureau(region="360734")
    supplier = factories.SupplierFactory()
    db.session.commit()
    token = client.post(
        "/api/v1/auth/tokens", json={"login": user.login, "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    fresh = app.test_client()
    assert fresh.get(f"/api/v1/suppliers/{supplier.id}", headers=headers).status_code == 200
    response = fresh.patch(
        f"/api/v1/suppliers/{supplier.id}", json={"introduction": "x"}, headers=headers
    )
    assert response.status_code == 403 and response.json["error"] == "read_only"


def test_bureau_reads_only_its_region(client):
    in_scope = factories.SupplierFactory(region_code="360734100201")
    out_of_scope = factories.SupplierFactory(region_code="360781100200")
    user = factories.bureau(region="360734")
    db.session.commit()
    login(client, user)
    listed = {s["id"] for s in client.get("/api/v1/suppliers").json}
    assert listed == {in_scope.id}
    assert client.get(f"/api/v1/suppliers/{out_of_scope.id}").status_code == 404


def test_supplier_staff_cannot_read_or_change_another_suppliers_record(client):
    mine = factories.supplier_staff(owner=True)
    other = factories.SupplierFactory(introduction="原简介")
    db.session.commit()
    login(client, mine)
    assert client.get(f"/api/v1/suppliers/{other.id}").status_code == 404
    response = client.api("PATCH", f"/api/v1/suppliers/{other.id}", json={"introduction": "改"})
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.introduction == "原简介"
    assert [s["id"] for s in client.get("/api/v1/suppliers").json] == [mine.supplier_id]


def test_supplier_staff_see_only_their_own_colleagues(client):
    owner = factories.supplier_staff(owner=True)
    colleague = factories.supplier_staff(owner.supplier)
    stranger = factories.supplier_staff()
    db.session.commit()
    login(client, owner)
    ids = {u["id"] for u in client.get("/api/v1/users").json}
    assert ids == {owner.id, colleague.id}
    response = client.api("PUT", f"/api/v1/users/{stranger.id}/active", json={"is_active": False})
    assert response.status_code == 404
    db.session.refresh(stranger)
    assert stranger.is_active


def test_staff_who_are_not_owners_cannot_edit_the_supplier(client):
    staff = factories.supplier_staff()
    db.session.commit()
    login(client, staff)
    response = client.api(
        "PATCH", f"/api/v1/suppliers/{staff.supplier_id}", json={"introduction": "x"}
    )
    assert response.status_code == 403


def test_owner_creates_staff_only_for_own_supplier(client):
    owner = factories.supplier_staff(owner=True)
    other = factories.SupplierFactory()
    db.session.commit()
    login(client, owner)
    body = {
        "role": "supplier",
        "login": "13700000001",
        "password": "Staff2026x",
        "display_name": "新员工",
        "supplier_id": owner.supplier_id,
        "supplier_role": "owner",
    }
    created = client.api("POST", "/api/v1/users", json=body)
    assert created.status_code == 201
    assert created.json["supplier_role"] == "staff"  # an owner makes staff, never owners
    body.update(login="13700000002", supplier_id=other.id)
    assert client.api("POST", "/api/v1/users", json=body).status_code == 403
    body.update(login="13700000003", role="operator")
    assert client.api("POST", "/api/v1/users", json=body).status_code == 403


def test_operator_creates_every_kind_of_staff_account(client):
    operator = factories.operator()
    supplier = factories.SupplierFactory()
    db.session.commit()
    login(client, operator)
    for body in (
        {"role": "operator", "login": "ops2@yipin.example"},
        {"role": "bureau", "login": "13700000010", "bureau_region_code": "360734"},
        {
            "role": "supplier",
            "login": "13700000011",
            "supplier_id": supplier.id,
            "supplier_role": "owner",
        },
    ):
        payload = {"password": "Strong2026x", "display_name": "新账号", **body}
        response = client.api("POST", "/api/v1/users", json=payload)
        assert response.status_code == 201, response.json
    bad = client.api(
        "POST",
        "/api/v1/users",
        json={
            "role": "bureau",
            "login": "13700000012",
            "password": "Strong2026x",
            "display_name": "外地",
            "bureau_region_code": "110105",
        },
    )
    assert bad.status_code == 422 and bad.json["error"] == "invalid_account"


@pytest.mark.parametrize("path", ["/console/", "/bureau/", "/supplier/"])
def test_consumers_are_kept_out_of_staff_pages(client, path):
    login(client, factories.consumer())
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/console/", "/bureau/", "/supplier/", "/account"])
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login?next=" in response.location


def test_anonymous_api_calls_get_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
