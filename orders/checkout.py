"""Checkout (结算): the quote a consumer sees, and placing the order — reserving the stock,
splitting the cart into one sub-order per supplier, and opening its payment.

``place_order`` is the checkout completion. It issues a fixed number of statements whatever the
number of lines and suppliers (a test pins it): the cart in one joined query, the rate card in
one, the stock in two (``fulfillment.holds``), then one batched ``INSERT`` per table. It takes
no lock beyond the stock rows it holds, calls no payment provider (the caller commits, then
creates the PaymentIntent), and is idempotent: the same ``idempotency_key`` (a checkout form's
token or an API client's ``Idempotency-Key``) returns the order it placed the first time.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, joinedload

from catalog.models import Product, StorageClass, Variant
from fulfillment.holds import Demand, NotEnoughStock, hold_stock
from fulfillment.models import PickupPoint
from fulfillment.shipping import Parcel, ShippingOption, coldest, quote
from orders import buyers
from orders.carts import is_sellable
from orders.errors import (
    CartEmpty,
    InvalidAddress,
    NotDeliverable,
    NotForSale,
    PaymentMethodUnavailable,
    PriceChanged,
    QuantityUnavailable,
    ShippingChoice,
)
from orders.lifecycle import log
from orders.models import (
    ONLINE_METHODS,
    Address,
    Cart,
    CartLine,
    Order,
    OrderEventKind,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    ReservationState,
    StockReservation,
    SubOrder,
)
from orders.settings import setting
from suppliers.models import Supplier
from yipin import clock, contact, outbox
from yipin.accounts.models import Role, User
from yipin.errors import DomainError, Forbidden, NotFound
from yipin.i18n import _l
from yipin.money import format_fen
from yipin.regions.models import Region, RegionLevel

KEY = re.compile(r"^[\x21-\x7e]{8,80}$")  # printable ASCII, as Stripe accepts


# ----------------------------------------------------------------------------- input


@dataclass
class Destination:
    """Where the parcels go: a saved address, a typed one, or a pickup point near it."""

    address_id: int | None = None
    recipient_name: str = ""
    phone: str = ""
    region_code: str = ""
    detail: str = ""
    pickup_point_id: int | None = None


@dataclass
class CheckoutRequest:
    destination: Destination = field(default_factory=Destination)
    buyer: buyers.BuyerDetails = field(default_factory=buyers.BuyerDetails)
    shipping: dict[int, str] = field(default_factory=dict)  # supplier id → service code
    payment_method: PaymentMethod | None = None  # None: online if possible, else bank transfer
    note: str = ""
    expected_total_fen: int | None = None  # what the buyer saw; refused if it changed
    idempotency_key: str | None = None


@dataclass
class Place:
    region: Region
    recipient_name: str
    phone: str
    detail: str
    pickup: PickupPoint | None = None


@dataclass
class ParcelLine:
    line: CartLine
    variant: Variant

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def total_fen(self) -> int:
        return self.variant.price_fen * self.line.quantity


@dataclass
class ParcelQuote:
    """One supplier's parcel: its lines, weight, storage class and shipping options."""

    supplier: Supplier
    lines: list[ParcelLine] = field(default_factory=list)
    options: list[ShippingOption] = field(default_factory=list)
    chosen: ShippingOption | None = None

    @property
    def goods_fen(self) -> int:
        return sum(p.total_fen for p in self.lines)

    @property
    def weight_g(self) -> int:
        return sum(p.variant.gross_weight_g * p.line.quantity for p in self.lines)

    @property
    def storage(self) -> StorageClass:
        return coldest(p.product.storage_class for p in self.lines)

    @property
    def shipping_fen(self) -> int:
        return self.chosen.fen if self.chosen else 0


@dataclass
class CheckoutQuote:
    place: Place | None
    buyer: buyers.Buyer
    parcels: list[ParcelQuote]
    payment_methods: list[PaymentMethod]

    @property
    def goods_fen(self) -> int:
        return sum(p.goods_fen for p in self.parcels)

    @property
    def shipping_fen(self) -> int:
        return sum(p.shipping_fen for p in self.parcels)

    @property
    def total_fen(self) -> int:
        return self.goods_fen + self.shipping_fen

    @property
    def storage(self) -> StorageClass:
        return coldest(p.storage for p in self.parcels)


# ----------------------------------------------------------------------------- destination


def resolve_destination(session: Session, user: User, dest: Destination) -> Place:
    """Check and complete the destination (``InvalidAddress`` names the field at fault)."""
    if dest.address_id is not None:
        address = session.get(Address, dest.address_id)
        if address is None or address.user_id != user.id:
            raise NotFound(field="address_id")
        dest = Destination(
            recipient_name=address.recipient_name,
            phone=address.phone,
            region_code=address.region_code,
            detail=address.detail,
            pickup_point_id=dest.pickup_point_id,
        )
    name = " ".join((dest.recipient_name or "").split())
    if not 1 <= len(name) <= 60:
        raise InvalidAddress(_l("Give the recipient's name."), field="recipient_name")
    phone = contact.mobile_number(dest.phone) or ""
    if not phone:
        raise InvalidAddress(
            _l("Give the recipient's mobile number (11 digits starting with 1)."), field="phone"
        )
    region = session.get(Region, (dest.region_code or "").strip()) if dest.region_code else None
    if region is None or (
        region.level in (RegionLevel.PROVINCE, RegionLevel.CITY) and _has_children(session, region)
    ):
        raise InvalidAddress(
            _l("Choose the region down to the county (in Ganzhou: the township or village)."),
            field="region_code",
        )
    pickup = None
    if dest.pickup_point_id is not None:
        pickup = session.get(PickupPoint, dest.pickup_point_id)
        if pickup is None or not pickup.is_active or not pickup.serves(region.code):
            raise InvalidAddress(
                _l("This pickup point does not serve the chosen region."), field="pickup_point_id"
            )
        return Place(
            region=session.get(Region, pickup.region_code) or region,
            recipient_name=name,
            phone=phone,
            detail=f"{pickup.name}（{pickup.address_detail}）"[:200],
            pickup=pickup,
        )
    detail = " ".join((dest.detail or "").split())
    if not 2 <= len(detail) <= 200:
        raise InvalidAddress(
            _l("Give the street, building and room (at most 200 characters)."), field="detail"
        )
    return Place(region=region, recipient_name=name, phone=phone, detail=detail)


def _has_children(session: Session, region: Region) -> bool:
    return bool(
        session.scalar(sa.select(sa.literal(1)).where(Region.parent_code == region.code).limit(1))
    )


# ----------------------------------------------------------------------------- the quote


def _cart_lines(session: Session, cart: Cart) -> list[CartLine]:
    return list(
        session.scalars(
            sa.select(CartLine)
            .where(CartLine.cart_id == cart.id)
            .options(joinedload(CartLine.variant).joinedload(Variant.product))
            .order_by(CartLine.id)
        )
    )


def stripe_enabled() -> bool:
    return bool(has_app_context() and current_app.config.get("STRIPE_SECRET_KEY"))


def payment_methods_for(
    parcels: list[ParcelQuote], total_fen: int, *, online: bool | None = None
) -> list[PaymentMethod]:
    """The ways this order may be paid: online where Stripe is configured, bank transfer
    always, cash on delivery where enabled, small enough and every parcel's service allows it."""
    online = stripe_enabled() if online is None else online
    methods: list[PaymentMethod] = list(ONLINE_METHODS) if online else []
    methods.append(PaymentMethod.BANK_TRANSFER)
    if (
        setting("ORDER_COD_ENABLED")
        and total_fen <= setting("ORDER_COD_MAX_FEN")
        and parcels
        and all(p.chosen is not None and p.chosen.allows_cod for p in parcels)
    ):
        methods.append(PaymentMethod.COD)
    return methods


def build_quote(
    session: Session,
    user: User,
    cart: Cart,
    request: CheckoutRequest,
    *,
    lines: list[CartLine] | None = None,
    strict: bool = True,
) -> CheckoutQuote:
    """What the order would be: parcels per supplier with shipping options and the total.

    ``strict`` (placing) refuses what cannot be bought; the checkout page shows the quote with
    the problems instead (``strict=False`` skips the destination when it is incomplete)."""
    if user.role != Role.CONSUMER:
        raise Forbidden(_l("Only consumer accounts can place orders."))
    lines = _cart_lines(session, cart) if lines is None else lines
    if not lines:
        raise CartEmpty()
    parcels: OrderedDict[int, ParcelQuote] = OrderedDict()
    for line in lines:
        variant = line.variant
        product = variant.product
        if strict:
            if not is_sellable(variant):
                raise NotForSale(product=product.name, field="lines")
            if variant.per_order_limit and line.quantity > variant.per_order_limit:
                raise QuantityUnavailable(
                    available=variant.per_order_limit, product=product.name, field="lines"
                )
        parcels.setdefault(product.supplier_id, ParcelQuote(product.supplier)).lines.append(
            ParcelLine(line, variant)
        )
    place = None
    try:
        place = resolve_destination(session, user, request.destination)
    except InvalidAddress:
        if strict:
            raise
    buyer = buyers.recognise(session, request.buyer) if strict else _soft_buyer(session, request)
    if place is not None:
        options = quote(
            session,
            place.region.code,
            [
                Parcel(key=sid, weight_g=p.weight_g, storage=p.storage, goods_fen=p.goods_fen)
                for sid, p in parcels.items()
            ],
        )
        for supplier_id, parcel in parcels.items():
            parcel.options = [
                o
                for o in options[supplier_id]
                if place.pickup is None or place.pickup.can_keep(parcel.storage)
            ]
            wanted = request.shipping.get(supplier_id)
            parcel.chosen = next(
                (o for o in parcel.options if o.service_code == wanted),
                parcel.options[0] if parcel.options and not (strict and wanted) else None,
            )
            if strict and parcel.chosen is None:
                if not parcel.options:
                    raise NotDeliverable(
                        supplier=parcel.supplier.name,
                        region=place.region.full_name,
                        field="shipping",
                    )
                raise ShippingChoice(field="shipping")
    result = CheckoutQuote(place, buyer, list(parcels.values()), [])
    result.payment_methods = payment_methods_for(result.parcels, result.total_fen)
    return result


def _soft_buyer(session: Session, request: CheckoutRequest) -> buyers.Buyer:
    try:
        return buyers.recognise(session, request.buyer)
    except DomainError:  # the page shows the field errors when the form is sent
        return buyers.INDIVIDUAL


# ----------------------------------------------------------------------------- placing


def order_number(now_local_date: str) -> str:
    """``YP`` + date + 10 random digits (unique; a clash is retried by the caller)."""
    return f"YP{now_local_date}{secrets.randbelow(10**10):010d}"


def find_placed(session: Session, user_id: int, key: str | None) -> Order | None:
    if not key:
        return None
    return session.scalars(
        sa.select(Order).where(Order.consumer_id == user_id, Order.idempotency_key == key)
    ).one_or_none()


@dataclass
class Placed:
    order: Order
    created: bool  # False: the same key placed it before (a retry, a double click)


def place_order(
    session: Session,
    user: User,
    cart: Cart,
    request: CheckoutRequest,
    *,
    record_online: bool = False,
) -> Placed:
    """Turn the cart into an order awaiting payment (or confirmed, for cash on delivery).

    Raises ``PriceChanged`` when ``expected_total_fen`` is given and the total differs (prices or
    shipping changed since the buyer looked), ``NotEnoughStock`` when the stock ran out.
    ``record_online``: an online payment made elsewhere will be recorded (the demo's history),
    so it is allowed without Stripe configured."""
    key = (request.idempotency_key or "").strip() or None
    if key is not None and not KEY.match(key):
        raise InvalidAddress(
            _l("The idempotency key is 8 to 80 printable characters."), field="key"
        )
    existing = find_placed(session, user.id, key)
    if existing is not None:
        return Placed(existing, False)
    lines = _cart_lines(session, cart)
    q = build_quote(session, user, cart, request, lines=lines)
    assert q.place is not None
    if request.expected_total_fen is not None and request.expected_total_fen != q.total_fen:
        raise PriceChanged(
            total=format_fen(q.total_fen),
            field="expected_total_fen",
            errors={"total_fen": [q.total_fen]},
        )
    if record_online:
        q.payment_methods = payment_methods_for(q.parcels, q.total_fen, online=True)
    method = request.payment_method or (
        PaymentMethod.CARD
        if PaymentMethod.CARD in q.payment_methods
        else PaymentMethod.BANK_TRANSFER
    )
    if method not in q.payment_methods:
        raise PaymentMethodUnavailable(field="payment_method")

    demands = [
        Demand(key=pl.line.id, variant_id=pl.variant.id, quantity=pl.line.quantity)
        for p in q.parcels
        for pl in p.lines
    ]
    try:
        holds = hold_stock(session, demands)
    except NotEnoughStock as exc:
        names = {pl.variant.id: pl.product.name for p in q.parcels for pl in p.lines}
        short = exc.shortages[0]
        raise QuantityUnavailable(
            available=short.available,
            product=names.get(short.variant_id, ""),
            field="lines",
            errors=exc.errors,
        ) from None

    now = clock.now()
    cod = method == PaymentMethod.COD
    online = method in ONLINE_METHODS
    due = None
    if not cod:
        due = now + (
            timedelta(minutes=setting("ORDER_PAYMENT_MINUTES"))
            if online
            else timedelta(hours=setting("ORDER_BANK_TRANSFER_HOURS"))
        )
    buyer = q.buyer
    order = Order(
        number=order_number(clock.to_local(now).strftime("%y%m%d")),
        consumer_id=user.id,
        idempotency_key=key,
        buyer_type=buyer.buyer_type,
        buyer_type_basis=buyer.basis,
        invoice_requested=buyer.invoice_requested,
        invoice_title=buyer.invoice_title,
        invoice_uscc=buyer.uscc,
        state_owned_declared=buyer.state_owned_declared,
        procurement_reference=buyer.procurement_reference,
        status=OrderStatus.CASH_ON_DELIVERY if cod else OrderStatus.PENDING_PAYMENT,
        payment_method=method,
        goods_fen=q.goods_fen,
        shipping_fen=q.shipping_fen,
        total_fen=q.total_fen,
        recipient_name=q.place.recipient_name,
        recipient_phone=q.place.phone,
        region_code=q.place.region.code,
        address_detail=q.place.detail,
        pickup_point_id=q.place.pickup.id if q.place.pickup else None,
        note=" ".join((request.note or "").split())[:200],
        placed_at=now,
        payment_due_at=due,
        created_at=now,
        updated_at=now,
    )
    by_line: dict[int, OrderLine] = {}
    sub_status = OrderStatus.AWAITING_ROUTING if cod else OrderStatus.PENDING_PAYMENT
    for n, parcel in enumerate(q.parcels, start=1):
        assert parcel.chosen is not None
        sub = SubOrder(
            number=f"{order.number}-{n}",
            supplier_id=parcel.supplier.id,
            status=sub_status,
            subtotal_fen=parcel.goods_fen,
            shipping_fen=parcel.chosen.fen,
            shipping_service_code=parcel.chosen.service_code,
            shipping_service_name=parcel.chosen.name,
            cold_chain=parcel.chosen.cold_chain,
            storage_class=parcel.storage,
            weight_g=parcel.weight_g,
            paid_at=now if cod else None,
        )
        order.sub_orders.append(sub)
        for pl in parcel.lines:
            line = OrderLine(
                variant_id=pl.variant.id,
                product_name=pl.product.name,
                variant_spec=pl.variant.spec,
                variant_sku=pl.variant.sku,
                quantity=pl.line.quantity,
                unit_price_fen=pl.variant.price_fen,
                unit_weight_g=pl.variant.gross_weight_g,
            )
            sub.lines.append(line)
            by_line[pl.line.id] = line
        if cod:
            order.payments.append(
                Payment(
                    provider=PaymentProvider.OFFLINE,
                    method=PaymentMethod.COD,
                    status=PaymentStatus.PENDING,
                    amount_fen=sub.total_fen,
                    sub_order=sub,
                )
            )
    if not cod:
        order.payments.append(
            Payment(
                provider=PaymentProvider.STRIPE if online else PaymentProvider.OFFLINE,
                method=None if online else method,
                offered_methods=[m.value for m in ONLINE_METHODS] if online else [method.value],
                status=PaymentStatus.CREATING if online else PaymentStatus.PENDING,
                amount_fen=order.total_fen,
            )
        )
    session.add(order)
    state = ReservationState.ALLOCATED if cod else ReservationState.HELD
    for hold in holds:
        session.add(
            StockReservation(
                line=by_line[hold.key],
                stock_id=hold.stock_id,
                quantity=hold.quantity,
                state=state,
                expires_at=due,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    log(
        session,
        order.id,
        OrderEventKind.STATUS,
        target=OrderStatus(order.status),
        code="placed",
        message=format_fen(order.total_fen),
        actor_id=user.id,
    )
    if cod:
        outbox.emit(session, "orders.order_confirmed", {"order_id": order.id})
    else:
        outbox.emit(
            session,
            "orders.payment_due",
            {"order_id": order.id},
            delay=due - now if due else None,
        )
    session.execute(sa.delete(CartLine).where(CartLine.id.in_([line.id for line in lines])))
    session.flush()
    return Placed(order, True)
