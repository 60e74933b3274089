"""Accounts JSON API: tokens for programmatic clients, the current user, staff accounts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from yipin.accounts import actions
from yipin.accounts.models import ApiToken, Role, User
from yipin.accounts.permissions import actor, role_required, supplier_scope
from yipin.accounts.schemas import (
    ActiveSchema,
    NewTokenSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
)
from yipin.accounts.security import login_failed, login_limits
from yipin.db import commit, db
from yipin.errors import DomainError

blp = Blueprint("accounts_api", __name__, description="Accounts, API tokens and staff")


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, NewTokenSchema)
    @login_limits
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange a login and password for a bearer token (rate limited like the login form)."""
        user = actions.authenticate(db.session, data["login"], data["password"])
        if user is None:
            login_failed()
            raise DomainError(code="invalid_credentials", status=401, message=_bad_login())
        token, secret = actions.issue_api_token(
            db.session, user, data["name"], data["expires_in_days"]
        )
        commit()
        token.token = secret  # type: ignore[attr-defined]  (dumped once, never stored)
        return token

    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[ApiToken]:
        """The current user's active tokens."""
        user = actor()
        return list(
            db.session.scalars(
                sa.select(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.id)
            )
        )


def _bad_login() -> Any:
    from yipin.i18n import _l

    return _l("Wrong phone/e-mail or password.")


@blp.route("/auth/tokens/<int:token_id>")
class TokenById(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke one of the current user's tokens."""
        actions.revoke_api_token(db.session, actor(), token_id)
        commit()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self) -> User:
        """The user this request is authenticated as."""
        return actor()


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self) -> list[User]:
        """Accounts: all (operators), own supplier's staff (suppliers). Bureau accounts read
        statistics, not people: 403."""
        user = actor()
        stmt = sa.select(User).order_by(User.id)
        if user.role != Role.OPERATOR:
            stmt = supplier_scope(stmt.where(User.supplier_id.is_not(None)), User.supplier_id)
        return list(db.session.scalars(stmt))

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> User:
        """Create a staff account (operators: any staff; supplier owners: their own staff)."""
        user = actions.create_staff_account(db.session, actor(), **data)
        commit()
        return user


@blp.route("/users/<int:user_id>/active")
class UserActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, UserSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def put(self, data: dict[str, Any], user_id: int) -> User:
        """Deactivate or reactivate an account."""
        user = actions.set_active(db.session, actor(), user_id, data["is_active"])
        commit()
        return user
