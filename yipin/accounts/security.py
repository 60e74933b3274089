"""Request-level security: session and token login, CSRF, bureau read-only, login limits."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user

from yipin.accounts import actions
from yipin.accounts.models import Role, User
from yipin.accounts.permissions import SAFE_METHODS, unauthorized
from yipin.db import db
from yipin.extensions import csrf, limiter, login_manager
from yipin.i18n import _l

# Endpoints a bureau account may POST to: its own session, password and API tokens only.
BUREAU_WRITABLE = frozenset(
    {
        "accounts.logout",
        "accounts.password",
        "accounts.create_token",
        "accounts.revoke_token",
        "accounts_api.Tokens",
        "accounts_api.TokenById",
    }
)


def load_user(session_id: str) -> User | None:
    try:
        user_id, version = (int(part) for part in session_id.split("."))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _may_ride_on_cookies() -> bool:
    """Forms always need CSRF; API calls only when the site's cookies sign someone in.

    A cookie that is not a live session (expired, from another installation, made up) signs
    nobody in, so there is nothing to forge: the call goes on as an anonymous one, and an
    operation that needs a user answers 401 like any call without a credential."""
    if not request.path.startswith("/api/"):
        return True
    cookies = (
        current_app.config["SESSION_COOKIE_NAME"],
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )
    return any(name in request.cookies for name in cookies) and current_user.is_authenticated


def before_request() -> Any:
    """Token login for API clients, then CSRF for cookie sessions, then bureau read-only."""
    secret = bearer_token()
    if secret is not None:
        user = actions.user_for_token(db.session, secret)
        if user is None:
            return unauthorized_token()
        login_user(user)  # for this request only: token clients get no session cookie
        g.api_user = user
        g.token_auth = True
    elif request.method not in SAFE_METHODS and _may_ride_on_cookies():
        csrf.protect()

    if (
        request.method not in SAFE_METHODS
        and current_user.is_authenticated
        and current_user.role == Role.BUREAU
        and request.endpoint not in BUREAU_WRITABLE
    ):
        from yipin.errors import Forbidden

        raise Forbidden(_l("Bureau accounts are read-only."), code="read_only")
    return None


def unauthorized_token() -> Any:
    from yipin.errors import error_response
    from yipin.i18n import bilingual

    return error_response(
        401,
        "invalid_token",
        bilingual(_l("The API token is missing, expired or revoked.")),
        headers={"WWW-Authenticate": "Bearer"},
    )


def after_request(response: Any) -> Any:
    if g.get("token_auth"):
        # A token request must not leave a session cookie behind.
        from flask import session

        session.clear()
        session.modified = False
        response.headers.pop("Set-Cookie", None)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def login_failed() -> None:
    """Mark this request as a failed login: it counts against the login limits."""
    g.login_failed = True


def _failed(response: Any) -> bool:
    return bool(g.get("login_failed"))


def _login_key() -> str:
    login = request.form.get("login") or (request.get_json(silent=True) or {}).get("login") or ""
    return "login:" + str(login).strip().lower()


def _login_limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']} per minute"


def login_limits(view: Any) -> Any:
    """Failed logins: 5 a minute per account, 20 a minute per address; the next gets 429."""
    view = limiter.limit(_login_limit, key_func=_login_key, methods=["POST"], deduct_when=_failed)(
        view
    )
    view = limiter.limit(
        "20 per minute", key_func=get_remote_address, methods=["POST"], deduct_when=_failed
    )(view)
    return view


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    app.before_request(before_request)
    app.after_request(after_request)
