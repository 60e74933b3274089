"""Addresses (收货地址) of the logged-in consumer; pickup points (自提点) that serve a region."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from fulfillment.shipping import pickup_points_for
from orders import addresses
from orders.schemas.addresses import AddressSchema, PickupPointSchema, PickupQuerySchema
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint
from yipin.db import commit, db

blp = Blueprint(
    "addresses_api",
    __name__,
    description="Delivery addresses and pickup points · 收货地址与自提点",
)
ADDRESS_EXAMPLE = {
    "recipient_name": "刘芳",
    "phone": "13907971234",
    "region_code": "360781",
    "detail": "梅窖镇三僚村 12 号",
    "label": "家",
    "is_default": True,
}
REGION_RULE = (
    "The region is a county or below in China (in Ganzhou: a township or village)"
    " · 区划须为县级及以下（赣州市内须到乡镇或村）"
)


@blp.route("/addresses")
class Addresses(MethodView):
    @blp.response(200, AddressSchema(many=True))
    @blp.login_required(Role.CONSUMER)
    def get(self) -> list[Any]:
        """My addresses · 我的收货地址

        The consumer's delivery addresses, the default first.

        当前消费者的收货地址，默认地址在前。"""
        return addresses.addresses_of(db.session, actor())

    @blp.arguments(AddressSchema, example=ADDRESS_EXAMPLE)
    @blp.response(201, AddressSchema)
    @blp.rules(REGION_RULE, "At most 20 addresses · 最多 20 个地址")
    @blp.login_required(Role.CONSUMER)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an address · 新增收货地址

        Add a delivery address; the first one becomes the default.

        新增收货地址；第一个地址自动设为默认。"""
        address = addresses.add_address(db.session, actor(), data)
        commit()
        return address


@blp.route("/addresses/<int:address_id>")
class AddressById(MethodView):
    @blp.arguments(AddressSchema, example=ADDRESS_EXAMPLE)
    @blp.response(200, AddressSchema)
    @blp.rules(REGION_RULE)
    @blp.login_required(Role.CONSUMER)
    def put(self, data: dict[str, Any], address_id: int) -> Any:
        """Replace an address · 修改收货地址

        Replace one of the consumer's addresses (another's is reported missing).

        修改当前消费者的一个收货地址（他人的地址按不存在处理）。"""
        address = addresses.update_address(db.session, actor(), address_id, data)
        commit()
        return address

    @blp.response(204)
    @blp.login_required(Role.CONSUMER)
    def delete(self, address_id: int) -> None:
        """Delete an address · 删除收货地址

        Delete one of the consumer's addresses; orders placed to it keep their copy.

        删除当前消费者的一个收货地址；已下的订单保留其地址副本。"""
        addresses.delete_address(db.session, actor(), address_id)
        commit()


@blp.route("/pickup-points")
class PickupPoints(MethodView):
    @blp.arguments(PickupQuerySchema, location="query")
    @blp.response(200, PickupPointSchema(many=True))
    @blp.public
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Pickup points · 自提点

        Open pickup points (village service stations, lockers) serving a region that can
        hold goods of that storage class until collected.

        服务该区划、能按储存条件保管货物至取件的自提点（村级服务站、自提柜）。"""
        return pickup_points_for(db.session, args["region"], args["storage_class"])
