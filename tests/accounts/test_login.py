"""Sign-up, login, logout, rate limiting, CSRF and sessions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import PASSWORD, login
from yipin.accounts.models import Role, User
from yipin.db import db


@pytest.mark.both_databases
def test_consumer_signs_up_with_phone_and_logs_in(client):
    """Sign-up lands on the login page (the same answer as for a taken login, issue 7)."""
    response = client.submit(
        "/signup", {"login": "+86 139-1234-5678", "password": "Gannan2026", "display_name": "小赣"}
    )
    assert response.status_code == 302 and response.location.startswith("/login")
    user = db.session.scalar(sa.select(User).where(User.phone == "13912345678"))
    assert user is not None and user.role == Role.CONSUMER
    assert user.password_hash.startswith("$argon2id$")
    response = client.submit("/login", {"login": "139 1234 5678", "password": "Gannan2026"})
    assert response.status_code == 302
    assert "小赣" in client.get("/").get_data(as_text=True)


def test_sign_up_with_email_and_log_in_again(client):
    client.submit("/signup", {"login": "Chen@Example.com", "password": "Orange2026"})
    client.submit("/logout")
    response = client.submit("/login", {"login": "chen@example.com", "password": "Orange2026"})
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize(
    ("login_text", "password", "message"),
    [
        ("12345", "Gannan2026", "11"),  # not a phone number: the message says 11 digits
        ("13912345678", "short1", "8"),  # weak password: the message says 8 characters
        ("13912345678", "allletters", "8"),
    ],
)
def test_bad_sign_up_shows_the_reason_and_creates_nothing(client, login_text, password, message):
    response = client.submit("/signup", {"login": login_text, "password": password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_duplicate_sign_up_creates_nothing_and_does_not_say_the_login_is_taken(client):
    """Issue 7: a taken login is refused without saying so (its owner is told instead)."""
    owner = factories.consumer(phone="13912345678")
    db.session.commit()
    hash_before = owner.password_hash
    taken = client.submit("/signup", {"login": "13912345678", "password": "Gannan2026"})
    new = client.submit("/signup", {"login": "13912345679", "password": "Gannan2026"})
    assert (taken.status_code, taken.location) == (new.status_code, new.location)
    page = client.get(taken.location).get_data(as_text=True)
    assert "已存在" not in page and "already has an account" not in page
    db.session.refresh(owner)
    assert owner.password_hash == hash_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    response = client.submit("/login", {"login": "13912345678", "password": "Gannan2026"})
    assert response.status_code == 200  # the attempt did not take the account over


def test_wrong_password_does_not_log_in(client):
    user = factories.consumer()
    db.session.commit()
    response = client.submit("/login", {"login": user.login, "password": "wrong-password1"})
    assert response.status_code == 200
    assert "密码错误" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still anonymous


def test_sixth_failed_login_in_a_minute_gets_429(client):
    user = factories.consumer()
    db.session.commit()
    for _ in range(5):
        response = client.submit("/login", {"login": user.login, "password": "wrong-password1"})
        assert response.status_code == 200
    response = client.submit("/login", {"login": user.login, "password": PASSWORD})
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_successful_logins_do_not_count_against_the_limit(client):
    user = factories.consumer()
    db.session.commit()
    for _ in range(7):
        login(client, user)
        client.submit("/logout")


def test_form_without_csrf_token_is_rejected(client):
    user = factories.consumer()
    db.session.commit()
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "安全令牌" in body and "security token" in body
    response = client.post("/signup", data={"login": "13912345678", "password": "Gannan2026"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_api_call_with_session_cookie_needs_csrf_header(client):
    owner = factories.supplier_staff(owner=True)
    db.session.commit()
    login(client, owner)
    url = f"/api/v1/suppliers/{owner.supplier_id}"
    response = client.patch(url, json={"introduction": "新简介"})
    assert response.status_code == 400 and response.json["error"] == "csrf_failed"
    response = client.api("PATCH", url, json={"introduction": "新简介"})
    assert response.status_code == 200 and response.json["introduction"] == "新简介"


def test_password_change_logs_out_other_sessions(app, client):
    user = factories.consumer()
    db.session.commit()
    other = app.test_client()
    login(client, user)
    login(other, user)
    response = client.submit(
        "/account/password", {"current_password": PASSWORD, "new_password": "NewPassw0rd"}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session stays
    assert other.get("/account").status_code == 302  # the other one is gone


def test_session_cookie_is_http_only_and_same_site(client):
    user = factories.consumer()
    db.session.commit()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_in_production(real_config):
    from wsgi import create_app

    app = create_app({**real_config, "ENV_NAME": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_open_redirect_after_login_is_ignored(client):
    user = factories.consumer()
    db.session.commit()
    response = client.submit(
        "/login?next=//evil.example/steal", {"login": user.login, "password": PASSWORD}
    )
    assert response.location == "/"


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("consumer", "/"),
        ("operator", "/console/"),
        ("bureau", "/bureau/"),
        ("supplier", "/supplier/"),
    ],
)
def test_login_lands_on_the_roles_home(client, role, home):
    user = {
        "consumer": factories.consumer,
        "operator": factories.operator,
        "bureau": factories.bureau,
        "supplier": factories.supplier_staff,
    }[role]()
    db.session.commit()
    assert login(client, user).location == home
    assert client.get(home).status_code == 200


def test_inactive_account_cannot_log_in(client):
    user = factories.consumer(is_active=False)
    db.session.commit()
    response = client.submit("/login", {"login": user.login, "password": PASSWORD})
    assert response.status_code == 200 and "密码错误" in response.get_data(as_text=True)


def test_sign_up_and_rate_limit_on_the_embedded_defaults(embedded_client):
    """No Redis: the limiter counts in memory, sessions work the same."""
    response = embedded_client.submit("/signup", {"login": "13912340000", "password": "Gannan2026"})
    assert response.status_code == 302
    embedded_client.submit("/logout")
    for _ in range(5):
        embedded_client.submit("/login", {"login": "13912340000", "password": "nope-nope1"})
    blocked = embedded_client.submit("/login", {"login": "13912340000", "password": "Gannan2026"})
    assert blocked.status_code == 429


def test_every_response_carries_a_request_id(client):
    response = client.get("/", headers={"X-Request-ID": "lb-1234"})
    assert response.headers["X-Request-ID"] == "lb-1234"
    assert len(client.get("/").headers["X-Request-ID"]) == 16
