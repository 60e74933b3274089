"""Account actions: sign-up, authentication, staff accounts, passwords and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from yipin import clock, contact, platform
from yipin.accounts import passwords, sessions
from yipin.accounts.errors import (
    CannotDeactivateSelf,
    InvalidAccountData,
    InvalidLogin,
    LoginTaken,
    NotAllowedToCreate,
    WeakPassword,
    WrongPassword,
)
from yipin.accounts.models import ApiToken, Role, SupplierRole, User
from yipin.config import platform_region
from yipin.errors import NotFound
from yipin.i18n import _l, bilingual
from yipin.notifications import notify_user

TOKEN_PREFIX = "yp_"


@dataclass(frozen=True)
class LoginId:
    """A normalised login: exactly one of phone or email."""

    phone: str | None = None
    email: str | None = None


def parse_login(raw: str) -> LoginId:
    """A login as stored: a mainland mobile number (+86, spaces, dashes allowed) in its 11
    digits, or an e-mail address in lower case (see ``yipin.contact``)."""
    text = (raw or "").strip()
    if "@" in text:
        email = contact.email_address(text)
        if email is None:
            raise InvalidLogin(field="login")
        return LoginId(email=email)
    phone = contact.mobile_number(text)
    if phone is None:
        raise InvalidLogin(field="login")
    return LoginId(phone=phone)


def check_password_strength(password: str) -> None:
    if (
        len(password) < 8
        or len(password) > 128
        or not re.search(r"[A-Za-z]", password)
        or not re.search(r"[0-9]", password)
    ):
        raise WeakPassword(field="password")


def find_by_login(session: Session, login: LoginId) -> User | None:
    if login.phone:
        return session.scalar(sa.select(User).where(User.phone == login.phone))
    return session.scalar(sa.select(User).where(User.email == login.email))


def _ensure_free(session: Session, login: LoginId) -> None:
    if find_by_login(session, login) is not None:
        raise LoginTaken(field="login")


def register_consumer(session: Session, *, login: str, password: str, display_name: str) -> User:
    """Consumer sign-up with a phone number or e-mail and a password."""
    login_id = parse_login(login)
    check_password_strength(password)
    _ensure_free(session, login_id)
    user = User(
        phone=login_id.phone,
        email=login_id.email,
        password_hash=passwords.hash_password(password),
        display_name=(display_name or "").strip()[:80] or _default_name(login_id),
        role=Role.CONSUMER,
    )
    session.add(user)
    session.flush()
    return user


NOTE_SIGNUP_ATTEMPT = "accounts.signup_attempt"


def sign_up(session: Session, *, login: str, password: str, display_name: str) -> User | None:
    """Consumer sign-up that does not tell anyone whether a login is taken.

    A new login gets its account (returned). A taken one gets nothing: the account's owner
    is told instead (a notice on their account page) and None is returned, after the same
    password hashing work, so that the answer and its timing are the same either way."""
    login_id = parse_login(login)
    check_password_strength(password)
    existing = find_by_login(session, login_id)
    if existing is None:
        return register_consumer(session, login=login, password=password, display_name=display_name)
    passwords.hash_password(password)
    texts = bilingual(
        _l(
            "Someone tried to sign up with your phone number or e-mail address on %(day)s. "
            "Nothing was changed. If it was you, log in with your password."
        ),
        day=clock.to_local(clock.now()).strftime("%Y-%m-%d %H:%M"),
    )
    notify_user(
        session,
        existing.id,
        NOTE_SIGNUP_ATTEMPT,
        bilingual(_l("Sign-up attempt with your login"))["zh_CN"],
        f"{texts['zh_CN']}\n{texts['en']}",
    )
    return None


def _default_name(login: LoginId) -> str:
    if login.phone:
        return f"用户{login.phone[-4:]}"
    return (login.email or "").split("@")[0][:80]


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None (timing does not reveal which)."""
    try:
        login_id = parse_login(login)
    except InvalidLogin:
        passwords.verify_password(None, password)
        return None
    user = find_by_login(session, login_id)
    if user is None or not user.is_active:
        passwords.verify_password(None, password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    return user


def create_staff_account(
    session: Session,
    creator: User,
    *,
    role: Role,
    login: str,
    password: str,
    display_name: str,
    supplier_id: int | None = None,
    supplier_role: SupplierRole | None = None,
    bureau_region_code: str | None = None,
) -> User:
    """An operator creates operator, bureau and supplier accounts; an owner creates own staff."""
    if creator.role == Role.OPERATOR:
        pass
    elif creator.is_supplier_owner:
        if role != Role.SUPPLIER or supplier_id != creator.supplier_id:
            raise NotAllowedToCreate()
        supplier_role = SupplierRole.STAFF
    else:
        raise NotAllowedToCreate()

    if role == Role.SUPPLIER:
        if supplier_id is None:
            raise InvalidAccountData(field="supplier_id")
        if not platform.current().supplier_directory.exists(session, supplier_id):
            raise NotFound(field="supplier_id")
        supplier_role = supplier_role or SupplierRole.STAFF
    else:
        supplier_id, supplier_role = None, None
    if role == Role.BUREAU:
        bureau_region_code = _check_bureau_scope(session, bureau_region_code)
    else:
        bureau_region_code = None

    login_id = parse_login(login)
    check_password_strength(password)
    _ensure_free(session, login_id)
    user = User(
        phone=login_id.phone,
        email=login_id.email,
        password_hash=passwords.hash_password(password),
        display_name=(display_name or "").strip()[:80] or _default_name(login_id),
        role=role,
        supplier_id=supplier_id,
        supplier_role=supplier_role,
        bureau_region_code=bureau_region_code,
        created_by_id=creator.id,
    )
    session.add(user)
    session.flush()
    return user


def _check_bureau_scope(session: Session, code: str | None) -> str:
    """Bureau scope: the platform's region (by default) or a city or county within it."""
    from yipin.regions.models import Region

    home = platform_region()
    code = (code or home).strip()
    region = session.get(Region, code)
    if region is None or not code.startswith(home) or len(code) not in (2, 4, 6):
        raise InvalidAccountData(field="bureau_region_code")
    return code


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate or reactivate an account (operators; owners for their own staff)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    allowed = actor.role == Role.OPERATOR or (
        actor.is_supplier_owner
        and user.supplier_id == actor.supplier_id
        and user.supplier_role == SupplierRole.STAFF
    )
    if not allowed:
        raise NotFound()
    if user.id == actor.id and not active:
        raise CannotDeactivateSelf()  # nobody else might be left to turn it back on
    user.is_active = active
    if not active:
        sessions.end_all(session, user)  # every cookie and remember token of theirs dies
    session.flush()
    return user


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_session: int | None = None
) -> None:
    """Change one's password; every other session (all but ``keep_session``) is logged out."""
    if not passwords.verify_password(user.password_hash, current):
        raise WrongPassword(field="current_password")
    check_password_strength(new)
    user.password_hash = passwords.hash_password(new)
    sessions.end_all(session, user, keep=keep_session)
    session.flush()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_token(
    session: Session, user: User, name: str, expires_in_days: int | None = 365
) -> tuple[ApiToken, str]:
    """Create a bearer token; the secret is returned once and only its digest is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=(name or "API").strip()[:80],
        prefix=secret[:10],
        digest=_digest(secret),
        expires_at=clock.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def user_for_token(session: Session, secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.digest == _digest(secret)))
    now = clock.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token.user


def revoke_api_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    token.revoked_at = token.revoked_at or clock.now()
    session.flush()
