"""Headers (issue 7, finding 8): a Content-Security-Policy the pages satisfy, HSTS when cookies
are secure, a Permissions-Policy; and ``/healthz`` detail only for operators and loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import factories
from tests.browser.fixtures import browser_login
from tests.conftest import login
from yipin.db import db

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.html")
        if "templates" in p.parts and not ({".venv", "node_modules", ".git"} & set(p.parts))
    ]


def test_no_template_runs_script_the_policy_would_block():
    """Every template, whichever helper wrote it: no inline script without the nonce, no
    inline event handler, no ``javascript:`` URL."""
    offenders = []
    for path in _templates():
        text = path.read_text()
        for pattern, what in (
            (INLINE_SCRIPT, "inline <script> without nonce"),
            (EVENT_HANDLER, "inline event handler"),
            (JS_URL, "javascript: URL"),
        ):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:60]}")
    assert len(_templates()) > 40
    assert not offenders, "\n".join(offenders)


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_the_policy_and_their_scripts_its_nonce(client):
    for url in ("/", "/login", "/supplier/apply", "/api/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _directives(response.headers["Content-Security-Policy"])
        nonce = next(s for s in policy["script-src"] if s.startswith("'nonce-"))[7:-1]
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert "https://js.stripe.com" not in response.headers["Content-Security-Policy"]
        assert policy["frame-ancestors"] == ["'self'"]
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
            assert f'nonce="{nonce}"' in tag, (url, tag)
    first = client.get("/login").headers["Content-Security-Policy"]
    assert first != client.get("/login").headers["Content-Security-Policy"]  # a nonce each time


def test_a_view_can_widen_the_policy_for_itself_only(real_config, app):
    from flask import Blueprint

    from wsgi import create_app
    from yipin.headers import STRIPE_JS, content_security

    own = create_app(real_config)  # a blueprint of its own: not on the app other tests reuse

    bp = Blueprint("csp_probe", __name__)

    @bp.get("/csp-probe/pay")
    @content_security(**STRIPE_JS)
    def pay() -> str:
        return "pay"

    own.register_blueprint(bp)
    client = own.test_client()
    response = client.get("/csp-probe/pay")
    policy = _directives(response.headers["Content-Security-Policy"])
    assert "https://js.stripe.com" in policy["script-src"]
    assert policy["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert "https://api.stripe.com" in policy["connect-src"]
    assert 'payment=(self "https://js.stripe.com")' in response.headers["Permissions-Policy"]
    other = client.get("/login").headers
    assert "stripe" not in other["Content-Security-Policy"]
    assert "payment=()" in other["Permissions-Policy"]


def test_permissions_policy_and_hsts_follow_secure_cookies(real_config, client):
    from wsgi import create_app

    headers = client.get("/login").headers
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS
    secure = create_app({**real_config, "ENV_NAME": "production"}).test_client()
    hsts = secure.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert "max-age=63072000" in hsts and "includeSubDomains" in hsts


# ----------------------------------------------------------------------------- /healthz


PUBLIC = {"REMOTE_ADDR": "203.0.113.9"}


def test_the_public_probe_says_up_or_down_and_nothing_else(client, real_config):
    from wsgi import create_app

    response = client.get("/healthz", environ_base=PUBLIC)
    assert response.status_code == 200 and response.json == {"status": "up"}
    broken = create_app({**real_config, "ELASTICSEARCH_URL": "http://127.0.0.1:9"}).test_client()
    response = broken.get("/healthz", environ_base=PUBLIC)
    assert response.status_code == 503 and response.json == {"status": "down"}


def test_detail_is_for_loopback_and_operators(client):
    assert "components" in client.get("/healthz", environ_base={"REMOTE_ADDR": "127.0.0.1"}).json
    assert "components" in client.get("/healthz", environ_base={"REMOTE_ADDR": "::1"}).json
    # a proxy on this machine forwarding a visitor: public
    proxied = client.get(
        "/healthz",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert proxied.json == {"status": "up"}
    consumer = factories.consumer()
    operator = factories.operator()
    db.session.commit()
    login(client, consumer)
    assert client.get("/healthz", environ_base=PUBLIC).json == {"status": "up"}
    client.submit("/logout")
    login(client, operator)
    assert "components" in client.get("/healthz", environ_base=PUBLIC).json


# ----------------------------------------------------------------------------- in a browser


@pytest.mark.usefixtures("reference")
def test_pages_run_in_chromium_without_a_policy_violation(live_server, page):
    owner = factories.supplier_staff(owner=True)
    db.session.commit()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server}/supplier/apply")
    page.wait_for_load_state("networkidle")
    # the page's own script ran: the food-licence fields hide until a category needs them
    assert page.locator("[data-food-licence]").first.is_hidden()
    for url in ("/", "/login", "/api/docs"):
        page.goto(f"{live_server}{url}")
        page.wait_for_load_state("networkidle")
    assert page.locator(".swagger-ui").count() >= 1  # Swagger UI started under the policy
    browser_login(page, live_server, owner.login)
    for url in ("/supplier/", "/supplier/staff", "/account", "/supplier/trace/certifications/new"):
        page.goto(f"{live_server}{url}")
        page.wait_for_load_state("networkidle")
    assert not violations, violations
