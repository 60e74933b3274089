"""Addresses (收货地址) of the logged-in consumer; pickup points (自提点) that serve a region."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from fulfillment.shipping import pickup_points_for
from orders import addresses
from orders.api.common import AUTH, PUBLIC, errors
from orders.schemas import AddressSchema, PickupPointSchema, PickupQuerySchema
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db

blp = Blueprint("addresses_api", __name__, description="Delivery addresses and pickup points")


@blp.route("/addresses")
class Addresses(MethodView):
    @blp.response(200, AddressSchema(many=True))
    @errors(blp, *AUTH)
    @role_required(Role.CONSUMER)
    def get(self) -> list[Any]:
        """The consumer's addresses, the default first."""
        return addresses.addresses_of(db.session, actor())

    @blp.arguments(AddressSchema)
    @blp.response(201, AddressSchema)
    @errors(blp, *AUTH, 422)
    @role_required(Role.CONSUMER)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an address (the first one becomes the default)."""
        address = addresses.add_address(db.session, actor(), data)
        commit()
        return address


@blp.route("/addresses/<int:address_id>")
class AddressById(MethodView):
    @blp.arguments(AddressSchema)
    @blp.response(200, AddressSchema)
    @errors(blp, *AUTH, 404, 422)
    @role_required(Role.CONSUMER)
    def put(self, data: dict[str, Any], address_id: int) -> Any:
        """Replace an address."""
        address = addresses.update_address(db.session, actor(), address_id, data)
        commit()
        return address

    @blp.response(204)
    @errors(blp, *AUTH, 404)
    @role_required(Role.CONSUMER)
    def delete(self, address_id: int) -> None:
        """Delete an address."""
        addresses.delete_address(db.session, actor(), address_id)
        commit()


@blp.route("/pickup-points")
class PickupPoints(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.arguments(PickupQuerySchema, location="query")
    @blp.response(200, PickupPointSchema(many=True))
    @errors(blp, 422)
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Open pickup points (village service stations, lockers) serving a region that can
        hold goods of that storage class until collected."""
        return pickup_points_for(db.session, args["region"], args["storage_class"])
