"""Demo orders: a year of them, made through the same actions a consumer's checkout uses.

The clock is set to each moment (``clock.travel``) and the actions run as they would have:
consumers fill carts and check out (``place_order``: stock held, one sub-order per supplier,
shipping from the rate card, buyer type from the invoice data), pay online (the webhook's
``payment_succeeded``), by bank transfer (an operator confirms it) or cash on delivery;
fulfillment routes each parcel, its supplier books the waybill and hands it over, the carrier's
scans deliver it (``fulfillment.routing.demo``); buyers confirm, a few cancel, claim bad fruit
or return goods, and some never pay (their orders expire and free the stock). The sales ledger
is written by those actions, so reports have a year of facts.

Buyers: individuals across China (and in Ganzhou), 国有企业 (on the operators' list, one only
declared), 行政事业单位, private enterprises and budget units under government procurement.
Demand follows the seasons (oranges in winter, 双十一, the Spring Festival rush). A line ships
from the batch routing allocates (earliest expiry first), or else from the newest batch of its
variant harvested before the parcel left, as the supplier records it; the recalled 寻乌蜜桔 lot
reached two orders before its sample failed. Stock is topped up (``adjust_stock``, 到货入库)
when an order would need more than is left.

Nothing here calls Stripe: online payments are recorded as the webhook would record them; the
side effects of the past (notifications, routing triggers of parcels long delivered) are
settled without running. Orders of the last days stay in flight for the demo.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import (
    BatchStatus,
)
from fulfillment.actions import adjust_stock
from fulfillment.holds import available_units
from fulfillment.models import Stock, Warehouse
from fulfillment.routing import demo as demo_parcels
from orders import after_sales, carts, lifecycle
from orders import seed_setup as setup
from orders.checkout import CheckoutRequest, Destination, place_order
from orders.errors import CartError, PaymentMethodUnavailable, QuantityUnavailable
from orders.expiry import expire_order
from orders.models import (
    BuyerType,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ReturnReason,
)
from orders.payments.service import confirm_bank_transfer, payment_succeeded
from orders.refunds import record_offline_refund
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.errors import DomainError
from yipin.outbox.models import OutboxEntry, OutboxStatus
from yipin.outbox.service import NEW_IDS
from yipin.seed.context import SeedContext

DAYS = 365
ORDERS_PER_YEAR = 380  # about one a day, several a day in the orange season's peaks
IN_FLIGHT_DAYS = 3  # orders younger than this keep their pending side effects (routing …)


@dataclass
class Tally:
    orders: int = 0
    paid: int = 0
    cancelled: int = 0
    refunds: int = 0
    claims: int = 0
    returns: int = 0
    top_ups: int = 0
    batches: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _weight(day: date) -> float:
    """How busy a day is: the orange season, 双十一, the Spring Festival rush, weekends."""
    w = 1.0
    if day.month in (11, 12, 1):
        w *= 2.2
    elif day.month in (2, 10):
        w *= 1.4
    elif day.month in (6, 7, 8):
        w *= 0.7
    if day.month == 11 and 9 <= day.day <= 12:
        w *= 3.0
    if day.month == 1 and day.day >= 10:
        w *= 1.6  # 年货节
    if day.weekday() >= 5:
        w *= 1.25
    return w


def seed(ctx: SeedContext) -> None:
    session, rng = ctx.session, ctx.rng
    operator = session.scalars(
        sa.select(User).where(User.role == Role.OPERATOR).order_by(User.id)
    ).first()
    if operator is None:
        return
    now = clock.now()
    tally = Tally()
    settled: list[int] = []
    with clock.travel(now - timedelta(days=DAYS + 1)):
        setup.pickup_points(ctx, operator)
        setup.state_owned_list(ctx, operator)
        buyers = setup.buyers(ctx)
        catalog = setup.catalogue(session)
        ctx.extra["lots_by_variant"] = {i.variant.id: i.lots for i in catalog}
        recalled = setup.recalled_lot(session, catalog)
        owners = setup.owners(session)
        _settle(session, settled)
    if not buyers or not catalog:
        return
    days = [now.date() - timedelta(days=n) for n in range(DAYS, -1, -1)]
    weights = [_weight(d) for d in days]
    scale = ORDERS_PER_YEAR / sum(weights)
    plan: list[datetime] = []
    for day, w in zip(days, weights, strict=True):
        for _ in range(_poisson(rng, w * scale)):
            hour = rng.choice([9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22]) + rng.random()
            moment = setup.at_hour(day, hour)
            if moment < now - timedelta(minutes=20):
                plan.append(moment)
    plan.sort()
    if recalled is not None:
        made = setup.at_hour(recalled.day + timedelta(days=1), 10.5)
        plan[:0] = [made, made + timedelta(hours=3)]
    harvested: set[tuple[int, int]] = set()
    for index, placed in enumerate(ctx.progress(plan, "orders")):
        forced = recalled if recalled is not None and index < 2 else None
        month = clock.to_local(placed).date().replace(day=1)
        if (month.year, month.month) not in harvested:
            harvested.add((month.year, month.month))
            tally.batches += setup.harvest(ctx, catalog, owners, operator, month, now)
            _settle(session, settled)
        with clock.travel(placed):
            savepoint = session.begin_nested()  # a refused order undoes itself, nothing else
            try:
                _one_order(ctx, tally, buyers, catalog, owners, operator, placed, now, forced)
            except DomainError:  # e.g. the cold chain does not reach the buyer's county
                savepoint.rollback()
                continue
            savepoint.commit()
        history = now - placed > timedelta(days=IN_FLIGHT_DAYS)
        if history:
            _settle(session, settled)
        session.flush()
    parcels = demo_parcels.tally(ctx.extra)
    flags = demo_parcels.finish(session, now)
    _settle(session, settled)
    if settled:
        session.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.id.in_(settled))
            .values(status=OutboxStatus.DONE, attempts=1, done_at=now, last_error=None)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    ctx.extra["orders"] = tally
    ctx.echo(
        f"orders: {tally.orders} orders over {DAYS} days ({tally.paid} paid,"
        f" {tally.cancelled} cancelled), {tally.refunds} refunds, {tally.claims} claims,"
        f" {tally.returns} returns, {tally.batches} batches harvested,"
        f" {tally.top_ups} stock arrivals;"
        " by buyer: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.by_type.items()))
    )
    ctx.echo(
        f"fulfillment: {parcels.routed} parcels routed ({parcels.unroutable} unroutable),"
        f" {parcels.shipped} handed over, {parcels.delivered} delivered, {parcels.late} not out"
        f" of their county within 24 h, {flags['raised']} SLA flags open now"
    )


def _settle(session: Session, settled: list[int]) -> None:
    """Side effects of the past already happened: take them off the hand-over list."""
    settled.extend(session.info.pop(NEW_IDS, []))


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# ----------------------------------------------------------------------------- one order


def _lot_for(
    item: setup.Item, ship_day: date, units: int, *, forced: setup.Lot | None = None
) -> setup.Lot | None:
    """The newest batch harvested before the parcel leaves that still has the units."""
    if forced is not None:
        return forced if forced.batch.variant_id == item.variant.id else None
    usable = [
        lot
        for lot in item.lots
        if lot.day < ship_day and lot.left >= units and lot.batch.status != BatchStatus.DELISTED
    ]
    return usable[-1] if usable else None


def _choose(
    rng: random.Random, catalog: list[setup.Item], buyer: setup.Buyer, ship_day: date, recent: bool
) -> list[tuple[setup.Item, int]]:
    count = (
        rng.choice([1, 1, 1, 2, 2, 3]) if buyer.kind == BuyerType.INDIVIDUAL else rng.choice([1, 2])
    )
    picks: list[tuple[setup.Item, int]] = []
    candidates = [i for i in catalog if recent or _lot_for(i, ship_day, 1)]
    if not candidates:
        return []
    # the season sells: the orange's winter weighs more, but anything with a batch may sell
    month = ship_day.month
    weights = [3.0 if month in i.product.sale_months else 1.0 for i in candidates]
    seen: set[int] = set()
    for _ in range(count * 3):
        if len(picks) >= count:
            break
        item = rng.choices(candidates, weights)[0]
        if item.variant.id in seen:
            continue
        seen.add(item.variant.id)
        low, high = buyer.bulk
        units = rng.randint(low, high)
        if item.variant.per_order_limit:
            units = min(units, item.variant.per_order_limit)
        lot = _lot_for(item, ship_day, units)
        if not recent and lot is None:
            continue
        picks.append((item, units))
    return picks


def _stock_up(ctx: SeedContext, operator: User, item: setup.Item, units: int, tally: Tally) -> None:
    """A delivery arrives at the warehouse when the shelf would run short (到货入库)."""
    session = ctx.session
    free = available_units(session, [item.variant.id])[item.variant.id]
    if free >= units:
        return
    row = session.scalars(
        sa.select(Stock)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(Stock.variant_id == item.variant.id, Warehouse.is_active.is_(True))
        .order_by(Stock.on_hand.desc(), Stock.id)
    ).first()
    if row is None:
        return
    adjust_stock(
        session,
        operator,
        item.variant.id,
        row.warehouse_id,
        units - free + ctx.rng.randint(40, 200),
        "到货入库",
    )
    tally.top_ups += 1


def _method(rng: random.Random, buyer: setup.Buyer) -> PaymentMethod:
    if buyer.kind != BuyerType.INDIVIDUAL:
        return PaymentMethod.BANK_TRANSFER
    return rng.choices(
        [PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY, PaymentMethod.CARD, PaymentMethod.COD],
        [44, 38, 10, 8],
    )[0]


def _one_order(
    ctx: SeedContext,
    tally: Tally,
    buyers: list[setup.Buyer],
    catalog: list[setup.Item],
    owners: dict[int, User],
    operator: User,
    placed: datetime,
    now: datetime,
    forced: setup.Lot | None,
) -> None:
    session, rng = ctx.session, ctx.rng
    orgs = [b for b in buyers if b.kind != BuyerType.INDIVIDUAL]
    buyer = (
        rng.choice(orgs)
        if orgs and (rng.random() < 0.17 and forced is None)
        else rng.choice([b for b in buyers if b.kind == BuyerType.INDIVIDUAL])
    )
    age = now - placed
    ship_at = placed + timedelta(hours=rng.uniform(6, 30))
    recent = ship_at > now
    if forced is not None:
        item = next(i for i in catalog if i.variant.id == forced.batch.variant_id)
        picks = [(item, min(2, forced.left))]
    else:
        picks = _choose(rng, catalog, buyer, clock.to_local(ship_at).date(), recent)
    if not picks:
        return
    cart = carts.cart_for(session, user_id=buyer.user.id)
    for line in list(cart.lines):
        session.delete(line)
    session.flush()
    for item, units in picks:
        _stock_up(ctx, operator, item, units, tally)
        try:
            carts.add_to_cart(session, cart, item.variant.id, units)
        except (QuantityUnavailable, CartError):
            continue
    method = _method(rng, buyer)
    checkout = CheckoutRequest(
        destination=Destination(address_id=buyer.address_ids[0]),
        buyer=buyer.details,
        payment_method=method,
        note=rng.choice(["", "", "", "请尽快发货", "送礼用，请勿放发票", "周末送货"]),
    )
    try:
        order = place_order(session, buyer.user, cart, checkout, record_online=True).order
    except PaymentMethodUnavailable:  # cash on delivery is not offered for this cart
        method = checkout.payment_method = PaymentMethod.ALIPAY
        order = place_order(session, buyer.user, cart, checkout, record_online=True).order
    tally.orders += 1
    tally.by_type[buyer.kind.value] += 1

    # paying: some never do (their stock comes back when the time runs out)
    paid_at = placed + timedelta(minutes=rng.uniform(1, 12))
    if method == PaymentMethod.BANK_TRANSFER:
        paid_at = placed + timedelta(hours=rng.uniform(3, 40))
    never = method != PaymentMethod.COD and rng.random() < 0.06
    if never or paid_at > now:
        if never and age > timedelta(hours=80):
            clock.freeze(order.payment_due_at + timedelta(minutes=1))  # type: ignore[operator]
            expire_order(session, order.id)
            tally.cancelled += 1
        return
    clock.freeze(paid_at)
    payment = order.payments[0]
    if method == PaymentMethod.BANK_TRANSFER:
        confirm_bank_transfer(
            session,
            operator,
            payment.id,
            f"HX{paid_at:%Y%m%d}{rng.randint(1000, 9999)}",
            order.total_fen,
        )
    elif method != PaymentMethod.COD:
        payment.provider_ref = f"pi_seed{order.id:07d}{rng.randint(100000, 999999)}"
        payment.status = PaymentStatus.PENDING
        payment_succeeded(session, payment, at=paid_at, method=method)
    if method != PaymentMethod.COD:
        tally.paid += 1

    for sub in order.sub_orders:
        _parcel(ctx, tally, sub, owners, operator, placed, now, forced)


def _parcel(
    ctx: SeedContext,
    tally: Tally,
    sub: Any,
    owners: dict[int, User],
    operator: User,
    placed: datetime,
    now: datetime,
    forced: setup.Lot | None,
) -> None:
    """One supplier's parcel, as far as time has gone: routed when paid, shipped, delivered,
    confirmed; now and then cancelled before shipment, claimed for bad fruit or returned.
    Fulfillment routes it, books its waybills and replays the carriers' scans
    (``fulfillment.routing.demo``); a parcel routing found no way for (cold goods for a
    village no cold chain reaches) is sent by hand, unless it is recent: then it waits on the
    operators' board."""
    session, rng = ctx.session, ctx.rng
    parcels = demo_parcels.tally(ctx.extra)
    owner = owners.get(sub.supplier_id, operator)
    outcome = demo_parcels.route(session, parcels, sub.id)
    routed = outcome == "routed"
    ship_at = placed + timedelta(hours=rng.uniform(6, 30))
    if sub.paid_at is not None and ship_at <= sub.paid_at:  # a transfer confirmed late
        ship_at = sub.paid_at + (ship_at - placed)
    if ship_at > now:
        return
    clock.freeze(ship_at)
    if rng.random() < 0.025 and forced is None:
        after_sales.cancel_sub_order(session, owner, sub.id, "缺货，抱歉")
        demo_parcels.cancelled(session, parcels, sub.id)
        _refund_offline(session, operator, sub)
        tally.cancelled += 1
        return
    if outcome == "unroutable" and now - ship_at < timedelta(days=IN_FLIGHT_DAYS):
        return  # on the operators' board: nobody has sent it another way yet
    batches = {}
    day = clock.to_local(ship_at).date()
    for line in sub.lines:
        lots = ctx.extra["lots_by_variant"].get(line.variant_id, [])
        lot = forced
        if lot is None:
            usable = [
                x
                for x in lots
                if x.day < day
                and x.left >= line.quantity
                and x.batch.status != BatchStatus.DELISTED
            ]
            lot = usable[-1] if usable else (lots[-1] if lots else None)
        if lot is None:
            return  # nothing to ship it from yet: it waits in the warehouse
        lot.left -= line.quantity
        batches[line.id] = lot.batch.id
    # drawn as before routing chose the carriers, so that every later draw stays where it was;
    # the parcel's own scans are drawn from these
    carrier_name = (
        rng.choice(["中国邮政", "顺丰速运", "京东物流", "中通快递"])
        if not sub.cold_chain
        else rng.choice(["顺丰冷运", "京东冷链"])
    )
    waybill_number = f"{rng.choice(['YZ', 'SF', 'JD', 'ZT'])}{rng.randint(10**11, 10**12 - 1)}"
    delivered_at = ship_at + timedelta(days=rng.uniform(1, 4))
    if routed:
        demo_parcels.ship(
            session,
            parcels,
            sub.id,
            owner,
            batches=batches,
            collected_at=ship_at,
            delivered_at=delivered_at,
            now=now,
            seed=waybill_number,
        )
    else:
        lifecycle.mark_shipped(
            session,
            owner,
            sub.id,
            carrier_name=carrier_name,
            waybill_number=waybill_number,
            batches=batches,
        )
    if delivered_at > now:
        return
    clock.freeze(delivered_at)
    if not routed:
        lifecycle.mark_delivered(session, operator, sub.id)
    roll = rng.random()
    if roll < 0.08:
        _claim(ctx, tally, sub, owner, operator)
    elif roll < 0.11:
        _return(ctx, tally, sub, owner, operator)
    done_at = delivered_at + timedelta(days=rng.uniform(0.5, 10))
    if done_at > now:
        return
    clock.freeze(done_at)
    session.refresh(sub)
    if sub.status == OrderStatus.DELIVERED:
        lifecycle.complete(session, _buyer(session, sub), sub.id)


def _buyer(session: Session, sub: Any) -> User:
    return session.get(User, sub.order.consumer_id)  # type: ignore[return-value]


def _refund_offline(session: Session, operator: User, sub: Any) -> None:
    """Refunds of bank transfers and cash go back by transfer: the operator records them."""
    for refund in sub.refunds:
        if refund.status == "pending" and refund.payment and refund.payment.provider == "offline":
            record_offline_refund(session, operator, refund.id, f"TK{refund.id:08d}")
        elif refund.status == "pending":
            from orders.refunds import refund_succeeded

            refund.provider_ref = f"re_seed{refund.id:08d}"
            refund_succeeded(session, refund)


def _claim(ctx: SeedContext, tally: Tally, sub: Any, owner: User, operator: User) -> None:
    session, rng = ctx.session, ctx.rng
    line = sub.lines[0]
    rules = after_sales.rules_for(session, [line])
    if not rules[line.id].claim_hours:
        return
    image = _photo(session, sub, rng)
    claim = after_sales.file_claim(
        session,
        _buyer(session, sub),
        sub.id,
        line.id,
        bad_units=1,
        requested_fen=min(line.total_fen, max(100, line.unit_price_fen // 3)),
        description=rng.choice(["到货有 3 个烂果", "外箱压坏，部分果子破皮", "有两个发霉"]),
        image_ids=[image.id],
    )
    clock.advance(timedelta(hours=rng.uniform(2, 20)))
    if rng.random() < 0.85:
        after_sales.decide_claim(session, owner, claim.id, approve=True, note="已核实，按比例赔付")
        _refund_offline(session, operator, sub)
        tally.refunds += 1
    else:
        after_sales.decide_claim(
            session, owner, claim.id, approve=False, note="照片显示为正常果皮斑点，不属坏果"
        )
    tally.claims += 1


def _return(ctx: SeedContext, tally: Tally, sub: Any, owner: User, operator: User) -> None:
    session = ctx.session
    line = sub.lines[0]
    try:
        request_ = after_sales.request_return(
            session,
            _buyer(session, sub),
            sub.id,
            ReturnReason.QUALITY,
            [(line.id, 1)],
            "包装破损漏油",
        )
    except DomainError:
        return
    clock.advance(timedelta(hours=8))
    after_sales.decide_return(session, owner, request_.id, True, "同意退货")
    clock.advance(timedelta(days=3))
    after_sales.receive_return(session, owner, request_.id)
    _refund_offline(session, operator, sub)
    tally.returns += 1
    tally.refunds += 1


def _photo(session: Session, sub: Any, rng: random.Random) -> Any:
    """A buyer's photo of a bad orange: stored through the platform's image upload."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    from yipin.media.images import store_upload
    from yipin.media.models import ImagePurpose

    picture = PILImage.new("RGB", (480, 360), (236, 226, 206))
    draw = ImageDraw.Draw(picture)
    for _ in range(5):
        x, y = rng.randint(40, 400), rng.randint(40, 280)
        draw.ellipse((x - 36, y - 36, x + 36, y + 36), fill=(232, 120, 20))
    draw.ellipse((200, 150, 250, 200), fill=(86, 70, 40))  # the rot
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    out.seek(0)
    return store_upload(
        session,
        out,
        purpose=ImagePurpose.CLAIM,
        supplier_id=sub.supplier_id,
        uploaded_by_id=sub.order.consumer_id,
    )
