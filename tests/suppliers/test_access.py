"""Every suppliers endpoint checks the role and the owning supplier: another supplier's staff get
404, a non-owner 403 where only the owner may act, bureau accounts read but never change, and
consumers are turned away."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from suppliers import actions
from suppliers.models import StaffInvitation, Supplier, SupplierStatus
from tests import factories
from tests.suppliers.conftest import count
from yipin.db import db

pytestmark = pytest.mark.usefixtures("reference")


@pytest.fixture
def world():
    """Two suppliers (寻乌 and 瑞金), each with an owner and a staff member, plus their data."""
    mine = factories.SupplierFactory(name="寻乌县甲合作社")
    theirs = factories.SupplierFactory(name="瑞金市乙合作社", region_code="360781100001")
    w = {
        "mine": mine,
        "theirs": theirs,
        "owner": factories.supplier_staff(mine, owner=True),
        "staff": factories.supplier_staff(mine),
        "their_owner": factories.supplier_staff(theirs, owner=True),
        "their_staff": factories.supplier_staff(theirs),
        "operator": factories.operator(),
    }
    w["their_invitation"], _ = actions.invite_staff(
        db.session, w["their_owner"], theirs.id, display_name="小李"
    )
    w["my_invitation"], _ = actions.invite_staff(
        db.session, w["owner"], mine.id, display_name="小王"
    )
    w["their_auth"] = factories.authorise(theirs)
    w["my_auth"] = factories.authorise(mine)
    db.session.commit()
    return w


def api_calls(w, target):
    """(method, url, json) of every supplier-scoped API endpoint, aimed at ``target``."""
    s = w[target]
    staff = w["their_staff" if target == "theirs" else "staff"]
    inv = w["their_invitation" if target == "theirs" else "my_invitation"]
    base = f"/api/v1/suppliers/{s.id}"
    return [
        ("GET", base, None),
        ("PATCH", base, {"contact_name": "改名"}),
        ("POST", f"{base}/verification", {"action": "suspend", "reason": "x"}),
        ("GET", f"{base}/history", None),
        ("GET", f"{base}/staff", None),
        (
            "POST",
            f"{base}/staff",
            {"login": "13911110000", "password": "Gannan2026", "display_name": "新"},
        ),
        ("PUT", f"{base}/staff/{staff.id}/active", {"is_active": False}),
        ("GET", f"{base}/invitations", None),
        ("POST", f"{base}/invitations", {"display_name": "新人"}),
        ("DELETE", f"{base}/invitations/{inv.id}", None),
    ]


def call(client, method, url, payload):
    if method == "GET":
        return client.get(url)
    return client.api(method, url, json=payload)


def test_another_suppliers_staff_get_404_everywhere(client, login_as, world):
    login_as(world["owner"])
    for method, url, payload in api_calls(world, "theirs"):
        response = call(client, method, url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
    auth = world["their_auth"]
    assert client.get(f"/api/v1/brand-authorisations/{auth.id}").status_code == 404
    assert (
        client.api("DELETE", f"/api/v1/brand-authorisations/{auth.id}", json={"reason": "x"})
    ).status_code == 404
    listed = client.get("/api/v1/brand-authorisations").get_json()
    assert [a["supplier_id"] for a in listed] == [world["mine"].id]
    assert [s["id"] for s in client.get("/api/v1/suppliers").get_json()] == [world["mine"].id]
    # the portal acts on the user's own supplier; ids of another supplier's records are 404
    their_inv = world["their_invitation"]
    assert client.submit(f"/supplier/staff/invitations/{their_inv.id}/revoke").status_code == 404
    assert (
        client.submit(f"/supplier/staff/{world['their_staff'].id}/active", {"active": "0"})
    ).status_code == 404
    db.session.refresh(their_inv)
    db.session.refresh(world["their_staff"])
    assert their_inv.revoked_at is None and world["their_staff"].is_active


OWNER_ONLY = {"PATCH", "POST", "PUT", "DELETE"}


def test_staff_read_their_supplier_but_only_the_owner_changes_it(client, login_as, world):
    login_as(world["staff"])
    for method, url, payload in api_calls(world, "mine"):
        response = call(client, method, url, payload)
        expected = 403 if method in OWNER_ONLY else 200
        assert response.status_code == expected, (method, url, response.status_code)
    assert count(StaffInvitation) == 2
    for path in ("/supplier/", "/supplier/staff", "/supplier/profile", "/supplier/authorisations"):
        assert client.get(path).status_code == 200, path
    for path, data in [
        (
            "/supplier/staff",
            {"display_name": "x", "login": "13911110001", "password": "Gannan2026"},
        ),
        ("/supplier/staff/invitations", {"invite_name": "x"}),
        (f"/supplier/staff/invitations/{world['my_invitation'].id}/revoke", {}),
        (f"/supplier/staff/{world['staff'].id}/active", {"active": "0"}),
        ("/supplier/profile", {"contact_name": "改", "contact_phone": "13907970001"}),
        ("/supplier/profile/resubmit", {}),
    ]:
        assert client.submit(path, data).status_code == 403, path
    page = client.get("/supplier/staff").get_data(as_text=True)
    assert "只有负责人" in page and "生成邀请链接" not in page


def test_the_owner_may_change_what_staff_may_not(client, login_as, world):
    login_as(world["owner"])
    base = f"/api/v1/suppliers/{world['mine'].id}"
    assert client.api("PATCH", base, json={"contact_name": "刘主任"}).status_code == 200
    assert (
        client.api("POST", f"{base}/invitations", json={"display_name": "新人"}).status_code == 201
    )
    # but not verify itself, nor grant itself a brand
    assert (
        client.api("POST", f"{base}/verification", json={"action": "suspend", "reason": "x"})
    ).status_code == 403
    grant = {
        "supplier_id": world["mine"].id,
        "brand_id": factories.brand().id,
        "valid_from": "2027-01-01",
        "valid_to": "2027-12-31",
    }
    assert client.api("POST", "/api/v1/brand-authorisations", json=grant).status_code == 403
    assert client.get("/console/suppliers/").status_code == 403


def test_bureau_reads_suppliers_of_its_region_and_changes_nothing(client, login_as, world):
    login_as(factories.bureau(region="360734"))  # 寻乌县
    mine, theirs = world["mine"].id, world["theirs"].id
    assert client.get(f"/api/v1/suppliers/{mine}").status_code == 200
    assert client.get(f"/api/v1/suppliers/{mine}/history").status_code == 200
    assert client.get(f"/api/v1/suppliers/{theirs}").status_code == 404  # 瑞金: outside
    assert [s["id"] for s in client.get("/api/v1/suppliers").get_json()] == [mine]
    listed = client.get("/api/v1/brand-authorisations").get_json()
    assert {a["supplier_id"] for a in listed} == {mine}
    assert client.get(f"/api/v1/suppliers/{mine}/staff").status_code == 403
    for method, url, payload in api_calls(world, "mine"):
        if method != "GET":
            assert call(client, method, url, payload).status_code == 403, (method, url)
    assert client.get("/console/suppliers/").status_code == 403
    assert client.get("/supplier/").status_code == 403
    db.session.refresh(world["mine"])
    assert world["mine"].status == SupplierStatus.VERIFIED


def test_consumers_are_turned_away(client, login_as, world):
    login_as(factories.consumer())
    for method, url, payload in api_calls(world, "mine"):
        assert call(client, method, url, payload).status_code == 403, (method, url)
    assert client.get("/api/v1/suppliers").status_code == 403
    assert client.get("/api/v1/brand-authorisations").status_code == 403
    for path in (
        "/supplier/",
        "/supplier/staff",
        "/supplier/profile",
        "/supplier/authorisations",
        "/console/suppliers/",
        f"/console/suppliers/{world['mine'].id}",
        "/console/suppliers/authorisations",
    ):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for path in ("/supplier/", "/supplier/staff", "/console/suppliers/"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login"), path
    assert client.get(f"/api/v1/suppliers/{world['mine'].id}").status_code == 401
    assert client.get("/api/v1/brand-authorisations").status_code == 401
    assert client.get("/supplier/apply").status_code == 200


def test_operators_manage_any_supplier(client, login_as, world):
    login_as(world["operator"])
    base = f"/api/v1/suppliers/{world['theirs'].id}"
    for method, url, payload in api_calls(world, "theirs"):
        response = call(client, method, url, payload)
        assert response.status_code in (200, 201, 204), (method, url, response.get_json())
    theirs = db.session.get(Supplier, world["theirs"].id)
    assert theirs.status == SupplierStatus.SUSPENDED and theirs.contact_name == "改名"
    assert client.get(f"{base}/history").get_json()[-1]["to_status"] == "suspended"
    assert db.session.scalar(sa.select(Supplier.status).where(Supplier.id == world["mine"].id)) == (
        SupplierStatus.VERIFIED
    )
