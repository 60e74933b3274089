"""Generated catalog for benchmarks: ``flask catalog generate --products N``.

Adds believable listed products until consumers see ``N`` of them: the demo's product templates
(``catalog.seed``: names, specs, grades of the right standard, prices in fen, seasons, tests)
made by the platform's verified suppliers, under the regional brands each holds a valid
authorisation for and only from villages of the brand's region, in categories that need a food
production licence only for suppliers holding a valid one. Products in season get an active
batch per variant with its 承诺达标合格证 and inspections (so product pages show 合格证); some get
a product certificate (badges). No pictures: cards show the placeholder.

Idempotent: a second run with the same ``N`` adds nothing. Rows are inserted in bulk, in
chunks of ``CHUNK`` products (one commit each). Like any bulk load it emits no event per
product (10,000 ``catalog.product_changed`` would each re-read a product for search): run
``flask search reindex`` afterwards (the command says so; ``bench/render.py`` does).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import rules
from catalog.models import (
    BASIS_PREFIX,
    STANDARD_COMMITMENTS,
    Batch,
    BatchInspection,
    BatchStatus,
    Category,
    Certification,
    CertificationKind,
    Grade,
    GradeStandard,
    InspectionResult,
    Product,
    ProductStatus,
    RegionalBrand,
    Variant,
)
from catalog.seed.common import TEST_CENTRE
from catalog.seed.data import BRAND_TEMPLATES, LOCAL_TEMPLATES
from catalog.seed.template import Template
from catalog.trace.batches import CODE_ALPHABET
from suppliers.models import Supplier
from yipin import clock
from yipin.regions.models import GANZHOU
from yipin.seed.places import Places

CHUNK = 500  # products per bulk insert and commit
ANALYSED = ("products", "variants", "batches", "batch_inspections", "certifications")


class NoSupplierCanSell(RuntimeError):
    """No verified supplier may make any template (the command says so and stops)."""


@dataclass(frozen=True)
class Choice:
    """What a supplier may make: a template, under a brand or none."""

    supplier: Supplier
    template: Template
    brand: RegionalBrand | None


def visible_products(session: Session) -> int:
    """How many products consumers see."""
    return (
        session.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.is_visible))
        or 0
    )


def _code(number: int) -> str:
    """A batch code from a number: ``G`` and 11 letters of the trace code alphabet."""
    out = []
    for _ in range(11):
        number, digit = divmod(number, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[digit])
    return "G" + "".join(reversed(out))


def _choices(session: Session, suppliers: list[Supplier], places: Places) -> list[Choice]:
    """Every (supplier, template, brand) the catalog's rules allow today."""
    today = clock.today_local()
    brands = {b.slug: b for b in session.scalars(sa.select(RegionalBrand))}
    categories = {c.slug: c for c in session.scalars(sa.select(Category))}
    ids = [s.id for s in suppliers]
    authorised = rules.authorised_brand_ids(session, ids, today)
    licensed = set(
        session.scalars(
            sa.select(Certification.supplier_id).where(
                Certification.supplier_id.in_(ids),
                Certification.kind == CertificationKind.FOOD_PRODUCTION_LICENCE,
                Certification.is_valid_on(today),
            )
        )
    )
    out = []
    for supplier in suppliers:
        if not places.villages.get(supplier.region_code[:6]):
            continue
        options: list[tuple[Template, RegionalBrand | None]] = []
        for slug, templates in BRAND_TEMPLATES.items():
            brand = brands.get(slug)
            if brand is None or (supplier.id, brand.id) not in authorised:
                continue
            if brand.covers_region(supplier.region_code):
                options += [(t, brand) for t in templates]
        for templates in LOCAL_TEMPLATES.values():
            options += [(t, None) for t in templates]
        for template, brand in options:
            category = categories.get(template.category)
            if category is None or (category.requires_food_licence and supplier.id not in licensed):
                continue
            out.append(Choice(supplier, template, brand))
    return out


def generate(
    session: Session,
    products: int,
    *,
    commit: Callable[[], None],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add listed products until ``products`` are visible; returns how many were added."""
    missing = products - visible_products(session)
    if missing <= 0:
        return 0
    suppliers = list(
        session.scalars(sa.select(Supplier).where(Supplier.can_sell).order_by(Supplier.id))
    )
    places = Places.load(session, GANZHOU)
    choices = _choices(session, suppliers, places)
    if not choices:
        raise NoSupplierCanSell(
            "no verified supplier in the platform's villages: run flask seed demo, or verify one"
        )
    categories = {c.slug: c.id for c in session.scalars(sa.select(Category))}
    standards = {s.code: s.id for s in session.scalars(sa.select(GradeStandard))}
    grades = {
        (code, g.code): g.id
        for g, code in session.execute(sa.select(Grade, GradeStandard.code).join(GradeStandard))
    }
    start = session.scalar(sa.select(sa.func.max(Product.id))) or 0
    session.expunge_all()  # keep what was read (detached); commits then expire nothing
    rng = random.Random(f"yipin-generate-{start}")
    added = 0
    while added < missing:
        size = min(CHUNK, missing - added)
        picks = [choices[(start + added + i) * 7919 % len(choices)] for i in range(size)]
        _insert_chunk(session, rng, places, picks, categories, standards, grades)
        commit()
        added += size
        if progress is not None:
            progress(size)
    for table in ANALYSED:  # after a bulk load the planner needs fresh statistics
        session.execute(sa.text(f"ANALYZE {table}"))
    commit()
    return added


def _insert_chunk(
    session: Session,
    rng: random.Random,
    places: Places,
    picks: list[Choice],
    categories: dict[str, int],
    standards: dict[str, int],
    grades: dict[tuple[str, str], int],
) -> None:
    now = clock.now()
    today = clock.today_local()
    rows: list[dict[str, Any]] = []
    origins: list[str] = []
    for pick in picks:
        template, supplier = pick.template, pick.supplier
        county = supplier.region_code[:6]
        villages = places.villages[county]
        if pick.brand is not None:
            villages = [v for v in villages if pick.brand.covers_region(v)] or villages
        origin = rng.choice(villages)
        origins.append(origin)
        village = places.village_short(origin)
        words = {
            "place": village.removesuffix("村") or places.county_short(county),
            "county": places.county_short(county),
            "village": village,
        }
        listed_at = now - timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 1440))
        rows.append(
            {
                "supplier_id": supplier.id,
                "category_id": categories[template.category],
                "brand_id": pick.brand.id if pick.brand else None,
                "grade_standard_id": standards.get(template.standard or ""),
                "name": template.name.format(**words)[:120],
                "subtitle": template.subtitle.format(**words)[:200],
                "origin_region_code": origin,
                "storage_class": template.storage,
                "shelf_life_days": template.shelf_life_days,
                "sale_months": list(template.sale),
                "presale_months": list(template.presale),
                "description": template.description.format(**words),
                "status": ProductStatus.LISTED,
                "revision": 1,
                "submitted_at": listed_at - timedelta(hours=rng.randint(3, 48)),
                "listed_at": listed_at,
                "created_at": listed_at - timedelta(days=rng.randint(1, 5)),
                "updated_at": listed_at,
            }
        )
    product_ids = list(
        session.scalars(
            sa.insert(Product).returning(Product.id, sort_by_parameter_order=True), rows
        )
    )
    variant_rows: list[dict[str, Any]] = []
    owners: list[tuple[int, Choice, str]] = []  # (product id, pick, origin) per variant row
    certificates: list[dict[str, Any]] = []
    for product_id, pick, origin in zip(product_ids, picks, origins, strict=True):
        template = pick.template
        factor = rng.uniform(0.92, 1.1)
        for index, spec in enumerate(template.variants):
            price = max(100, round(spec.price * factor / 10) * 10)
            list_price = round(spec.list_price * factor / 10) * 10 if spec.list_price else None
            variant_rows.append(
                {
                    "product_id": product_id,
                    "supplier_id": pick.supplier.id,
                    "sku": f"GEN-{product_id}-{index + 1:02d}",
                    "grade_id": grades.get((template.standard or "", spec.grade or "")),
                    "spec": spec.spec,
                    "net_weight_g": spec.net_g,
                    "gross_weight_g": spec.gross_g,
                    "price_fen": price,
                    "list_price_fen": list_price if list_price and list_price > price else None,
                    "per_order_limit": spec.limit,
                    "is_active": True,
                    "sort_order": index,
                }
            )
            owners.append((product_id, pick, origin))
        if template.certifications and rng.random() < 0.4:
            kind = rng.choice(template.certifications)
            certificates.append(
                {
                    "supplier_id": pick.supplier.id,
                    "product_id": product_id,
                    "kind": kind,
                    "number": f"GEN{kind.value[:2].upper()}{product_id:08d}",
                    "issuer": "中国绿色食品发展中心"
                    if kind == CertificationKind.GREEN_FOOD
                    else "农业农村部农产品质量安全中心",
                    "scope": template.title,
                    "valid_from": today - timedelta(days=rng.randint(60, 600)),
                    "valid_to": today + timedelta(days=rng.randint(200, 900)),
                }
            )
    variant_ids = list(
        session.scalars(
            sa.insert(Variant).returning(Variant.id, sort_by_parameter_order=True), variant_rows
        )
    )
    if certificates:
        session.execute(sa.insert(Certification), certificates)
    batch_rows: list[dict[str, Any]] = []
    tests: list[list[Any]] = []
    for variant_id, (_product_id, pick, origin) in zip(variant_ids, owners, strict=True):
        template = pick.template
        if not template.tests or today.month not in template.sale:
            continue  # pre-sale or out of season: the 合格证 comes with the harvest
        low, high = template.produced_days_ago
        produced = today - timedelta(days=rng.randint(low, high))
        code = _code(variant_id)
        basis = "委托检测" if rng.random() < 0.4 else "自我检测"
        batch_rows.append(
            {
                "code": code,
                "variant_id": variant_id,
                "supplier_id": pick.supplier.id,
                "base_name": f"{places.township_name(origin)}{places.village_short(origin)}"
                f"{template.base} {rng.randint(1, 12)} 号地块"[:120],
                "base_region_code": origin,
                "harvest_date": None if template.processed else produced,
                "production_date": produced if template.processed else None,
                "quantity": rng.choice([200, 300, 500, 800, 1000]),
                "status": BatchStatus.ACTIVE,
                "certificate_number": f"HG-{produced:%Y%m%d}-{code}",
                "certificate_issued_on": produced,
                "committing_party": pick.supplier.name,
                "contact_phone": pick.supplier.contact_phone,
                "commitments": [*STANDARD_COMMITMENTS, BASIS_PREFIX + basis],
            }
        )
        tests.append([template.tests, produced, basis])
    if batch_rows:
        batch_ids = list(
            session.scalars(
                sa.insert(Batch).returning(Batch.id, sort_by_parameter_order=True), batch_rows
            )
        )
        inspections = [
            {
                "batch_id": batch_id,
                "item": test.item,
                "method": test.method,
                "result": InspectionResult.PASS,
                "value": test.value.format(
                    n=rng.randint(1, 9),
                    brix=f"{rng.uniform(11.2, 13.8):.1f}",
                    sel=rng.randint(4, 9),
                ),
                "inspected_on": produced,
                "inspector": TEST_CENTRE if basis == "委托检测" else "基地快检室",
            }
            for batch_id, (items, produced, basis) in zip(batch_ids, tests, strict=True)
            for test in items
        ]
        session.execute(sa.insert(BatchInspection), inspections)
    session.flush()
