"""A small Ganzhou world for the stock and import tests: two suppliers, their staff, warehouses
of every operator, and a listed navel-orange product. Needs the reference data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.models import Product, ProductStatus, StorageClass, Variant
from fulfillment.models import Warehouse, WarehouseKind
from suppliers.models import Supplier
from tests import factories as f
from yipin.accounts.models import User
from yipin.db import db


@dataclass
class World:
    supplier: Supplier
    owner: User
    staff: User
    other: Supplier
    other_staff: User
    operator: User
    bureau: User
    consumer: User
    own_wh: Warehouse  # run by ``supplier``, chilled
    shared_wh: Warehouse  # platform-run county hub, ambient only
    other_wh: Warehouse  # run by ``other``
    product: Product  # listed, ambient
    variant: Variant
    chilled_variant: Variant  # of a chilled product, listed


def build_world() -> World:
    supplier = f.SupplierFactory(name="寻乌县晨光脐橙专业合作社")
    other = f.SupplierFactory(name="安远县东江源果业有限公司", region_code="360726100201")
    f.authorise(supplier)
    own_wh = f.WarehouseFactory(
        code="XW-ORIGIN-01",
        name="寻乌晨光产地仓",
        supplier_id=supplier.id,
        cold_capability=StorageClass.CHILLED,
    )
    shared_wh = f.WarehouseFactory(
        code="XW-HUB",
        name="寻乌县物流配送中心",
        kind=WarehouseKind.COUNTY_HUB,
        region_code="360734",
        cold_capability=StorageClass.AMBIENT,
    )
    other_wh = f.WarehouseFactory(
        code="AY-ORIGIN-01", name="安远东江源产地仓", supplier_id=other.id, region_code="360726100"
    )
    product = f.ProductFactory(
        supplier=supplier, brand_id=f.brand().id, status=ProductStatus.LISTED
    )
    variant = f.VariantFactory(product=product, sku="XW-QC-5KG-T")
    chilled = f.ProductFactory(
        supplier=supplier,
        name="寻乌鲜切脐橙果肉",
        category=f.category("fresh-fruit"),
        storage_class=StorageClass.CHILLED,
        shelf_life_days=5,
        status=ProductStatus.LISTED,
    )
    chilled_variant = f.VariantFactory(
        product=chilled,
        sku="XW-QR-500G",
        net_weight_g=500,
        gross_weight_g=650,
        price_fen=2990,
        list_price_fen=None,
    )
    world = World(
        supplier=supplier,
        owner=f.supplier_staff(supplier, owner=True),
        staff=f.supplier_staff(supplier),
        other=other,
        other_staff=f.supplier_staff(other, owner=True),
        operator=f.operator(),
        bureau=f.bureau(),
        consumer=f.consumer(),
        own_wh=own_wh,
        shared_wh=shared_wh,
        other_wh=other_wh,
        product=product,
        variant=variant,
        chilled_variant=chilled_variant,
    )
    db.session.commit()
    return world


def listed(product_id: int) -> Any:
    db.session.expire_all()
    return db.session.get(Product, product_id).status


# ----------------------------------------------------------------------------- import files

HEADER = [
    "商品编码 product_key",
    "*商品名称 product_name",
    "*类目 category",
    "区域品牌 brand",
    "等级标准 grade_standard",
    "*产地区划代码 origin",
    "储存方式 storage_class",
    "*保质期天数 shelf_life_days",
    "销售月份 sale_months",
    "*SKU sku",
    "等级 grade",
    "*规格 spec",
    "*净重克 net_weight_g",
    "*毛重克 gross_weight_g",
    "*售价元 price",
    "划线价元 list_price",
    "每单限购 per_order_limit",
    "仓库编码 warehouse_code",
    "库存数量 on_hand",
]
GRADES = ["特等", "一等", "二等", "特等"]
SIZES = ["75–80 mm", "70–75 mm", "65–70 mm", "80–85 mm"]


def import_rows(n: int, *, prefix: str = "T", warehouse: str = "XW-ORIGIN-01") -> list[list[str]]:
    """``n`` good rows: products of 4 variants each (navel oranges of 寻乌县)."""
    rows = []
    for i in range(n):
        p, v = divmod(i, 4)
        rows.append(
            [
                f"{prefix}-P{p:04d}",
                f"赣南脐橙 寻乌果园{p}号 {prefix}",
                "生鲜水果",
                "赣南脐橙",
                "GB/T 21488-2008",
                "360734100201",
                "常温",
                "30",
                "11,12,1,2",
                f"{prefix}-{p:04d}-{v}",
                GRADES[v],
                f"5 kg {SIZES[v]}",
                "5000",
                "5600",
                f"{59 + v * 5}.80",
                "",
                "",
                warehouse,
                str(100 + v),
            ]
        )
    return rows


def csv_bytes(
    rows: list[list[str]], encoding: str = "utf-8", header: list[str] | None = None
) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: list[list[str]], header: list[str] | None = None, numbers: bool = True
) -> bytes:
    """An XLSX as Excel writes it: numeric cells are numbers, not text."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append([_number(c) if numbers else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def page_token(client: Any, url: str = "/supplier/stock/") -> str:
    """The CSRF token from one of our pages (the storefront home may not render for everyone)."""
    from tests.conftest import CSRF_META

    page = client.get(url).get_data(as_text=True)
    match = CSRF_META.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def api(client: Any, method: str, url: str, token_from: str = "/supplier/stock/", **kw: Any) -> Any:
    """A JSON API call from the logged-in browser session, with the page's CSRF token."""
    headers = dict(kw.pop("headers", {}) or {})
    if method.upper() not in ("GET", "HEAD"):
        headers.setdefault("X-CSRFToken", page_token(client, token_from))
    return client.open(url, method=method.upper(), headers=headers, **kw)
