"""Limits that hold (issue 7, findings 1 and 6): failed logins count per account however the
login is spelled, sign-up is limited and does not say whether a login is taken, and N gunicorn
workers together enforce the configured numbers (Redis, or the database on the embedded
default) — tested against a real gunicorn with two workers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests import factories, testbed
from tests.conftest import PASSWORD
from yipin.accounts.models import User
from yipin.db import db
from yipin.notifications import Notification

ROOT = Path(__file__).resolve().parents[2]
SPELLINGS = ["+8613900000013", "139 0000 0013", "139-0000-0013", "0086 13900000013", "13900000013"]


def wrong(login: str) -> dict[str, str]:
    return {"login": login, "password": "wrong-password1"}


@pytest.mark.both_databases
def test_the_login_page_counts_failures_per_account_however_it_is_spelled(client, database):
    user = factories.consumer(phone="13900000013")
    db.session.commit()
    for spelling in SPELLINGS:  # five spellings, five failures against one account
        assert client.submit("/login", wrong(spelling)).status_code == 200
    response = client.submit("/login", {"login": "13900000013", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/account").status_code == 302
    assert user.is_active


@pytest.mark.both_databases
def test_the_token_endpoint_counts_failures_per_account_however_it_is_spelled(client, database):
    factories.consumer(phone="13900000013", email="chen@example.com")
    db.session.commit()
    for spelling in [*SPELLINGS[:4], "Chen@Example.com "]:  # its e-mail is the same account
        assert client.post("/api/v1/auth/tokens", json=wrong(spelling)).status_code == 401
    response = client.post(
        "/api/v1/auth/tokens", json={"login": "0086-139-0000-0013", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_an_unknown_login_counts_per_normalised_login(client):
    for spelling in SPELLINGS:
        assert client.post("/api/v1/auth/tokens", json=wrong(spelling)).status_code == 401
    assert client.post("/api/v1/auth/tokens", json=wrong("13900000013")).status_code == 429
    # another number still has its own budget
    assert client.post("/api/v1/auth/tokens", json=wrong("13900000014")).status_code == 401


def _flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash[^"]*" role="status">([^<]*)</p>', page)


@pytest.mark.both_databases
def test_sign_up_on_a_taken_login_tells_its_owner_not_the_visitor(app, client, database):
    owner = factories.consumer(phone="13900000013")
    db.session.commit()
    answers = []
    for login in ("+86 139 0000 0013", "13900000014"):  # taken, then new
        browser = app.test_client()
        response = browser.submit("/signup", {"login": login, "password": "Gannan2026"})
        page = browser.get(response.location).get_data(as_text=True)
        answers.append((response.status_code, response.location, _flashes(page)))
    assert answers[0] == answers[1] and answers[0][0] == 302 and answers[0][2]
    notes = db.session.scalars(sa.select(Notification).where(Notification.user_id == owner.id))
    assert [n.kind for n in notes] == ["accounts.signup_attempt"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    # the owner sees it on their account page
    client.submit("/login", {"login": owner.login, "password": PASSWORD})
    assert "注册" in client.get("/account").get_data(as_text=True)


def test_sign_up_is_rate_limited_per_address_and_per_login(app, client):
    app.config["SIGNUPS_PER_HOUR"] = 5

    def sign_up(login: str) -> int:
        return client.submit("/signup", {"login": login, "password": "Gannan2026"}).status_code

    assert [sign_up("13900000013") for _ in range(3)] == [302, 302, 302]  # one login, 3 times
    assert sign_up("139-0000-0013") == 429  # the fourth on it is refused, however spelled
    assert sign_up("13900000020") == 302  # the address's fifth attempt
    assert sign_up("13900000021") == 429  # and it has had its five


# ----------------------------------------------------------------------------- two workers


class Gunicorn:
    """``gunicorn -w 2 wsgi:app`` on a free port, with this test's database (and Redis).

    Each worker serves three requests and is replaced (``--max-requests 3``): counters kept in a
    worker's memory would be forgotten, so only a store shared by all workers can hold a limit.
    """

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.port = testbed.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "gunicorn.log"
        self.env = {**os.environ, **env, "YIPIN_INSTANCE_PATH": str(tmp / "instance")}

    def __enter__(self) -> Gunicorn:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--max-requests",
                "3",
                "--max-requests-jitter",
                "0",
                "--no-control-socket",  # several test servers run side by side
                "--bind",
                f"127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until it answers (bounded)
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            try:
                if requests.get(f"{self.url}/healthz", timeout=60).status_code in (200, 503):
                    return self
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError("gunicorn did not answer: " + self.log.read_text()[-3000:])

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def token(self, login: str, password: str) -> int:
        response = requests.post(
            f"{self.url}/api/v1/auth/tokens",
            json={"login": login, "password": password},
            timeout=60,
        )
        return response.status_code

    def workers_seen(self) -> int:
        """How many worker processes have booted (two at first, more as they are replaced)."""
        return self.log.read_text().count("Booting worker")


LIMITS = {
    "YIPIN_SECRET_KEY": "two-workers-one-secret",
    "YIPIN_LOGIN_FAILURES_PER_MINUTE": "3",
    "YIPIN_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE": "7",
    "YIPIN_ARGON2_TIME_COST": "1",
    "YIPIN_ARGON2_MEMORY_COST": "1024",
}


def _hammer(server: Gunicorn, login: str) -> None:
    """Per account: the configured 3 failures, then 429 even with the right password; per
    address: the configured 7 failures over several accounts, then 429."""
    spellings = ["+86 139 0000 0013", "139-0000-0013", "0086 13900000013"]
    for spelling in spellings:
        assert server.token(spelling, "wrong-password1") == 401
    assert server.token(login, PASSWORD) == 429
    for n in range(4):  # 3 + 4 = 7 failures from this address
        assert server.token(f"1390000010{n}", "wrong-password1") == 401
    assert server.token("13900000200", "wrong-password1") == 429
    assert server.workers_seen() >= 3  # workers were replaced: nothing lived in one process


@pytest.fixture
def limited_user(app: Any) -> User:
    user = factories.consumer(phone="13900000013")
    db.session.commit()
    return user


def test_two_gunicorn_workers_on_redis_enforce_the_configured_limits(
    app, limited_user, tmp_path, real_config
):
    env = {
        **LIMITS,
        "YIPIN_DATABASE_URL": real_config["DATABASE_URL"],
        "YIPIN_REDIS_URL": real_config["REDIS_URL"],
        "YIPIN_MEDIA_DIR": real_config["MEDIA_DIR"],
    }
    with Gunicorn(env, tmp_path) as server:
        _hammer(server, limited_user.login)


def test_two_gunicorn_workers_on_the_embedded_default_enforce_the_configured_limits(
    embedded_app, sqlite_url, media_dir, tmp_path
):
    """No Redis: the limits count in the database (``rate_limit_counters``)."""
    factories.consumer(phone="13900000013")
    db.session.commit()
    env = {**LIMITS, "YIPIN_DATABASE_URL": sqlite_url, "YIPIN_MEDIA_DIR": str(media_dir)}
    with Gunicorn(env, tmp_path) as server:
        _hammer(server, "13900000013")
