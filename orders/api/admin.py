"""Operators' data of the order side: the shipping rate card, the 国有企业 list; and the sales
ledger (operators all, supplier staff their own, bureau staff their region: read-only)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from fulfillment.models import ShippingRate, ShippingService
from fulfillment.shipping import update_rate
from orders import buyers, queries
from orders.api.common import AUTH, errors, page_of
from orders.models import StateOwnedEnterprise
from orders.schemas import (
    LedgerEntrySchema,
    LedgerQuerySchema,
    RateQuerySchema,
    ShippingRateSchema,
    ShippingRateUpdateSchema,
    StateOwnedSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db

blp = Blueprint("orders_admin_api", __name__, description="Rate card, 国有企业 list, sales ledger")


@blp.route("/shipping-rates")
class ShippingRates(MethodView):
    @blp.arguments(RateQuerySchema, location="query")
    @blp.response(200, ShippingRateSchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(Role.OPERATOR)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """The rate card: first + additional weight per service, province and storage class."""
        stmt = (
            sa.select(ShippingRate)
            .join(ShippingService, ShippingService.id == ShippingRate.service_id)
            .order_by(ShippingService.sort_order, ShippingRate.province_code, ShippingRate.id)
        )
        if args.get("province_code"):
            stmt = stmt.where(ShippingRate.province_code == args["province_code"])
        if args.get("service"):
            stmt = stmt.where(ShippingService.code == args["service"])
        return page_of(stmt, pagination_parameters)


@blp.route("/shipping-rates/<int:rate_id>")
class ShippingRateById(MethodView):
    @blp.arguments(ShippingRateUpdateSchema)
    @blp.response(200, ShippingRateSchema)
    @errors(blp, *AUTH, 404, 422)
    @role_required(Role.OPERATOR)
    def patch(self, data: dict[str, Any], rate_id: int) -> Any:
        """Change a rate (the next quote uses it)."""
        rate = update_rate(db.session, actor(), rate_id, data)
        commit()
        return rate


@blp.route("/state-owned-enterprises")
class StateOwned(MethodView):
    @blp.response(200, StateOwnedSchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(Role.OPERATOR)
    def get(self, pagination_parameters: Any) -> list[Any]:
        """The 国有企业 list buyer-type recognition reads."""
        stmt = sa.select(StateOwnedEnterprise).order_by(StateOwnedEnterprise.name)
        return page_of(stmt, pagination_parameters)

    @blp.arguments(StateOwnedSchema)
    @blp.response(201, StateOwnedSchema)
    @errors(blp, *AUTH, 409, 422)
    @role_required(Role.OPERATOR)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an enterprise (its 统一社会信用代码 must be a valid enterprise code)."""
        row = buyers.add_state_owned(db.session, actor(), data["uscc"], data["name"], data["note"])
        commit()
        return row


@blp.route("/state-owned-enterprises/<int:soe_id>")
class StateOwnedById(MethodView):
    @blp.response(204)
    @errors(blp, *AUTH, 404)
    @role_required(Role.OPERATOR)
    def delete(self, soe_id: int) -> None:
        """Remove an enterprise from the list (orders already placed keep their buyer type)."""
        buyers.remove_state_owned(db.session, actor(), soe_id)
        commit()


@blp.route("/ledger")
class Ledger(MethodView):
    @blp.arguments(LedgerQuerySchema, location="query")
    @blp.response(200, LedgerEntrySchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Sales ledger entries, oldest first (``after_id`` for incremental readers)."""
        return page_of(queries.ledger_stmt(actor(), **args), pagination_parameters)
