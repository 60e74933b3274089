"""Accounts JSON API: tokens for programmatic clients, the current user, staff accounts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from yipin.accounts import actions
from yipin.accounts.models import ApiToken, Role, User
from yipin.accounts.permissions import actor, supplier_scope
from yipin.accounts.schemas import (
    ActiveSchema,
    NewTokenSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
)
from yipin.accounts.security import login_failed, login_limits
from yipin.api import Blueprint
from yipin.db import commit, db
from yipin.errors import DomainError

blp = Blueprint(
    "accounts_api",
    __name__,
    description="Accounts, API tokens and staff accounts · 账号、接口令牌与员工账号",
)


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @blp.arguments(
        TokenRequestSchema,
        example={"login": "13907970001", "password": "Passw0rd-yipin", "name": "ERP"},
    )
    @blp.response(201, NewTokenSchema)
    @blp.errors((401, "Wrong login or password · 账号或密码错误"), 429)
    @blp.public
    @login_limits
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Sign in for a bearer token · 登录并取得令牌

        Exchange a login (mainland mobile number or e-mail) and password for a bearer token,
        shown once in ``token``; send it as ``Authorization: Bearer …``. Failed attempts are
        rate limited like the login form (5 a minute per account, 20 per address: then 429).

        用手机号或邮箱与密码换取令牌（仅在 ``token`` 中显示一次），之后以
        ``Authorization: Bearer …`` 发送。失败次数与登录页一样受限（每账号每分钟 5 次、
        每地址 20 次，超出返回 429）。"""
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
    @blp.login_required()
    def get(self) -> list[ApiToken]:
        """Your active tokens · 我的有效令牌

        The caller's tokens that are neither revoked nor expired (their prefix, never the
        secret).

        调用者尚未吊销或过期的令牌（只显示前缀，不显示密钥）。"""
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
    @blp.login_required()
    def delete(self, token_id: int) -> None:
        """Revoke a token · 吊销令牌

        Revoke one of the caller's own tokens; it stops working at once.

        吊销调用者自己的一个令牌，立即失效。"""
        actions.revoke_api_token(db.session, actor(), token_id)
        commit()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    @blp.login_required()
    def get(self) -> User:
        """Who am I · 当前用户

        The account this request is authenticated as.

        本次请求所认证的账号。"""
        return actor()


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self) -> list[User]:
        """Accounts · 账号列表

        Operators see every account; supplier staff their supplier's staff. Bureau staff read
        statistics, not people: 403.

        平台运营可见全部账号；供应商员工可见本供应商员工。商务局账号只读统计数据，不读个人信息：403。"""
        user = actor()
        stmt = sa.select(User).order_by(User.id)
        if user.role != Role.OPERATOR:
            stmt = supplier_scope(stmt.where(User.supplier_id.is_not(None)), User.supplier_id)
        return list(db.session.scalars(stmt))

    @blp.arguments(
        UserCreateSchema,
        example={
            "role": "supplier",
            "login": "13907970002",
            "password": "Passw0rd-yipin",
            "display_name": "钟小梅",
            "supplier_id": 1,
            "supplier_role": "staff",
        },
    )
    @blp.response(201, UserSchema)
    @blp.errors((409, "An account with this login exists · 该手机号或邮箱已注册"))
    @blp.rules(
        "A supplier account names an existing supplier (supplier_id); supplier owners create"
        " only staff of their own supplier · 供应商账号须指定供应商；负责人只能为本供应商创建员工",
        "A bureau account's scope (bureau_region_code) is the platform's region or a city or"
        " county within it · 商务局账号的辖区须为平台所在地区或其下的市、县",
    )
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> User:
        """Create a staff account · 创建员工账号

        Operators create operator, bureau and supplier accounts; a supplier's owner creates
        staff of their own supplier.

        平台运营可创建运营、商务局和供应商账号；供应商负责人可为本供应商创建员工账号。"""
        user = actions.create_staff_account(db.session, actor(), **data)
        commit()
        return user


@blp.route("/users/<int:user_id>/active")
class UserActive(MethodView):
    @blp.arguments(ActiveSchema, example={"is_active": False})
    @blp.response(200, UserSchema)
    @blp.errors((409, "You cannot deactivate your own account · 不能停用自己的账号"))
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def put(self, data: dict[str, Any], user_id: int) -> User:
        """Deactivate or reactivate an account · 停用或启用账号

        Operators any account but their own; a supplier's owner their own staff. A
        deactivated account is signed out everywhere and its tokens stop working.

        平台运营可停用除自己以外的任何账号；供应商负责人可停用本供应商员工。停用后所有会话
        与令牌立即失效。"""
        user = actions.set_active(db.session, actor(), user_id, data["is_active"])
        commit()
        return user
