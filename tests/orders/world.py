"""A small marketplace for the order tests: two suppliers in two Ganzhou counties, a navel
orange (ambient), chilled pork and camellia oil, stock in their warehouses, the rate card and
the after-sales rules, and a consumer with an address in Beijing. Needs the reference data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from catalog.models import Category, ProductStatus, StorageClass, Variant
from fulfillment.models import PickupPoint, PickupPointKind, Stock, Warehouse
from fulfillment.shipping import load_rate_card
from orders import carts
from orders.after_sales import load_rules
from orders.checkout import CheckoutRequest, Destination, place_order
from orders.models import Address, CartLine, Order, PaymentMethod, RefundKind
from suppliers.models import Supplier
from tests import factories as f
from yipin.accounts.models import User
from yipin.db import db

BEIJING = "110105"  # 北京市朝阳区
XUNWU_VILLAGE = "360734100201"  # 寻乌县长宁镇三二五村


@dataclass
class Shop:
    xunwu: Supplier
    nankang: Supplier
    xunwu_owner: User
    nankang_owner: User
    operator: User
    consumer: User
    orange: Variant  # 寻乌, ambient, 5 kg, ¥69.80
    pork: Variant  # 南康, chilled, 1 kg, ¥58.00
    oil: Variant  # 南康, ambient, 2.5 L, ¥198.00, 限购 2
    warehouse: Warehouse  # the platform's shared hub (frozen capable)
    own: Warehouse  # 寻乌's own store
    address: Address
    extra: dict[str, Any] = field(default_factory=dict)

    def stock(self, variant: Variant) -> list[Stock]:
        return list(
            db.session.scalars(
                sa.select(Stock).where(Stock.variant_id == variant.id).order_by(Stock.id)
            ).all()
        )

    def available(self, variant: Variant) -> int:
        db.session.expire_all()
        return sum(s.on_hand - s.reserved for s in self.stock(variant))

    def reserved(self, variant: Variant) -> int:
        db.session.expire_all()
        return sum(s.reserved for s in self.stock(variant))


def load_order_reference() -> None:
    load_rate_card(db.session)
    load_rules(db.session)
    db.session.flush()


def build_shop(*, units: int = 100) -> Shop:
    load_order_reference()
    xunwu = f.SupplierFactory(name="寻乌县晨光脐橙专业合作社", region_code=XUNWU_VILLAGE)
    nankang = f.SupplierFactory(name="南康区家乡味农产品有限公司", region_code="360703100201")
    f.authorise(xunwu)
    meat = db.session.scalars(sa.select(Category).where(Category.slug == "meat-poultry")).one()
    oil_cat = db.session.scalars(sa.select(Category).where(Category.slug == "grain-oil")).one()
    orange = f.VariantFactory(
        product=f.ProductFactory(
            supplier=xunwu,
            name="赣南脐橙 寻乌果园直发",
            brand_id=f.brand().id,
            origin_region_code=XUNWU_VILLAGE,
            status=ProductStatus.LISTED,
        ),
        sku="XW-5KG",
        price_fen=6980,
        net_weight_g=5000,
        gross_weight_g=5600,
    )
    pork = f.VariantFactory(
        product=f.ProductFactory(
            supplier=nankang,
            name="南康土猪肉 冷鲜五花",
            category=meat,
            grade_standard_id=None,
            origin_region_code="360703100201",
            storage_class=StorageClass.CHILLED,
            shelf_life_days=5,
        ),
        sku="NK-PORK-1KG",
        grade_id=None,
        spec="1 kg",
        price_fen=5800,
        list_price_fen=None,
        net_weight_g=1000,
        gross_weight_g=1500,
    )
    oil = f.VariantFactory(
        product=f.ProductFactory(
            supplier=nankang,
            name="赣南茶油 压榨一级",
            category=oil_cat,
            grade_standard_id=None,
            origin_region_code="360703100201",
        ),
        sku="NK-OIL-2.5L",
        grade_id=None,
        spec="2.5 L",
        price_fen=19800,
        list_price_fen=None,
        net_weight_g=2300,
        gross_weight_g=2800,
        per_order_limit=2,
    )
    hub = f.WarehouseFactory(
        code="HUB-360702",
        name="章贡区县级物流配送中心",
        region_code="360702",
        cold_capability=StorageClass.FROZEN,
    )
    own = f.WarehouseFactory(code="XW-OWN", name="寻乌晨光冷库", supplier_id=xunwu.id)
    f.StockFactory(warehouse=own, variant=orange, on_hand=units)
    f.StockFactory(warehouse=hub, variant=pork, on_hand=units)
    f.StockFactory(warehouse=hub, variant=oil, on_hand=units)
    consumer = f.consumer(display_name="王小明", phone="13911112222")
    address = Address(
        user_id=consumer.id,
        recipient_name="王小明",
        phone="13911112222",
        region_code=BEIJING,
        detail="建国路 88 号 SOHO 现代城 3 号楼 501",
        is_default=True,
    )
    db.session.add(address)
    db.session.add(
        PickupPoint(
            code="CZ-360734100201",
            name="三二五村级服务站",
            kind=PickupPointKind.VILLAGE_STATION,
            region_code=XUNWU_VILLAGE,
            serves_region_code=XUNWU_VILLAGE,
            address_detail="村委会一楼",
        )
    )
    db.session.flush()
    return Shop(
        xunwu=xunwu,
        nankang=nankang,
        xunwu_owner=f.supplier_staff(xunwu, owner=True, display_name="刘建华"),
        nankang_owner=f.supplier_staff(nankang, owner=True, display_name="赖春生"),
        operator=f.operator(display_name="运营小王"),
        consumer=consumer,
        orange=orange,
        pork=pork,
        oil=oil,
        warehouse=hub,
        own=own,
        address=address,
    )


def fill_cart(user: User, items: list[tuple[Variant, int]]) -> Any:
    cart = carts.cart_for(db.session, user_id=user.id)
    for variant, quantity in items:
        carts.add_to_cart(db.session, cart, variant.id, quantity)
    return cart


def buy(
    shop: Shop,
    items: list[tuple[Variant, int]],
    *,
    user: User | None = None,
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER,
    **kw: Any,
) -> Order:
    """Fill the cart and place the order (flushed, not committed)."""
    user = user or shop.consumer
    cart = fill_cart(user, items)
    request = CheckoutRequest(
        destination=kw.pop("destination", Destination(address_id=_address_of(user, shop))),
        payment_method=method,
        **kw,
    )
    return place_order(db.session, user, cart, request).order


def _address_of(user: User, shop: Shop) -> int:
    if user.id == shop.consumer.id:
        return shop.address.id
    address = db.session.scalars(sa.select(Address).where(Address.user_id == user.id)).first()
    if address is None:
        address = Address(
            user_id=user.id,
            recipient_name=user.display_name,
            phone=user.phone or "13900000000",
            region_code=BEIJING,
            detail="朝阳门外大街 1 号",
        )
        db.session.add(address)
        db.session.flush()
    return address.id


def pickup_point() -> PickupPoint:
    return db.session.scalars(sa.select(PickupPoint)).first()  # type: ignore[return-value]


def orders_of(supplier: Supplier, variant: Variant) -> dict[str, Any]:
    """One of every order record that carries an id in a URL, for ``supplier``'s ``variant``
    (the isolation tests try to reach them as another supplier): a delivered and paid parcel
    with a refund, a return, a 坏果包赔 claim with a photo; the buyer's address and cart line;
    a rate and a 国有企业 entry."""
    import io

    from PIL import Image as PILImage

    from fulfillment.models import ShippingRate
    from orders import after_sales, lifecycle
    from orders.buyers import add_state_owned
    from orders.models import ReturnReason
    from orders.payments.service import confirm_bank_transfer
    from orders.refunds import refund_sub_order
    from suppliers import uscc
    from yipin.media.images import store_upload
    from yipin.media.models import ImagePurpose

    load_order_reference()
    operator = f.operator()
    buyer = f.consumer(display_name="B 的买家")
    address = Address(
        user_id=buyer.id,
        recipient_name="张三",
        phone="13922223333",
        region_code=BEIJING,
        detail="朝阳门外大街 1 号",
    )
    db.session.add(address)
    warehouse = f.WarehouseFactory(supplier_id=supplier.id)
    f.StockFactory(warehouse=warehouse, variant=variant, on_hand=50)
    db.session.flush()
    cart = fill_cart(buyer, [(variant, 3)])
    order = place_order(
        db.session,
        buyer,
        cart,
        CheckoutRequest(
            destination=Destination(address_id=address.id),
            payment_method=PaymentMethod.BANK_TRANSFER,
        ),
    ).order
    payment = order.payments[0]
    confirm_bank_transfer(db.session, operator, payment.id, "B-REF-0001", order.total_fen)
    sub = order.sub_orders[0]
    batch = f.BatchFactory(variant=variant)
    lifecycle.mark_shipped(
        db.session,
        operator,
        sub.id,
        carrier_name="邮政",
        waybill_number="YZ0000000001",
        batches={sub.lines[0].id: batch.id},
    )
    lifecycle.mark_delivered(db.session, operator, sub.id)
    picture = io.BytesIO()
    PILImage.new("RGB", (64, 64), (90, 60, 20)).save(picture, "JPEG")
    picture.seek(0)
    photo = store_upload(
        db.session,
        picture,
        purpose=ImagePurpose.CLAIM,
        supplier_id=supplier.id,
        uploaded_by_id=buyer.id,
    )
    request_ = after_sales.request_return(
        db.session, buyer, sub.id, ReturnReason.QUALITY, [(sub.lines[0].id, 1)], "有破损"
    )
    claim = None
    rules = after_sales.rules_for(db.session, sub.lines)
    if rules[sub.lines[0].id].claim_hours:
        claim = after_sales.file_claim(
            db.session,
            buyer,
            sub.id,
            sub.lines[0].id,
            bad_units=1,
            requested_fen=100,
            description="烂果",
            image_ids=[photo.id],
        )
    refund = refund_sub_order(
        db.session, operator, sub.id, kind=RefundKind.PARTIAL, reason="补差", amount_fen=100
    )
    fill_cart(buyer, [(variant, 1)])
    soe = add_state_owned(db.session, operator, uscc.make("91360700MA35XY12Q"), "某国有企业")
    db.session.flush()
    return {
        "order_id": order.id,
        "number": order.number,
        "payment_id": payment.id,
        "sub_order_id": sub.id,
        "refund_id": refund.id,
        "return_id": request_.id,
        "claim_id": claim.id if claim else 1,
        "address_id": address.id,
        "line_id": db.session.scalars(sa.select(CartLine.id)).first(),
        "rate_id": db.session.scalars(sa.select(ShippingRate.id)).first(),
        "soe_id": soe.id,
        "rendition": "thumb",
        "claim_image_id": photo.id,
    }
