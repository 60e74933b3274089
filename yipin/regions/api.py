"""Regions JSON API (the address picker's data source)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, validate

from yipin import fields
from yipin.api import Blueprint, Pattern
from yipin.db import db
from yipin.errors import NotFound
from yipin.regions import queries
from yipin.regions.models import Region, RegionLevel

blp = Blueprint(
    "regions_api",
    __name__,
    description="Regions of China down to the village (统计用区划代码) · 全国行政区划，至村级",
)
CODE = r"^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$"


class RegionSchema(Schema):
    code = fields.Str(metadata={"example": "360734"})
    name = fields.Str(metadata={"example": "寻乌县"})
    level = fields.Enum(RegionLevel, by_value=True)
    full_name = fields.Str(metadata={"example": "江西省赣州市寻乌县"})
    parent_code = fields.Str(allow_none=True)
    has_children = fields.Method("_has_children", metadata={"type": "boolean"})

    def _has_children(self, region: Region) -> bool:
        return queries.has_children(region)


class RegionDetailSchema(RegionSchema):
    path = fields.Method(
        "_path",
        metadata={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "description": "From the province down to this region · 从省级到本级",
        },
    )

    def _path(self, region: Region) -> list[dict[str, Any]]:
        return [{"code": r.code, "name": r.name} for r in queries.path(db.session, region)]


class ChildrenArgs(Schema):
    parent = fields.Str(
        load_default=None,
        validate=Pattern(r"^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3})?)?)?$"),
        metadata={"description": "A region's code; without it, the provinces · 上级区划代码"},
    )


class SearchArgs(Schema):
    q = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Part of the name · 名称关键字", "example": "寻乌"},
    )
    within = fields.Str(
        load_default=None,
        validate=Pattern(r"^[0-9]{2,9}$"),
        metadata={"description": "Only under this region · 仅在该区划内"},
    )


def _cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@blp.route("")
class Regions(MethodView):
    @blp.arguments(ChildrenArgs, location="query")
    @blp.response(200, RegionSchema(many=True))
    @blp.public
    def get(self, args: dict[str, Any]) -> list[Region]:
        """Regions under a region · 下级区划

        The children of ``parent`` (a region code), or the provinces without it: the data of
        an address picker. 404 when ``parent`` names no region.

        ``parent`` 的下级区划；不带 ``parent`` 时返回各省，供地址选择器使用。"""
        if args["parent"] and db.session.get(Region, args["parent"]) is None:
            raise NotFound(field="parent")
        return queries.children(db.session, args["parent"])


@blp.route("/search")
class RegionSearch(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, RegionSchema(many=True))
    @blp.public
    def get(self, args: dict[str, Any]) -> list[Region]:
        """Find regions by name · 按名称查找区划

        Regions whose name contains ``q``, optionally only under the region ``within``.

        名称包含 ``q`` 的区划，可用 ``within`` 限定在某区划之内。"""
        return queries.search(db.session, args["q"], args["within"])


@blp.route(
    "/<code>",
    parameters=[
        {
            "in": "path",
            "name": "code",
            "required": True,
            "schema": {"type": "string", "pattern": CODE},
            "description": "2 (province) to 12 (village) digits · 2 至 12 位区划代码",
        }
    ],
)
class RegionByCode(MethodView):
    @blp.response(200, RegionDetailSchema)
    @blp.public
    def get(self, code: str) -> Region:
        """One region · 区划详情

        A region with its path from the province down.

        某一区划及其从省级开始的路径。"""
        region = db.session.get(Region, code)
        if region is None:
            raise NotFound()
        return region


@blp.after_request
def cache_regions(response: Response) -> Response:
    if response.status_code == 200:
        return _cached(response)
    return response
