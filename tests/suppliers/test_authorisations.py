"""Brand authorisations: operators grant and revoke; a supplier holds a brand only while valid."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from catalog import rules
from suppliers import actions, queries
from suppliers.errors import AuthorisationOverlaps, InvalidPeriod, ReasonRequired
from suppliers.models import BrandAuthorisation
from tests import factories
from yipin import clock
from yipin.db import db
from yipin.notifications import Notification

pytestmark = pytest.mark.usefixtures("reference")


def on(day: date) -> None:
    """Freeze the clock at noon in China on ``day``."""
    clock.freeze(datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC))


def grant(supplier, start="2026-01-01", end="2026-12-31", slug="gannan-navel-orange"):
    return actions.grant_authorisation(
        db.session,
        factories.operator(),
        supplier_id=supplier.id,
        brand_id=factories.brand(slug).id,
        valid_from=date.fromisoformat(start),
        valid_to=date.fromisoformat(end),
        certificate_number="GNQC-2026-0001",
    )


def holds(supplier, slug="gannan-navel-orange") -> bool:
    return rules.has_valid_authorisation(
        db.session, supplier.id, factories.brand(slug).id, clock.today_local()
    )


def test_a_granted_authorisation_is_valid_only_in_its_period():
    supplier = factories.SupplierFactory()
    auth = grant(supplier)
    on(date(2025, 12, 31))
    assert queries.authorisation_state(auth) == "upcoming" and not holds(supplier)
    on(date(2026, 1, 1))
    assert queries.authorisation_state(auth) == "valid" and holds(supplier)
    on(date(2026, 12, 31))
    assert queries.authorisation_state(auth) == "valid" and holds(supplier)
    on(date(2027, 1, 1))
    assert queries.authorisation_state(auth) == "expired" and not holds(supplier)
    assert not holds(supplier, "gannan-camellia-oil")  # another brand was never granted


def test_a_revoked_authorisation_is_no_longer_valid():
    on(date(2026, 6, 1))
    supplier = factories.SupplierFactory()
    auth = grant(supplier)
    assert holds(supplier)
    with pytest.raises(ReasonRequired):
        actions.revoke_authorisation(db.session, factories.operator(), auth.id, " ")
    actions.revoke_authorisation(db.session, factories.operator(), auth.id, "品牌使用不规范")
    assert queries.authorisation_state(auth) == "revoked" and not holds(supplier)
    kinds = db.session.scalars(
        sa.select(Notification.kind).where(Notification.supplier_id == supplier.id)
    ).all()
    assert kinds == ["brand.authorised", "brand.revoked"]


def test_periods_must_be_sane_and_must_not_overlap():
    supplier = factories.SupplierFactory()
    with pytest.raises(InvalidPeriod):
        grant(supplier, "2026-12-31", "2026-01-01")
    grant(supplier, "2026-01-01", "2026-12-31")
    with pytest.raises(AuthorisationOverlaps):
        grant(supplier, "2026-06-01", "2027-05-31")
    grant(supplier, "2027-01-01", "2027-12-31")  # a renewal right after is fine
    grant(supplier, "2026-06-01", "2027-05-31", slug="xunwu-mandarin")  # another brand too


def test_operator_grants_and_revokes_in_the_console(client, login_as):
    on(date(2026, 11, 20))
    supplier = factories.SupplierFactory(name="寻乌县晨光脐橙专业合作社")
    login_as(factories.operator())
    page = client.get(f"/console/suppliers/authorisations?supplier_id={supplier.id}")
    assert page.status_code == 200 and "发放品牌授权" in page.get_data(as_text=True)
    response = client.submit(
        "/console/suppliers/authorisations",
        {
            "supplier_id": str(supplier.id),
            "brand_id": str(factories.brand().id),
            "valid_from": "2026-11-01",
            "valid_to": "2027-10-31",
            "certificate_number": "GNQC-2026-0088",
        },
    )
    assert response.status_code == 302
    auth = db.session.scalars(sa.select(BrandAuthorisation)).one()
    assert auth.certificate_number == "GNQC-2026-0088"
    listing = client.get("/console/suppliers/authorisations").get_data(as_text=True)
    assert 'data-state="valid"' in listing and "赣南脐橙" in listing

    bad = client.submit(
        "/console/suppliers/authorisations",
        {
            "supplier_id": str(supplier.id),
            "brand_id": str(factories.brand().id),
            "valid_from": "2027-01-01",
            "valid_to": "2027-03-31",
        },
    )
    assert bad.status_code == 422 and "重叠" in bad.get_data(as_text=True)

    client.submit(f"/console/suppliers/authorisations/{auth.id}/revoke", {"reason": ""})
    db.session.refresh(auth)
    assert auth.revoked_at is None  # no reason, no revocation
    client.submit(f"/console/suppliers/authorisations/{auth.id}/revoke", {"reason": "违规使用"})
    db.session.refresh(auth)
    assert auth.revoked_at is not None and auth.revoke_reason == "违规使用"
    revoked = client.get("/console/suppliers/authorisations?state=revoked").get_data(as_text=True)
    assert 'data-state="revoked"' in revoked and "违规使用" in revoked


def test_the_supplier_sees_valid_expired_and_upcoming(client, login_as):
    on(date(2026, 11, 20))
    supplier = factories.SupplierFactory()
    factories.authorise(supplier, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    factories.authorise(
        supplier, "xunwu-mandarin", valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31)
    )
    factories.authorise(
        supplier, "gannan-camellia-oil", valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31)
    )
    other = factories.SupplierFactory()
    factories.authorise(other, "nankang-pomelo")
    login_as(factories.supplier_staff(supplier))
    page = client.get("/supplier/authorisations").get_data(as_text=True)
    rows = dict(
        re.findall(
            r'data-state="(\w+)">\s*<div class="who-line">\s*<b class="brand-name">([^<]+)</b>',
            page,
        )
    )
    assert {brand: state for state, brand in rows.items()} == {
        "赣南脐橙": "valid",
        "寻乌蜜桔": "expired",
        "赣南茶油": "upcoming",
    }
    assert "南康甜柚" not in page  # another supplier's


@pytest.mark.both_databases
def test_authorisations_api(client, login_as):
    on(date(2026, 11, 20))
    supplier = factories.SupplierFactory()
    operator = factories.operator()
    login_as(operator)
    payload = {
        "supplier_id": supplier.id,
        "brand_id": factories.brand().id,
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "certificate_number": "GNQC-1",
    }
    created = client.api("POST", "/api/v1/brand-authorisations", json=payload)
    assert created.status_code == 201
    body = created.get_json()
    assert body["state"] == "valid" and body["brand_slug"] == "gannan-navel-orange"
    clash = client.api("POST", "/api/v1/brand-authorisations", json=payload)
    assert clash.status_code == 409 and clash.get_json()["error"] == "authorisation_overlaps"
    backwards = client.api(
        "POST", "/api/v1/brand-authorisations", json={**payload, "valid_from": "2027-12-31"}
    )
    assert backwards.status_code == 422
    assert client.get("/api/v1/brand-authorisations?state=valid").get_json()[0]["id"] == body["id"]
    assert client.get("/api/v1/brand-authorisations?state=expired").get_json() == []
    no_reason = client.api("DELETE", f"/api/v1/brand-authorisations/{body['id']}", json={})
    assert no_reason.status_code == 422
    revoked = client.api(
        "DELETE", f"/api/v1/brand-authorisations/{body['id']}", json={"reason": "到期未续"}
    )
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    twice = client.api(
        "DELETE", f"/api/v1/brand-authorisations/{body['id']}", json={"reason": "again"}
    )
    assert twice.status_code == 409
    on(date(2027, 1, 2))
    login_as(operator)  # the login of 20 November has lasted its 14 days
    assert client.get(f"/api/v1/brand-authorisations/{body['id']}").get_json()["state"] == "revoked"
