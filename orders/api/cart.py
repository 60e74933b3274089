"""The cart API: public — a guest's cart lives behind its cookie, a consumer's behind the login.
Staff accounts (suppliers, operators, bureau) have no cart (403)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView

from orders import carts
from orders.api.common import NO_CART
from orders.schemas.cart import CartAddSchema, CartQuantitySchema, CartSchema
from orders.web import current_cart, may_have_cart
from yipin.api import Blueprint
from yipin.db import commit, db

blp = Blueprint(
    "cart_api", __name__, description="Cart of a guest or a consumer · 访客或消费者的购物车"
)
LIMIT = (
    409,
    "More units than are free in open warehouses, the variant's per-order limit (限购) or the"
    " cart's limits (quantity_unavailable) · 超出可售库存、限购数量或购物车上限",
)
ON_SALE = "The variant is on sale now (not_for_sale otherwise) · 该规格当前在售"


def _cart(create: bool = False) -> Any:
    if not may_have_cart():
        abort(403)
    return current_cart(create=create)


@blp.route("/cart")
class CartView(MethodView):
    @blp.response(200, CartSchema)
    @blp.errors(NO_CART)
    @blp.public
    def get(self) -> Any:
        """The cart · 购物车

        The cart grouped by supplier, with what can be bought now and price changes (a guest's
        behind its ``yipin_cart`` cookie, a consumer's behind the login).

        按供应商分组的购物车，标明当前可购数量和价格变化（访客凭 ``yipin_cart`` Cookie，
        消费者凭登录）。"""
        return carts.view_cart(db.session, _cart())


@blp.route("/cart/lines")
class CartLines(MethodView):
    @blp.arguments(CartAddSchema, example={"variant_id": 1, "quantity": 2})
    @blp.response(201, CartSchema)
    @blp.errors(NO_CART, (404, "No such variant · 规格不存在"), LIMIT)
    @blp.rules(ON_SALE)
    @blp.public
    def post(self, data: dict[str, Any]) -> Any:
        """Add to the cart · 加入购物车

        Add units of a variant; beyond stock or 限购 the answer is 409
        ``quantity_unavailable``.

        将某规格加入购物车；超出库存或限购时返回 409 ``quantity_unavailable``。"""
        cart = _cart(create=True)
        carts.add_to_cart(db.session, cart, data["variant_id"], data["quantity"])
        commit()
        return carts.view_cart(db.session, cart)


@blp.route("/cart/lines/<int:line_id>")
class CartLineById(MethodView):
    @blp.arguments(CartQuantitySchema, example={"quantity": 3})
    @blp.response(200, CartSchema)
    @blp.errors(NO_CART, LIMIT)
    @blp.rules(ON_SALE)
    @blp.public
    def patch(self, data: dict[str, Any], line_id: int) -> Any:
        """Change a quantity · 修改数量

        Set a line's quantity (0 removes it).

        设置购物车某行的数量（0 即删除该行）。"""
        cart = _cart()
        if cart is None:
            abort(404)
        carts.set_quantity(db.session, cart, line_id, data["quantity"])
        commit()
        return carts.view_cart(db.session, cart)

    @blp.response(200, CartSchema)
    @blp.errors(NO_CART)
    @blp.public
    def delete(self, line_id: int) -> Any:
        """Remove a line · 删除购物车行

        Remove a line from the cart and answer what is left.

        删除购物车中的一行，返回剩余内容。"""
        cart = _cart()
        if cart is None:
            abort(404)
        carts.remove_line(db.session, cart, line_id)
        commit()
        return carts.view_cart(db.session, cart)
