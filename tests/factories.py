"""Model factories (factory_boy) on the app's session; objects are flushed, not committed."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from suppliers import uscc
from suppliers.models import Supplier, SupplierKind, SupplierStatus
from yipin.accounts.models import Role, SupplierRole, User
from yipin.accounts.passwords import hash_password
from yipin.db import db

PASSWORD = "Passw0rd-yipin"
_phones = itertools.count(13800000000)
_orgs = itertools.count(10000000)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


def next_phone() -> str:
    return str(next(_phones))


def make_uscc(county: str = "360734", entity: str = "93") -> str:
    """A valid-looking 统一社会信用代码 registered in ``county``."""
    org = f"{next(_orgs):08d}"
    return uscc.make(f"{entity}{county}{org}X")


class SupplierFactory(Base):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"寻乌县第{n}脐橙专业合作社")
    kind = SupplierKind.COOPERATIVE
    uscc = factory.LazyFunction(make_uscc)
    legal_representative = "刘建华"
    contact_name = "刘建华"
    contact_phone = factory.LazyFunction(next_phone)
    region_code = "360734100201"  # a village of 寻乌县
    registered_on = date(2015, 6, 1)
    status = SupplierStatus.VERIFIED


class UserFactory(Base):
    class Meta:
        model = User

    phone = factory.LazyFunction(next_phone)
    email = None
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CONSUMER


def consumer(**kw: Any) -> User:
    return UserFactory(role=Role.CONSUMER, **kw)


def operator(**kw: Any) -> User:
    return UserFactory(role=Role.OPERATOR, **kw)


def bureau(region: str | None = None, **kw: Any) -> User:
    return UserFactory(role=Role.BUREAU, bureau_region_code=region, **kw)


def supplier_staff(supplier: Supplier | None = None, owner: bool = False, **kw: Any) -> User:
    supplier = supplier or SupplierFactory()
    return UserFactory(
        role=Role.SUPPLIER,
        supplier=supplier,
        supplier_id=supplier.id,
        supplier_role=SupplierRole.OWNER if owner else SupplierRole.STAFF,
        **kw,
    )


# ----------------------------------------------------------------------------- catalog
# These need the reference data (the ``reference`` fixture loads it).

import sqlalchemy as sa  # noqa: E402

from catalog.models import (  # noqa: E402
    Batch,
    BatchStatus,
    Category,
    Certification,
    CertificationKind,
    Grade,
    GradeStandard,
    Product,
    ProductStatus,
    RegionalBrand,
    StorageClass,
    Variant,
)
from fulfillment.models import Stock, Warehouse, WarehouseKind  # noqa: E402
from orders.models import Order, OrderLine, OrderStatus, SubOrder  # noqa: E402
from suppliers.models import BrandAuthorisation  # noqa: E402


def category(slug: str = "fresh-fruit") -> Category:
    return db.session.scalars(sa.select(Category).where(Category.slug == slug)).one()


def standard(code: str = "GB/T 21488-2008") -> GradeStandard:
    return db.session.scalars(sa.select(GradeStandard).where(GradeStandard.code == code)).one()


def grade(code: str = "premium", standard_code: str = "GB/T 21488-2008") -> Grade:
    return db.session.scalars(
        sa.select(Grade)
        .join(GradeStandard)
        .where(GradeStandard.code == standard_code, Grade.code == code)
    ).one()


def brand(slug: str = "gannan-navel-orange") -> RegionalBrand:
    return db.session.scalars(sa.select(RegionalBrand).where(RegionalBrand.slug == slug)).one()


def authorise(supplier: Supplier, brand_slug: str = "gannan-navel-orange", **kw: Any) -> Any:
    auth = BrandAuthorisation(
        supplier_id=supplier.id,
        brand_id=brand(brand_slug).id,
        valid_from=kw.pop("valid_from", date(2024, 1, 1)),
        valid_to=kw.pop("valid_to", date(2030, 12, 31)),
        **kw,
    )
    db.session.add(auth)
    db.session.flush()
    return auth


class ProductFactory(Base):
    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    supplier_id = factory.SelfAttribute("supplier.id")
    category = factory.LazyFunction(category)
    category_id = factory.SelfAttribute("category.id")
    grade_standard_id = factory.LazyFunction(lambda: standard().id)
    name = factory.Sequence(lambda n: f"赣南脐橙 安远果园{n}号")
    subtitle = "果园直发 现摘现发"
    origin_region_code = factory.SelfAttribute("supplier.region_code")
    storage_class = StorageClass.AMBIENT
    shelf_life_days = 30
    sale_months = [11, 12, 1, 2]
    description = "赣南丘陵红壤，昼夜温差大，果实脆甜。"
    status = ProductStatus.LISTED


class VariantFactory(Base):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    product_id = factory.SelfAttribute("product.id")
    supplier_id = factory.SelfAttribute("product.supplier_id")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    grade_id = factory.LazyFunction(lambda: grade().id)
    spec = "5 kg 75–80 mm"
    net_weight_g = 5000
    gross_weight_g = 5600
    price_fen = 6980
    list_price_fen = 8800


_batch_codes = itertools.count(1)


class BatchFactory(Base):
    class Meta:
        model = Batch

    variant = factory.SubFactory(VariantFactory)
    variant_id = factory.SelfAttribute("variant.id")
    supplier_id = factory.SelfAttribute("variant.supplier_id")
    code = factory.LazyFunction(lambda: f"GN{next(_batch_codes):010d}")
    base_name = "安远县镇岗乡脐橙基地 3 号地块"
    base_region_code = "360734100201"
    harvest_date = date(2026, 11, 10)
    quantity = 500
    status = BatchStatus.ACTIVE
    certificate_number = factory.LazyAttribute(lambda o: f"HG-{o.code}")
    certificate_issued_on = date(2026, 11, 11)
    committing_party = "寻乌县晨光脐橙专业合作社"
    contact_phone = "13907971234"
    commitments = ["不使用禁用农药兽药、停用兽药和非法添加物", "常规农药兽药残留不超标"]


class CertificationFactory(Base):
    class Meta:
        model = Certification

    supplier = factory.SubFactory(SupplierFactory)
    supplier_id = factory.SelfAttribute("supplier.id")
    kind = CertificationKind.GREEN_FOOD
    number = factory.Sequence(lambda n: f"GF36073424{n:04d}")
    issuer = "中国绿色食品发展中心"
    scope = "脐橙"
    valid_from = date(2024, 1, 1)
    valid_to = date(2027, 12, 31)


class WarehouseFactory(Base):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:04d}")
    name = factory.Sequence(lambda n: f"寻乌县产地仓{n}号")
    kind = WarehouseKind.ORIGIN
    region_code = "360734100"
    cold_capability = StorageClass.CHILLED
    supplier_id = None


class StockFactory(Base):
    class Meta:
        model = Stock

    warehouse = factory.SubFactory(WarehouseFactory)
    warehouse_id = factory.SelfAttribute("warehouse.id")
    variant = factory.SubFactory(VariantFactory)
    variant_id = factory.SelfAttribute("variant.id")
    supplier_id = factory.SelfAttribute("variant.supplier_id")
    on_hand = 100
    reserved = 0


_order_numbers = itertools.count(1)


def paid_order(buyer: User, lines: list[tuple[Variant, int, Batch | None]], **kw: Any) -> Order:
    """A paid order with one sub-order per supplier; each line records its batch."""
    order = Order(
        number=f"YP{next(_order_numbers):012d}",
        consumer_id=buyer.id,
        status=OrderStatus.PAID,
        recipient_name=buyer.display_name,
        recipient_phone=buyer.phone or "13800000000",
        region_code=kw.pop("region_code", "110105"),
        address_detail=kw.pop("address_detail", "建国路 88 号"),
        **kw,
    )
    db.session.add(order)
    db.session.flush()
    by_supplier: dict[int, SubOrder] = {}
    total = 0
    for variant, qty, batch in lines:
        sub = by_supplier.get(variant.supplier_id)
        if sub is None:
            sub = SubOrder(
                order_id=order.id,
                supplier_id=variant.supplier_id,
                status=order.status,
                number=f"{order.number}-{len(by_supplier) + 1}",
            )
            db.session.add(sub)
            db.session.flush()
            by_supplier[variant.supplier_id] = sub
        line = OrderLine(
            sub_order_id=sub.id,
            variant_id=variant.id,
            batch_id=batch.id if batch else None,
            product_name=variant.product.name,
            variant_spec=variant.spec,
            quantity=qty,
            unit_price_fen=variant.price_fen,
        )
        db.session.add(line)
        sub.subtotal_fen += qty * variant.price_fen
        total += qty * variant.price_fen
    order.total_fen = total
    db.session.flush()
    return order
