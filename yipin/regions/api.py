"""Regions JSON API (the address picker's data source)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, validate

from yipin import fields
from yipin.db import db
from yipin.errors import NotFound
from yipin.regions import queries
from yipin.regions.models import Region, RegionLevel

blp = Blueprint("regions_api", __name__, description="Regions of China (统计用区划代码)")


class RegionSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    level = fields.Enum(RegionLevel, by_value=True)
    full_name = fields.Str()
    parent_code = fields.Str(allow_none=True)
    has_children = fields.Method("_has_children")

    def _has_children(self, region: Region) -> bool:
        return queries.has_children(region)


class RegionDetailSchema(RegionSchema):
    path = fields.Method("_path")

    def _path(self, region: Region) -> list[dict[str, Any]]:
        return [{"code": r.code, "name": r.name} for r in queries.path(db.session, region)]


class ChildrenArgs(Schema):
    parent = fields.Str(
        load_default=None, validate=validate.Regexp(r"^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$")
    )


class SearchArgs(Schema):
    q = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    within = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{2,9}$"))


def _cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@blp.route("")
class Regions(MethodView):
    @blp.arguments(ChildrenArgs, location="query")
    @blp.response(200, RegionSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Region]:
        """Children of ``parent`` (a region code), or the provinces without it."""
        if args["parent"] and db.session.get(Region, args["parent"]) is None:
            raise NotFound(field="parent")
        return queries.children(db.session, args["parent"])


@blp.route("/search")
class RegionSearch(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, RegionSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Region]:
        """Regions whose name contains ``q``, optionally under the region ``within``."""
        return queries.search(db.session, args["q"], args["within"])


@blp.route("/<code>")
class RegionByCode(MethodView):
    @blp.response(200, RegionDetailSchema)
    def get(self, code: str) -> Region:
        """One region with its path from the province down."""
        region = db.session.get(Region, code)
        if region is None:
            raise NotFound()
        return region


@blp.after_request
def cache_regions(response: Response) -> Response:
    if response.status_code == 200:
        return _cached(response)
    return response
