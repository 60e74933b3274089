"""The cart (购物车): of a guest (found by the token in its cookie) or of a consumer.

A line's quantity never exceeds what can be bought: the units free in open warehouses, the
variant's per-order limit (限购) and ``CART_MAX_UNITS_PER_LINE``. Prices are not frozen in the cart:
each line remembers the price the consumer saw (so the cart shows "price changed") and checkout
charges the current price, re-checked when the order is placed. A guest's cart merges into the
consumer's when they log in (quantities added, then capped).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from catalog.models import Product, ProductStatus, Variant
from fulfillment.holds import available_units
from orders.errors import InvalidQuantity, NotForSale, QuantityUnavailable
from orders.models import Cart, CartLine
from orders.settings import setting
from suppliers.models import Supplier, SupplierStatus
from yipin import clock
from yipin.errors import NotFound


def is_sellable(variant: Variant) -> bool:
    """A consumer may buy it now: active variant of a listed product of a verified supplier,
    with a grade that may be sold."""
    product = variant.product
    return (
        variant.is_active
        and product.status == ProductStatus.LISTED
        and product.supplier.status == SupplierStatus.VERIFIED
        and (variant.grade is None or variant.grade.sellable)
    )


def line_limit(variant: Variant, available: int) -> int:
    """The most units of ``variant`` one order may take now."""
    limit = min(available, setting("CART_MAX_UNITS_PER_LINE"))
    if variant.per_order_limit:
        limit = min(limit, variant.per_order_limit)
    return max(0, limit)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def find_cart(
    session: Session, *, user_id: int | None = None, token: str | None = None
) -> Cart | None:
    if user_id is not None:
        return session.scalars(sa.select(Cart).where(Cart.user_id == user_id)).one_or_none()
    if token:
        return session.scalars(
            sa.select(Cart).where(Cart.token == token, Cart.user_id.is_(None))
        ).one_or_none()
    return None


def cart_for(session: Session, *, user_id: int | None = None, token: str | None = None) -> Cart:
    """The consumer's (or guest's) cart, created on first use."""
    cart = find_cart(session, user_id=user_id, token=token)
    if cart is None:
        if user_id is None and not token:
            raise ValueError("a guest cart needs a token")
        cart = Cart(user_id=user_id, token=None if user_id is not None else token)
        session.add(cart)
        session.flush()
    return cart


def _variant(session: Session, variant_id: int) -> Variant:
    variant = session.scalars(
        sa.select(Variant)
        .where(Variant.id == variant_id)
        .options(joinedload(Variant.product).joinedload(Product.supplier))
    ).one_or_none()
    if variant is None:
        raise NotFound(field="variant_id")
    return variant


def _check_units(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidQuantity(field="quantity")
    return quantity


def add_to_cart(session: Session, cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Put ``quantity`` more units of a variant in the cart (refused beyond what can be bought)."""
    quantity = _check_units(quantity)
    if quantity == 0:
        raise InvalidQuantity(field="quantity")
    variant = _variant(session, variant_id)
    if not is_sellable(variant):
        raise NotForSale(product=variant.product.name, field="variant_id")
    line = session.scalars(
        sa.select(CartLine).where(CartLine.cart_id == cart.id, CartLine.variant_id == variant.id)
    ).one_or_none()
    if line is None and len(cart.lines) >= setting("CART_MAX_LINES"):
        raise QuantityUnavailable(available=0, product=variant.product.name, field="variant_id")
    wanted = (line.quantity if line else 0) + quantity
    limit = line_limit(variant, available_units(session, [variant.id])[variant.id])
    if wanted > limit:
        raise QuantityUnavailable(available=limit, product=variant.product.name, field="quantity")
    if line is None:
        line = CartLine(
            cart_id=cart.id,
            variant_id=variant.id,
            quantity=wanted,
            price_seen_fen=variant.price_fen,
        )
        session.add(line)
    else:
        line.quantity = wanted
        line.price_seen_fen = variant.price_fen
    cart.updated_at = clock.now()
    session.flush()
    return line


def _own_line(session: Session, cart: Cart, line_id: int) -> CartLine:
    line = session.get(CartLine, line_id)
    if line is None or line.cart_id != cart.id:
        raise NotFound(field="line_id")
    return line


def set_quantity(session: Session, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Change a line's quantity (0 removes it); refused beyond what can be bought."""
    quantity = _check_units(quantity)
    line = _own_line(session, cart, line_id)
    if quantity == 0:
        session.delete(line)
        session.flush()
        return None
    variant = _variant(session, line.variant_id)
    if quantity > line.quantity:  # lowering is always allowed
        limit = line_limit(variant, available_units(session, [variant.id])[variant.id])
        if quantity > limit:
            raise QuantityUnavailable(
                available=limit, product=variant.product.name, field="quantity"
            )
    line.quantity = quantity
    line.price_seen_fen = variant.price_fen
    cart.updated_at = clock.now()
    session.flush()
    return line


def remove_line(session: Session, cart: Cart, line_id: int) -> None:
    session.delete(_own_line(session, cart, line_id))
    session.flush()


def merge_guest_cart(session: Session, token: str, user_id: int) -> int:
    """Move a guest's lines into the consumer's cart (at login): quantities are added and then
    capped at what can be bought. Returns the number of lines moved."""
    guest = find_cart(session, token=token)
    if guest is None:
        return 0
    mine = cart_for(session, user_id=user_id)
    existing = {line.variant_id: line for line in mine.lines}
    ids = [line.variant_id for line in guest.lines]
    free = available_units(session, ids)
    variants = {
        v.id: v
        for v in session.scalars(
            sa.select(Variant)
            .where(Variant.id.in_(ids))
            .options(joinedload(Variant.product).joinedload(Product.supplier))
        )
    }
    moved = 0
    for line in list(guest.lines):
        variant = variants.get(line.variant_id)
        if variant is None or not is_sellable(variant):
            continue
        limit = line_limit(variant, free.get(variant.id, 0))
        target = existing.get(variant.id)
        wanted = min(line.quantity + (target.quantity if target else 0), limit)
        if wanted <= 0:
            continue
        if target is None:
            if len(existing) >= setting("CART_MAX_LINES"):
                break
            target = CartLine(
                cart_id=mine.id,
                variant_id=variant.id,
                quantity=wanted,
                price_seen_fen=line.price_seen_fen,
            )
            session.add(target)
            existing[variant.id] = target
        else:
            target.quantity = wanted
        moved += 1
    session.delete(guest)
    mine.updated_at = clock.now()
    session.flush()
    return moved


# ----------------------------------------------------------------------------- reading


@dataclass
class CartItem:
    line: CartLine
    variant: Variant
    available: int
    limit: int
    sellable: bool

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def price_fen(self) -> int:
        return self.variant.price_fen

    @property
    def total_fen(self) -> int:
        return self.variant.price_fen * self.line.quantity

    @property
    def price_changed(self) -> bool:
        return self.line.price_seen_fen != self.variant.price_fen

    @property
    def problem(self) -> str | None:
        """Why checkout would refuse this line: not for sale, or more than can be bought."""
        if not self.sellable:
            return "not_for_sale"
        if self.line.quantity > self.limit:
            return "quantity_unavailable"
        return None


@dataclass
class SupplierGroup:
    supplier: Supplier
    items: list[CartItem] = field(default_factory=list)

    @property
    def goods_fen(self) -> int:
        return sum(i.total_fen for i in self.items if not i.problem)


@dataclass
class CartView:
    cart: Cart | None
    groups: list[SupplierGroup]

    @property
    def items(self) -> list[CartItem]:
        return [i for g in self.groups for i in g.items]

    @property
    def units(self) -> int:
        return sum(i.line.quantity for i in self.items)

    @property
    def goods_fen(self) -> int:
        return sum(g.goods_fen for g in self.groups)

    @property
    def problems(self) -> list[CartItem]:
        return [i for i in self.items if i.problem]

    @property
    def is_empty(self) -> bool:
        return not self.items


def view_cart(session: Session, cart: Cart | None) -> CartView:
    """The cart grouped by supplier with what can be bought now (two queries)."""
    if cart is None:
        return CartView(None, [])
    lines = list(
        session.scalars(
            sa.select(CartLine)
            .where(CartLine.cart_id == cart.id)
            .options(
                joinedload(CartLine.variant)
                .joinedload(Variant.product)
                .joinedload(Product.supplier)
            )
            .order_by(CartLine.id)
        )
    )
    free = available_units(session, [line.variant_id for line in lines])
    groups: OrderedDict[int, SupplierGroup] = OrderedDict()
    for line in lines:
        variant = line.variant
        available = free.get(variant.id, 0)
        item = CartItem(
            line, variant, available, line_limit(variant, available), is_sellable(variant)
        )
        supplier = variant.product.supplier
        groups.setdefault(supplier.id, SupplierGroup(supplier)).items.append(item)
    return CartView(cart, list(groups.values()))


def purge_guest_carts(session: Session, days: int) -> int:
    """Guests' carts untouched for ``days`` days (their cookie has expired): deleted."""
    from datetime import timedelta

    before = clock.now() - timedelta(days=days)
    ids = list(
        session.scalars(sa.select(Cart.id).where(Cart.user_id.is_(None), Cart.updated_at < before))
    )
    if ids:
        session.execute(sa.delete(CartLine).where(CartLine.cart_id.in_(ids)))
        session.execute(sa.delete(Cart).where(Cart.id.in_(ids)))
    return len(ids)
