"""The cart API: public — a guest's cart lives behind its cookie, a consumer's behind the login.
Staff accounts (suppliers, operators, bureau) have no cart (403)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint

from orders import carts
from orders.api.common import PUBLIC, errors
from orders.schemas import CartAddSchema, CartQuantitySchema, CartSchema
from orders.web import current_cart, may_have_cart
from yipin.db import commit, db

blp = Blueprint("cart_api", __name__, description="Cart (购物车) of a guest or a consumer")


def _cart(create: bool = False) -> Any:
    if not may_have_cart():
        abort(403)
    return current_cart(create=create)


@blp.route("/cart")
class CartView(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.response(200, CartSchema)
    @errors(blp, 403)
    def get(self) -> Any:
        """The cart grouped by supplier, with what can be bought now and price changes."""
        return carts.view_cart(db.session, _cart())


@blp.route("/cart/lines")
class CartLines(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.arguments(CartAddSchema)
    @blp.response(201, CartSchema)
    @errors(blp, 403, 404, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Add units of a variant (409 ``quantity_unavailable`` beyond stock or 限购)."""
        cart = _cart(create=True)
        carts.add_to_cart(db.session, cart, data["variant_id"], data["quantity"])
        commit()
        return carts.view_cart(db.session, cart)


@blp.route("/cart/lines/<int:line_id>")
class CartLineById(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.arguments(CartQuantitySchema)
    @blp.response(200, CartSchema)
    @errors(blp, 403, 404, 409, 422)
    def patch(self, data: dict[str, Any], line_id: int) -> Any:
        """Set a line's quantity (0 removes it)."""
        cart = _cart()
        if cart is None:
            abort(404)
        carts.set_quantity(db.session, cart, line_id, data["quantity"])
        commit()
        return carts.view_cart(db.session, cart)

    @blp.doc(security=PUBLIC)
    @blp.response(200, CartSchema)
    @errors(blp, 403, 404)
    def delete(self, line_id: int) -> Any:
        """Remove a line."""
        cart = _cart()
        if cart is None:
            abort(404)
        carts.remove_line(db.session, cart, line_id)
        commit()
        return carts.view_cart(db.session, cart)
