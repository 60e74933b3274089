"""The owner's staff page: create accounts, invite by a one-time link, deactivate and reactivate."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from suppliers import actions
from suppliers.errors import InvitationNotUsable
from suppliers.models import StaffInvitation
from tests import factories
from tests.conftest import PASSWORD
from yipin import clock
from yipin.accounts.models import Role, SupplierRole, User
from yipin.db import db

pytestmark = pytest.mark.usefixtures("reference")
LINK = re.compile(r'<code id="invite-link">https?://[^<]*/supplier/join/([A-Za-z0-9_\-]+)</code>')


@pytest.fixture
def owner():
    supplier = factories.SupplierFactory(name="寻乌县晨光脐橙专业合作社")
    return factories.supplier_staff(supplier, owner=True, display_name="刘建华")


def invite(client, name="钟小梅", phone=""):
    response = client.submit(
        "/supplier/staff/invitations", {"invite_name": name, "invite_phone": phone}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = LINK.search(response.get_data(as_text=True))
    assert match, "the invitation link is shown once"
    return match.group(1)


def test_owner_creates_a_staff_account_directly(client, login_as, owner):
    login_as(owner)
    response = client.submit(
        "/supplier/staff",
        {"display_name": "钟小梅", "login": "13907971111", "password": "Gannan2026"},
    )
    assert response.status_code == 302
    user = db.session.scalars(sa.select(User).where(User.phone == "13907971111")).one()
    assert (user.role, user.supplier_id, user.supplier_role) == (
        Role.SUPPLIER,
        owner.supplier_id,
        SupplierRole.STAFF,
    )
    assert user.created_by_id == owner.id
    page = client.get("/supplier/staff").get_data(as_text=True)
    assert "钟小梅" in page and "13907971111" in page


def test_a_bad_staff_account_is_refused_with_the_reason(client, login_as, owner):
    login_as(owner)
    response = client.submit(
        "/supplier/staff",
        {"display_name": "钟小梅", "login": owner.login, "password": "Gannan2026"},
    )
    assert response.status_code == 422
    assert "已存在" in response.get_data(as_text=True)
    response = client.submit(
        "/supplier/staff", {"display_name": "钟小梅", "login": "13907971112", "password": "short"}
    )
    assert response.status_code == 422 and "8" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.both_databases
def test_an_invitation_is_accepted_once_and_makes_staff(client, login_as, owner):
    login_as(owner)
    code = invite(client, phone="13907972222")
    invitation = db.session.scalars(sa.select(StaffInvitation)).one()
    # only the digest is stored, never the code
    assert invitation.digest == hashlib.sha256(code.encode()).hexdigest()
    assert code not in repr(db.session.execute(sa.text("SELECT * FROM staff_invitations")).all())
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    staff_page = client.get("/supplier/staff").get_data(as_text=True)
    assert code not in staff_page  # shown once only
    client.submit("/logout")

    page = client.get(f"/supplier/join/{code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "寻乌县晨光脐橙专业合作社" in text and "13907972222" in text  # prefilled
    response = client.submit(
        f"/supplier/join/{code}",
        {"display_name": "钟小梅", "login": "13907972222", "password": "Gannan2026"},
    )
    assert response.status_code == 302 and response.location == "/supplier/"
    user = db.session.scalars(sa.select(User).where(User.phone == "13907972222")).one()
    assert (user.supplier_id, user.supplier_role) == (owner.supplier_id, SupplierRole.STAFF)
    db.session.refresh(invitation)
    assert invitation.accepted_user_id == user.id and invitation.accepted_at is not None
    assert 'data-page="supplier-home"' in client.get("/supplier/").get_data(as_text=True)

    client.submit("/logout")
    again = client.get(f"/supplier/join/{code}")
    assert again.status_code == 410 and "已被使用" in again.get_data(as_text=True)
    reuse = client.submit(
        f"/supplier/join/{code}",
        {"display_name": "别人", "login": "13907973333", "password": "Gannan2026"},
    )
    assert reuse.status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_an_expired_invitation_is_refused(client, login_as, owner):
    clock.freeze(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    login_as(owner)
    code = invite(client)
    client.submit("/logout")
    clock.advance(timedelta(days=6, hours=23))
    assert client.get(f"/supplier/join/{code}").status_code == 200
    clock.advance(timedelta(hours=1))
    assert client.get(f"/supplier/join/{code}").status_code == 410
    response = client.submit(
        f"/supplier/join/{code}",
        {"display_name": "钟小梅", "login": "13907972222", "password": "Gannan2026"},
    )
    assert response.status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_revoked_invitation_is_refused(client, login_as, owner):
    login_as(owner)
    code = invite(client)
    invitation = db.session.scalars(sa.select(StaffInvitation)).one()
    response = client.submit(f"/supplier/staff/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert 'data-state="revoked"' in client.get("/supplier/staff").get_data(as_text=True)
    client.submit("/logout")
    assert client.get(f"/supplier/join/{code}").status_code == 410
    with pytest.raises(InvitationNotUsable):
        actions.accept_invitation(
            db.session, code, login="13907972222", password="Gannan2026", display_name="x"
        )


def test_unknown_codes_are_refused(client):
    assert client.get("/supplier/join/not-a-real-code").status_code == 410


def test_a_bad_join_form_says_why(client, login_as, owner):
    login_as(owner)
    code = invite(client)
    client.submit("/logout")
    response = client.submit(
        f"/supplier/join/{code}",
        {"display_name": "钟小梅", "login": owner.login, "password": "Gannan2026"},
    )
    assert response.status_code == 422 and "已存在" in response.get_data(as_text=True)
    invitation = db.session.scalars(sa.select(StaffInvitation)).one()
    assert invitation.accepted_at is None  # still usable


def test_deactivate_and_reactivate_staff(client, login_as, owner):
    staff = factories.supplier_staff(owner.supplier, display_name="钟小梅")
    db.session.commit()
    login_as(owner)
    assert client.submit(f"/supplier/staff/{staff.id}/active", {"active": "0"}).status_code == 302
    db.session.refresh(staff)
    assert not staff.is_active
    page = client.get("/supplier/staff").get_data(as_text=True)
    assert "已停用" in page
    # a deactivated member cannot log in
    other = client.application.test_client()
    response = other.submit("/login", {"login": staff.login, "password": PASSWORD})
    assert response.status_code == 200
    assert client.submit(f"/supplier/staff/{staff.id}/active", {"active": "1"}).status_code == 302
    db.session.refresh(staff)
    assert staff.is_active
    # the owner cannot deactivate themselves
    assert client.submit(f"/supplier/staff/{owner.id}/active", {"active": "0"}).status_code == 404


def test_staff_and_invitations_through_the_api(client, login_as, owner):
    login_as(owner)
    base = f"/api/v1/suppliers/{owner.supplier_id}"
    created = client.api(
        "POST",
        f"{base}/staff",
        json={"login": "staff@example.com", "password": "Gannan2026", "display_name": "钟小梅"},
    )
    assert created.status_code == 201 and created.get_json()["supplier_role"] == "staff"
    off = client.api(
        "PUT", f"{base}/staff/{created.get_json()['id']}/active", json={"is_active": False}
    )
    assert off.status_code == 200 and off.get_json()["is_active"] is False
    names = [u["display_name"] for u in client.get(f"{base}/staff").get_json()]
    assert names == ["刘建华", "钟小梅"]

    new = client.api("POST", f"{base}/invitations", json={"display_name": "赖小军"})
    assert new.status_code == 201
    body = new.get_json()
    assert body["state"] == "open" and body["link"].endswith(f"/supplier/join/{body['code']}")
    listed = client.get(f"{base}/invitations").get_json()
    assert "code" not in listed[0] and listed[0]["state"] == "open"
    client.submit("/logout")
    accepted = client.api(
        "POST",
        "/api/v1/suppliers/invitations/accept",
        json={
            "code": body["code"],
            "login": "13907975555",
            "password": "Gannan2026",
            "display_name": "赖小军",
        },
    )
    assert accepted.status_code == 201 and accepted.get_json()["supplier_id"] == owner.supplier_id
    again = client.api(
        "POST",
        "/api/v1/suppliers/invitations/accept",
        json={
            "code": body["code"],
            "login": "13907975556",
            "password": "Gannan2026",
            "display_name": "x",
        },
    )
    assert again.status_code == 410 and again.get_json()["error"] == "invitation_not_usable"


def test_revoking_through_the_api(client, login_as, owner):
    login_as(owner)
    base = f"/api/v1/suppliers/{owner.supplier_id}"
    body = client.api("POST", f"{base}/invitations", json={"display_name": "赖小军"}).get_json()
    assert client.api("DELETE", f"{base}/invitations/{body['id']}").status_code == 204
    assert client.get(f"{base}/invitations").get_json()[0]["state"] == "revoked"
