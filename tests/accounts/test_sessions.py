"""Sessions that end (issue 7, finding 2): logging out, "log out everywhere", a password change
and an operator disabling an account make every earlier cookie useless, server-side; API tokens
are listed, named, revocable, shown once and never kept in the session cookie."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import PASSWORD, login
from yipin import clock
from yipin.accounts.models import UserSession
from yipin.db import db

pytestmark = pytest.mark.both_databases

SESSION = "session"
REMEMBER = "remember_token"


def cookies_of(client) -> dict[str, str]:
    found = {name: client.get_cookie(name) for name in (SESSION, REMEMBER)}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def replay(app, cookies: dict[str, str]):
    """A new browser holding copies of these cookies (a thief, or a shared computer)."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def assert_logged_out(app, cookies: dict[str, str]) -> None:
    thief = replay(app, cookies)
    page = thief.get("/account")
    assert page.status_code == 302 and page.location.startswith("/login"), page.status_code
    assert replay(app, cookies).get("/api/v1/me").status_code == 401


def assert_logged_in(app, cookies: dict[str, str]) -> None:
    assert replay(app, cookies).get("/account").status_code == 200


def test_cookies_saved_before_logout_open_nothing_after_it(app, client, database):
    user = factories.consumer()
    db.session.commit()
    login(client, user)
    saved = cookies_of(client)
    assert SESSION in saved
    assert_logged_in(app, saved)
    client.submit("/logout")
    assert_logged_out(app, saved)
    assert client.get("/account").status_code == 302


def test_a_remember_me_cookie_dies_with_its_session(app, client, database):
    user = factories.consumer()
    db.session.commit()
    response = client.submit("/login", {"login": user.login, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    remember = {REMEMBER: client.get_cookie(REMEMBER).value}
    assert_logged_in(app, remember)  # alone, it logs the browser back in
    client.submit("/logout")
    assert_logged_out(app, remember)
    assert client.get_cookie(REMEMBER) is None  # and the browser was told to drop it


def test_a_remember_me_session_ends_after_30_days_and_a_plain_one_after_14(app, client, database):
    user = factories.consumer()
    db.session.commit()
    client.submit("/login", {"login": user.login, "password": PASSWORD, "remember": "y"})
    remembered = {REMEMBER: client.get_cookie(REMEMBER).value}
    plain_browser = app.test_client()
    login(plain_browser, user)
    plain = cookies_of(plain_browser)
    clock.freeze(clock.now() + timedelta(days=15))
    assert_logged_out(app, plain)
    assert_logged_in(app, remembered)
    clock.freeze(clock.now() + timedelta(days=16))
    assert_logged_out(app, remembered)


def test_log_out_everywhere_ends_every_session_of_the_account(app, client, database):
    user = factories.consumer()
    other_user = factories.consumer()
    db.session.commit()
    phone = app.test_client()
    phone.submit("/login", {"login": user.login, "password": PASSWORD, "remember": "y"})
    on_phone = cookies_of(phone)
    stranger = app.test_client()
    login(stranger, other_user)
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert "log out everywhere" in page.lower() or "退出所有设备" in page
    here = cookies_of(client)
    response = client.submit("/account/sessions/end")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert_logged_out(app, on_phone)
    assert_logged_out(app, {REMEMBER: on_phone[REMEMBER]})
    assert_logged_out(app, here)
    assert stranger.get("/account").status_code == 200  # nobody else is touched


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, database):
    user = factories.consumer()
    db.session.commit()
    laptop = app.test_client()
    laptop.submit("/login", {"login": user.login, "password": PASSWORD, "remember": "y"})
    on_laptop = cookies_of(laptop)
    login(client, user)
    client.submit(
        "/account/password", {"current_password": PASSWORD, "new_password": "N3wPassword"}
    )
    assert client.get("/account").status_code == 200
    assert_logged_out(app, on_laptop)


def test_an_operator_disabling_an_account_ends_its_sessions(app, client, database):
    operator = factories.operator()
    user = factories.supplier_staff()
    db.session.commit()
    victim = app.test_client()
    victim.submit("/login", {"login": user.login, "password": PASSWORD, "remember": "y"})
    saved = cookies_of(victim)
    login(client, operator)
    response = client.api("PUT", f"/api/v1/users/{user.id}/active", json={"is_active": False})
    assert response.status_code == 200
    assert_logged_out(app, saved)
    assert_logged_out(app, {REMEMBER: saved[REMEMBER]})
    rows = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all()
    assert rows and all(r.revoked_at is not None for r in rows)


def test_the_cookies_carry_no_user_id(app, client, database):
    user = factories.consumer()
    db.session.commit()
    login(client, user)
    payload = _session_payload(client.get_cookie(SESSION).value)
    assert payload["_user_id"].startswith("s1.") and str(user.id) != payload["_user_id"]


def _session_payload(cookie: str) -> dict:
    """Flask's session cookie is signed, not encrypted: anyone holding it can read it."""
    body = cookie.split(".")[0 if not cookie.startswith(".") else 1]
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if cookie.startswith("."):
        data = zlib.decompress(data)
    return json.loads(data)


def test_api_tokens_are_named_listed_shown_once_and_revocable(app, client, database):
    user = factories.supplier_staff()
    db.session.commit()
    login(client, user)
    response = client.submit("/account/tokens", {"name": "ERP 同步", "expires_in_days": "30"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("yp_") and "ERP 同步" in page
    # never in a cookie, and not shown again
    for cookie in response.headers.getlist("Set-Cookie"):
        assert secret not in cookie
    assert secret not in json.dumps(_session_payload(client.get_cookie(SESSION).value))
    assert secret not in client.get("/account").get_data(as_text=True)
    # it works, it is listed by name (through the API too), and revoking it ends it
    bearer = {"Authorization": f"Bearer {secret}"}
    fresh = app.test_client()
    assert fresh.get("/api/v1/me", headers=bearer).status_code == 200
    listed = fresh.get("/api/v1/auth/tokens", headers=bearer).json
    assert [t["name"] for t in listed] == ["ERP 同步"] and "token" not in listed[0]
    assert fresh.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", headers=bearer).status_code == 204
    assert fresh.get("/api/v1/me", headers=bearer).status_code == 401


def test_a_token_request_leaves_no_session_behind(app, client, database):
    user = factories.supplier_staff()
    db.session.commit()
    token = client.post(
        "/api/v1/auth/tokens", json={"login": user.login, "password": PASSWORD, "name": "cli"}
    ).json["token"]
    fresh = app.test_client()
    response = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
