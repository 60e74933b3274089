"""Reference data JSON API: categories, grade standards and regional brands.

Public (no login) and cacheable: the data changes only when the platform's reference set is
reloaded, so responses carry ``Cache-Control: public, max-age=3600`` and an ETag.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from catalog import queries
from catalog.models import Category, GradeStandard, RegionalBrand
from catalog.schemas import BrandSchema, CategorySchema, GradeStandardSchema
from yipin.api import Blueprint
from yipin.db import db

blp = Blueprint(
    "reference_api",
    __name__,
    description="Reference data: categories, grade standards and regional brands (public,"
    " cacheable) · 基础数据：类目、分级标准和区域公用品牌（公开，可缓存）",
)

MAX_AGE = 3600


@blp.route("/categories")
class Categories(MethodView):
    @blp.etag
    @blp.response(200, CategorySchema(many=True))
    @blp.public
    def get(self) -> list[Category]:
        """Categories · 商品类目

        Product categories; ``requires_food_licence`` marks those that need a food production
        licence (SC). Cacheable for an hour, with an ETag.

        商品类目；``requires_food_licence`` 表示需要食品生产许可证（SC）。可缓存一小时，
        带 ETag。"""
        return queries.categories(db.session)


@blp.route("/grade-standards")
class GradeStandards(MethodView):
    @blp.etag
    @blp.response(200, GradeStandardSchema(many=True))
    @blp.public
    def get(self) -> list[GradeStandard]:
        """Grade standards · 分级标准

        Grading standards (e.g. GB/T 21488-2008 for navel oranges) with their grades and each
        grade's criteria.

        分级标准（如脐橙的 GB/T 21488-2008）及其等级和各等级的指标。"""
        return queries.standards(db.session)


@blp.route("/brands")
class Brands(MethodView):
    @blp.etag
    @blp.response(200, BrandSchema(many=True))
    @blp.public
    def get(self) -> list[RegionalBrand]:
        """Regional brands · 区域公用品牌

        The active regional public brands and the region their produce must come from.

        在用的区域公用品牌及其产品须来自的地区。"""
        return queries.brands(db.session)


@blp.after_request
def cache_reference(response: Response) -> Any:
    if response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
    return response
