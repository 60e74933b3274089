"""Demo rights and certificates: brand authorisations, food production licences (SC) and the
绿色食品 / 有机 / 地理标志 / 名特优新 certificates of products (a couple expired)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from catalog.models import Certification, CertificationKind, ProductStatus
from catalog.seed import data
from catalog.seed.common import Plan, Reference, Stats, unique
from suppliers.models import Supplier, SupplierStatus
from yipin import clock
from yipin.seed.context import SeedContext
from yipin.seed.places import at

# ----------------------------------------------------------------------------- licences


def licence_suppliers(ctx: SeedContext, ref: Reference, plans: list[Plan], stats: Stats) -> None:
    """A food production licence (SC + 14 digits) for each supplier whose products need one.
    The suspended supplier's licence has just expired (the reason it was suspended)."""
    rng, session = ctx.rng, ctx.session
    today = clock.today_local()
    needs: dict[int, list[str]] = {}
    suppliers: dict[int, Supplier] = {}
    for plan in plans:
        category = ref.categories[plan.template.category]
        if not category.requires_food_licence:
            continue
        code = data.SC_CATEGORY.get(plan.template.category, "101")
        for prefix, special in data.SC_BY_TEMPLATE_PREFIX.items():
            if plan.template.key.startswith(prefix):
                code = special
        codes = needs.setdefault(plan.supplier.id, [])
        if code not in codes:
            codes.append(code)
        suppliers[plan.supplier.id] = plan.supplier
    for supplier_id, codes in needs.items():
        supplier = suppliers[supplier_id]
        county = supplier.region_code[:6]
        number = f"SC{codes[0]}{county}{rng.randint(1, 2999):04d}{rng.randint(0, 9)}"
        if supplier.status == SupplierStatus.SUSPENDED:
            start = date(today.year - 5, today.month, 1) - timedelta(days=31)
            end = date(today.year, today.month, 1) - timedelta(days=1)
            notified: datetime | None = at(end + timedelta(days=1), 9)
        else:
            start = date(today.year - rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28))
            if start > today:
                start = start.replace(year=start.year - 1)
            end = start.replace(year=start.year + 5) - timedelta(days=1)
            notified = None
        session.add(
            Certification(
                supplier_id=supplier_id,
                kind=CertificationKind.FOOD_PRODUCTION_LICENCE,
                number=number,
                issuer=f"{ref.county_name(county)}市场监督管理局",
                scope="；".join(data.SC_SCOPE[c] for c in codes),
                valid_from=start,
                valid_to=end,
                expiry_notified_at=notified,
                created_at=at(start),
            )
        )
        stats.certifications += 1
    session.flush()


# ----------------------------------------------------------------------------- certificates


def certify_products(ctx: SeedContext, ref: Reference, plans: list[Plan], stats: Stats) -> None:
    """绿色食品, 有机, 地理标志 and 名特优新 certificates on some products; two have expired."""
    rng, session = ctx.rng, ctx.session
    today = clock.today_local()
    numbers: set[str] = set()
    gi_done: set[int] = set()
    green_expired = 0
    green_suppliers: set[int] = set()
    for plan in plans:
        product = plan.product
        if product is None or plan.status == ProductStatus.DRAFT:
            continue
        county = plan.supplier.region_code[:6]
        kinds = plan.template.certifications
        rows: list[Certification] = []
        if data.GF in kinds and plan.supplier.id not in green_suppliers and rng.random() < 0.5:
            green_suppliers.add(plan.supplier.id)
            expired = green_expired < 2 and plan.status == ProductStatus.LISTED
            start = (
                date(today.year - 3, 6, 1)
                if expired
                else date(today.year - rng.randint(0, 2), rng.randint(1, 12), 1)
            )
            if start > today:
                start = start.replace(year=start.year - 1)
            end = start.replace(year=start.year + 3) - timedelta(days=1)
            if expired:
                end = min(end, today - timedelta(days=rng.randint(20, 120)))
                green_expired += 1
            number = unique(
                numbers, lambda c=county, s=start: f"GF{c}{s:%y}{rng.randint(1, 9999):04d}"
            )
            rows.append(
                Certification(
                    kind=CertificationKind.GREEN_FOOD,
                    number=number,
                    issuer="中国绿色食品发展中心",
                    scope=product.name,
                    valid_from=start,
                    valid_to=end,
                    expiry_notified_at=at(end + timedelta(days=1), 9) if expired else None,
                )
            )
        if data.ORG in kinds and rng.random() < 0.3:
            start = today - timedelta(days=rng.randint(30, 300))
            number = unique(numbers, lambda s=start: f"227OP{s:%y}{rng.randint(1, 99999):05d}")
            rows.append(
                Certification(
                    kind=CertificationKind.ORGANIC,
                    number=number,
                    issuer="中绿华夏有机产品认证中心",
                    scope=f"{product.name}（有机转换期满）",
                    valid_from=start,
                    valid_to=start.replace(year=start.year + 1) - timedelta(days=1),
                )
            )
        if data.GI in kinds and plan.brand is not None and plan.brand.id not in gi_done:
            gi_done.add(plan.brand.id)
            number = unique(numbers, lambda: f"AGI0{rng.randint(1000, 3999)}")
            rows.append(
                Certification(
                    kind=CertificationKind.GEOGRAPHICAL_INDICATION,
                    number=number,
                    issuer="中华人民共和国农业农村部",
                    scope=f"{plan.brand.name}（农产品地理标志，授权使用）",
                    valid_from=date(today.year - rng.randint(3, 6), 1, 1),
                    valid_to=date(today.year + 4, 12, 31),
                )
            )
        if data.NP in kinds and rng.random() < 0.25:
            start = date(today.year - rng.randint(0, 2), rng.choice([3, 6, 9]), 1)
            if start > today:
                start = start.replace(year=start.year - 1)
            number = unique(
                numbers, lambda s=start: f"CAQS-MTYX-{s.year}{rng.randint(1, 1999):04d}"
            )
            rows.append(
                Certification(
                    kind=CertificationKind.NOTABLE_PRODUCT,
                    number=number,
                    issuer="农业农村部农产品质量安全中心",
                    scope=f"全国名特优新农产品：{plan.brand.name if plan.brand else product.name}",
                    valid_from=start,
                    valid_to=start.replace(year=start.year + 3) - timedelta(days=1),
                )
            )
        for row in rows:
            row.supplier_id = plan.supplier.id
            row.product_id = product.id
            row.created_at = at(row.valid_from)
            session.add(row)
            stats.certifications += 1
    session.flush()
