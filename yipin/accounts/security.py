"""Request-level security: session and token login, CSRF, bureau read-only, login limits."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from yipin.accounts import actions, sessions
from yipin.accounts.models import Role
from yipin.accounts.permissions import SAFE_METHODS, unauthorized
from yipin.db import db
from yipin.errors import DomainError
from yipin.extensions import csrf, limiter, login_manager
from yipin.i18n import _l

# Endpoints a bureau account may POST to: its own session, password and API tokens only.
BUREAU_WRITABLE = frozenset(
    {
        "accounts.logout",
        "accounts.end_sessions",
        "accounts.password",
        "accounts.create_token",
        "accounts.revoke_token",
        "accounts_api.Tokens",
        "accounts_api.TokenById",
    }
)


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
        g._login_user = user  # Flask-Login's current_user, for this request only: no session
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
    return response


def login_failed() -> None:
    """Mark this request as a failed login: it counts against the login limits."""
    g.login_failed = True


def _failed(response: Any) -> bool:
    return bool(g.get("login_failed"))


def _typed_login() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    login = request.form.get("login") or (body.get("login") if isinstance(body, dict) else "")
    return str(login or "")[:254]


def _login_key() -> str:
    """The account a login attempt is against, however its login was spelled: ``+86 139-0000-
    0013``, ``0086 13900000013`` and the account's e-mail all count against one budget.
    A login that names no account counts against its normalised form."""
    from yipin.db import db

    typed = _typed_login()
    try:
        login_id = actions.parse_login(typed)
    except DomainError:
        return "login:" + typed.strip().lower()
    user = actions.find_by_login(db.session, login_id)
    if user is not None:
        return f"account:{user.id}"
    return "login:" + (login_id.phone or login_id.email or "")


def _login_limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']} per minute"


def _address_limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE']} per minute"


def login_limits(view: Any) -> Any:
    """Failed logins: ``LOGIN_FAILURES_PER_MINUTE`` (5) a minute per account,
    ``LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE`` (20) per address; the next gets 429."""
    view = limiter.limit(_login_limit, key_func=_login_key, methods=["POST"], deduct_when=_failed)(
        view
    )
    view = limiter.limit(
        _address_limit, key_func=get_remote_address, methods=["POST"], deduct_when=_failed
    )(view)
    return view


def _signup_limit() -> str:
    return f"{current_app.config['SIGNUPS_PER_HOUR']} per hour"


def _signup_login_key() -> str:
    try:
        login_id = actions.parse_login(_typed_login())
    except DomainError:
        return "signup:" + _typed_login().strip().lower()
    return "signup:" + (login_id.phone or login_id.email or "")


def signup_limits(view: Any) -> Any:
    """Sign-ups: ``SIGNUPS_PER_HOUR`` per address, and 3 an hour per login (each attempt on a
    taken login sends its owner a notice), counted on every POST; the next gets 429."""
    view = limiter.limit(_signup_limit, key_func=get_remote_address, methods=["POST"])(view)
    view = limiter.limit("3 per hour", key_func=_signup_login_key, methods=["POST"])(view)
    return view


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(sessions.load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    app.before_request(before_request)
    app.after_request(after_request)
