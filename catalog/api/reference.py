"""Reference data JSON API: categories, grade standards and regional brands.

Public (no login) and cacheable: the data changes only when the platform's reference set is
reloaded, so responses carry ``Cache-Control: public, max-age=3600`` and an ETag.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from catalog import queries
from catalog.models import Category, GradeStandard, RegionalBrand
from catalog.schemas import BrandSchema, CategorySchema, GradeStandardSchema
from yipin.db import db

blp = Blueprint(
    "reference_api", __name__, description="Categories, grade standards and regional brands"
)

MAX_AGE = 3600


@blp.route("/categories")
class Categories(MethodView):
    @blp.etag
    @blp.response(200, CategorySchema(many=True))
    def get(self) -> list[Category]:
        """Product categories; ``requires_food_licence`` marks those that need an SC licence."""
        return queries.categories(db.session)


@blp.route("/grade-standards")
class GradeStandards(MethodView):
    @blp.etag
    @blp.response(200, GradeStandardSchema(many=True))
    def get(self) -> list[GradeStandard]:
        """Grading standards with their grades and each grade's criteria."""
        return queries.standards(db.session)


@blp.route("/brands")
class Brands(MethodView):
    @blp.etag
    @blp.response(200, BrandSchema(many=True))
    def get(self) -> list[RegionalBrand]:
        """Active regional public brands (区域公用品牌) and the region their produce comes from."""
        return queries.brands(db.session)


@blp.after_request
def cache_reference(response: Response) -> Any:
    if response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
    return response
