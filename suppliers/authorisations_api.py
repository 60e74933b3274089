"""Brand authorisations JSON API (品牌授权): operators grant and revoke; suppliers read their
own; bureau accounts read those of suppliers in their region."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from suppliers import actions, queries
from suppliers.models import BrandAuthorisation
from suppliers.schemas import (
    AuthorisationCreateSchema,
    AuthorisationListArgs,
    AuthorisationSchema,
    RevokeSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, supplier_scope
from yipin.api import Blueprint, page_of
from yipin.db import commit, db

blp = Blueprint(
    "brand_authorisations_api",
    __name__,
    description="Brand authorisations: who may use which regional public brand, and when"
    " · 品牌授权：哪个供应商在何时可使用哪个区域公用品牌",
)


@blp.route("")
class Authorisations(MethodView):
    @blp.arguments(AuthorisationListArgs, location="query")
    @blp.response(200, AuthorisationSchema(many=True))
    @blp.paginate()
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[BrandAuthorisation]:
        """Brand authorisations · 品牌授权列表

        The authorisations the caller may see, newest first; filter by supplier, brand and
        state (valid, upcoming, expired, revoked — today in China).

        调用者可见的品牌授权（最新在前），可按供应商、品牌和状态（有效、未生效、已过期、
        已撤销，按中国当日计）筛选。"""
        flt = queries.AuthorisationFilter(
            supplier_id=args["supplier_id"], brand_id=args["brand_id"], state=args["state"]
        )
        stmt = supplier_scope(queries.authorisations_stmt(flt), BrandAuthorisation.supplier_id)
        return page_of(stmt, pagination_parameters)

    @blp.arguments(
        AuthorisationCreateSchema,
        example={
            "supplier_id": 1,
            "brand_id": 1,
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
            "certificate_number": "GNQC-2026-0012",
        },
    )
    @blp.response(201, AuthorisationSchema)
    @blp.errors((409, "A live authorisation of this brand overlaps · 与现有授权期间重叠"))
    @blp.rules("valid_to is not before valid_from · 截止日期不早于起始日期")
    @blp.login_required(Role.OPERATOR)
    def post(self, data: dict[str, Any]) -> BrandAuthorisation:
        """Grant a brand authorisation · 授予品牌授权

        Operators let a supplier use a regional public brand from ``valid_from`` to
        ``valid_to`` (inclusive). A live authorisation of the same supplier and brand that
        overlaps the period answers 409.

        平台运营授予供应商在 ``valid_from`` 至 ``valid_to``（含）期间使用区域公用品牌。
        与同一供应商同一品牌的有效授权期间重叠时返回 409。"""
        auth = actions.grant_authorisation(db.session, actor(), **data)
        commit()
        return auth


@blp.route("/<int:authorisation_id>")
class AuthorisationById(MethodView):
    @blp.response(200, AuthorisationSchema)
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, authorisation_id: int) -> BrandAuthorisation:
        """One brand authorisation · 品牌授权详情

        An authorisation the caller may see.

        调用者可见的某一品牌授权。"""
        return load(BrandAuthorisation, authorisation_id)

    @blp.arguments(RevokeSchema, example={"reason": "抽检不合格，暂停使用品牌"})
    @blp.response(200, AuthorisationSchema)
    @blp.errors((409, "Already revoked · 已撤销"))
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def delete(self, data: dict[str, Any], authorisation_id: int) -> BrandAuthorisation:
        """Revoke a brand authorisation · 撤销品牌授权

        Operators revoke an authorisation with a reason the supplier sees; the record is
        kept. Supplier staff get 403.

        平台运营撤销授权并填写供应商可见的原因，记录保留。供应商员工调用返回 403。"""
        load(BrandAuthorisation, authorisation_id)
        auth = actions.revoke_authorisation(db.session, actor(), authorisation_id, data["reason"])
        commit()
        return auth
