"""Server-side sessions: every login is a ``UserSession`` row, and cookies only name it.

Flask's session cookie and Flask-Login's remember-me cookie carry the row's random secret (the
database keeps its SHA-256 digest). Each request loads the row: revoked, expired or belonging
to a disabled account, it logs nobody in, whatever cookie a browser (or a thief) replays.

- ``log_in(user, remember=…)`` after a password check: a new row and fresh cookies.
- ``log_out()``: this row is revoked, the cookies cleared.
- ``end_all(session, user, keep=…)``: "log out everywhere", a password change (all but this
  one), an operator disabling an account (all).

Plain sessions last ``SESSION_LIFETIME_DAYS`` (14) at most, remembered ones
``REMEMBER_COOKIE_DURATION`` (30 days); ``last_seen_at`` is refreshed at most every five minutes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy.orm import Session

from yipin import clock
from yipin.accounts.models import User, UserSession

SEEN_EVERY = timedelta(minutes=5)
SECRET_PREFIX = "s1."


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    config = current_app.config
    if remember:
        duration = config.get("REMEMBER_COOKIE_DURATION", timedelta(days=30))
        return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))
    return timedelta(days=int(config.get("SESSION_LIFETIME_DAYS", 14)))


# ----------------------------------------------------------------------------- actions


def start(
    db_session: Session,
    user: User,
    *,
    remember: bool = False,
    user_agent: str = "",
    ip: str = "",
    lifetime: timedelta,
) -> str:
    """A new session row for ``user``; returns the secret its cookies will carry."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    db_session.add(
        UserSession(
            user_id=user.id,
            digest=_digest(secret),
            remember=remember,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            user_agent=(user_agent or "")[:200],
            ip=(ip or "")[:45],
        )
    )
    # forget this user's dead rows while we are here
    db_session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user.id,
            sa.or_(UserSession.expires_at < now, UserSession.revoked_at < now - timedelta(days=1)),
        )
    )
    db_session.flush()
    return secret


def find(db_session: Session, secret: str) -> UserSession | None:
    """The live session this secret names (its user active), or None."""
    if not secret or not secret.startswith(SECRET_PREFIX):
        return None
    row = db_session.scalar(sa.select(UserSession).where(UserSession.digest == _digest(secret)))
    now = clock.now()
    if row is None or not row.is_usable(now) or not row.user.is_active:
        return None
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
    return row


def end(db_session: Session, row: UserSession) -> None:
    row.revoked_at = row.revoked_at or clock.now()
    db_session.flush()


def end_all(db_session: Session, user: User, *, keep: int | None = None) -> int:
    """Revoke every live session of ``user`` (but ``keep``); returns how many."""
    stmt = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    result = db_session.execute(stmt.values(revoked_at=clock.now()))
    db_session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def live_sessions(db_session: Session, user: User) -> list[UserSession]:
    now = clock.now()
    return list(
        db_session.scalars(
            sa.select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


# ----------------------------------------------------------------------------- the web side


def load_user(secret: str) -> User | None:
    """Flask-Login's user loader: the session cookie's (or remember cookie's) secret."""
    from yipin.db import db

    row = find(db.session, secret)
    if row is None:
        return None
    g.user_session = row
    row.user.session_secret = secret
    return row.user


def current() -> UserSession | None:
    """The session row this request runs in (None for API tokens and anonymous visitors)."""
    return g.get("user_session")


def log_in(user: User, *, remember: bool = False) -> None:
    """Start a server-side session for ``user`` (after a password check) and set its cookies.

    Flushes the new row; the view commits its unit of work as usual."""
    from yipin.db import db

    session.clear()  # no value of an earlier visitor survives a login (fixation)
    secret = start(
        db.session,
        user,
        remember=remember,
        user_agent=request.user_agent.string,
        ip=request.remote_addr or "",
        lifetime=_lifetime(remember),
    )
    user.session_secret = secret
    login_user(user, remember=remember, duration=_lifetime(True) if remember else None)
    g.user_session = db.session.scalar(
        sa.select(UserSession).where(UserSession.digest == _digest(secret))
    )


def log_out() -> None:
    """End this request's session server-side and clear its cookies."""
    from yipin.db import db

    row = current()
    if row is not None:
        end(db.session, row)
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # Flask-Login deletes the remember-me cookie too
    g.pop("user_session", None)
