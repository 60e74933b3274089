"""Bureau statistics JSON API (read-only): the platform in the caller's region, for the
bureau's statistics tools. Operators read the platform's whole region."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema

from bureau import queries
from yipin import fields
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint
from yipin.config import platform_region
from yipin.db import db

blp = Blueprint(
    "bureau_api",
    __name__,
    description="Statistics for the bureau (商务局 / 农业农村局), read-only · 商务局统计（只读）",
)


class CountyStatisticsSchema(Schema):
    code = fields.Str(attribute="county.code", metadata={"example": "360734"})
    name = fields.Str(attribute="county.name", metadata={"example": "寻乌县"})
    verified_suppliers = fields.Int(
        metadata={"description": "Verified suppliers located in the county · 县内已审核供应商数"}
    )
    listed_products = fields.Int(
        metadata={"description": "Listed products that come from it · 产地在该县的在售商品数"}
    )


class RegionStatisticsSchema(Schema):
    region_code = fields.Str(attribute="scope", metadata={"example": "3607"})
    region_name = fields.Function(
        lambda s: s.region.full_name if s.region else None,
        metadata={"type": "string", "nullable": True, "example": "江西省赣州市"},
    )
    verified_suppliers = fields.Int()
    listed_products = fields.Int()
    counties = fields.List(fields.Nested(CountyStatisticsSchema))


@blp.route("/statistics")
class Statistics(MethodView):
    @blp.response(200, RegionStatisticsSchema)
    @blp.login_required(Role.BUREAU, Role.OPERATOR)
    def get(self) -> Any:
        """Statistics of the region · 辖区统计

        Verified suppliers (where they are) and listed products (where they come from), per
        county of the caller's region: a bureau account's scope, or the platform's region for
        operators. Sales and reward figures come with the sales ledger.

        按县统计辖区内已审核的供应商（按所在地）和在售商品（按产地）：商务局账号按其辖区，
        平台运营按平台所在地区。销售与奖补数据随销售台账提供。"""
        user = actor()
        scope = user.bureau_scope if user.role == Role.BUREAU else platform_region()
        return queries.region_statistics(db.session, scope)
