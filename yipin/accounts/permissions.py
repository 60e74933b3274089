"""Who may read and change what. Every view and API resource asks here, nowhere else.

- Operators may read and change everything.
- Supplier staff may read and change only records whose ``owner_supplier_id`` is their
  supplier; a record of another supplier is reported as missing (404), never revealed.
  Owner-only actions (staff, the supplier's own record) also need ``supplier_role == owner``.
- Bureau staff may read what lies in their region (the city or one county) and change nothing;
  an unsafe HTTP method from a bureau account is refused before any view runs.
- Consumers reach only their own records (``owner_user_id``) and public pages.

Personal data — who people are and how to reach them (names, phone numbers, e-mail and home
addresses, last logins) — is listed only to operators and, for their own supplier, to supplier
staff; a person sees their own. Bureau accounts read statistics, not people: ``/api/v1/users``
refuses them, and schema fields of type ``yipin.fields.Personal`` dump None to them.

| role | may list people |
| --- | --- |
| operator | everyone |
| supplier staff | their supplier's staff and contacts (reads are scoped to their supplier) |
| bureau | nobody (statistics only) |
| consumer | themself |
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from yipin import platform
from yipin.accounts.models import Role, User
from yipin.db import db

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def actor() -> User:
    """The logged-in user (session or API token); 401 when there is none."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _supplier_region(obj: Any) -> str | None:
    supplier = getattr(obj, "supplier", None)
    if supplier is not None:
        return supplier.region_code
    return getattr(obj, "region_code", None)


def can_read(user: User, obj: Any) -> bool:
    """May ``user`` see this record?"""
    if user.role == Role.OPERATOR:
        return True
    owner_user = getattr(obj, "owner_user_id", None)
    if owner_user is not None:
        return owner_user == user.id
    owner = getattr(obj, "owner_supplier_id", None)
    if user.role == Role.SUPPLIER:
        return owner is None or owner == user.supplier_id
    if user.role == Role.BUREAU:
        region = _supplier_region(obj)
        return region is None or region.startswith(user.bureau_scope)
    return False


def may_list_people(user: User) -> bool:
    """May ``user`` list accounts and contact details of people (see the table above)?"""
    return user.role in (Role.OPERATOR, Role.SUPPLIER)


def may_see_person(obj: Any = None, user: Any = None) -> bool:
    """May the current user (or ``user``) see the personal fields of ``obj``?"""
    user = user if user is not None else current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(obj, User) and obj.id == user.id:
        return True
    return may_list_people(user)


def can_change(user: User, obj: Any) -> bool:
    """May ``user`` change this record? Bureau staff never may."""
    if user.role == Role.OPERATOR:
        return True
    if user.role == Role.BUREAU:
        return False
    owner_user = getattr(obj, "owner_user_id", None)
    if owner_user is not None:
        return owner_user == user.id
    if user.role == Role.SUPPLIER:
        owner = getattr(obj, "owner_supplier_id", None)
        return owner is not None and owner == user.supplier_id
    return False


def ensure_can_read(user: User, obj: Any) -> None:
    if obj is None or not can_read(user, obj):
        abort(404)


def ensure_can_change(user: User, obj: Any) -> None:
    ensure_can_read(user, obj)
    if not can_change(user, obj):
        abort(403)


def load(model: type[M], ident: Any, *, change: bool = False, options: Any = ()) -> M:
    """Load a record for the current user, or 404 (missing / not theirs) or 403 (read-only)."""
    user = actor()
    obj = db.session.get(model, ident, options=list(options))
    if change:
        ensure_can_change(user, obj)
    else:
        ensure_can_read(user, obj)
    return obj  # type: ignore[return-value]


def supplier_scope(stmt: Any, supplier_column: Any, user: User | None = None) -> Any:
    """Restrict a query to what the user may list: own supplier, bureau region, or all."""
    user = user or actor()
    if user.role == Role.OPERATOR:
        return stmt
    if user.role == Role.SUPPLIER:
        return stmt.where(supplier_column == user.supplier_id)
    if user.role == Role.BUREAU:
        in_scope = platform.current().supplier_directory.ids_in_region(user.bureau_scope)
        return stmt.where(supplier_column.in_(in_scope))
    return stmt.where(db.false())


def role_required(*roles: Role) -> Callable[[F], F]:
    """Only these roles may use the view (401 / login redirect when anonymous, else 403)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def unauthorized() -> Response:
    """401 for the API, the login page for the site."""
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def home_endpoint(user: User) -> str:
    """Each role's home page (the domains say which: ``Domain.homes``)."""
    return platform.current().home(user.role).endpoint
