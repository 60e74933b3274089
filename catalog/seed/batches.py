"""Demo batches: lots of the variants in season with their 承诺达标合格证 and inspections, last
season's closed lots, and market-supervision samples (one failed: its lot recalled)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from catalog.models import (
    BASIS_PREFIX,
    STANDARD_COMMITMENTS,
    Batch,
    BatchInspection,
    BatchStatus,
    InspectionResult,
    ProductStatus,
    SamplingRecord,
    Variant,
)
from catalog.seed.common import TEST_CENTRE, Plan, Reference, Stats, unique
from catalog.trace.batches import CODE_ALPHABET
from yipin import clock
from yipin.seed.context import SeedContext
from yipin.seed.places import at

# ----------------------------------------------------------------------------- batches


def make_batches(ctx: SeedContext, ref: Reference, plans: list[Plan], stats: Stats) -> list[Batch]:
    """Batches of the variants in season, each with its 合格证 and inspections; last season's
    closed batches for some. Pre-sale products have none yet."""
    rng, session = ctx.rng, ctx.session
    today = clock.today_local()
    codes: set[str] = set()
    made: list[Batch] = []
    for plan in ctx.progress(plans, "batches"):
        product, template = plan.product, plan.template
        if product is None or not template.tests or plan.status == ProductStatus.DRAFT:
            continue
        if product.status == ProductStatus.REJECTED:
            continue
        in_season = today.month in template.sale
        # in id order: the draws of ``rng`` follow it (PostgreSQL's order without ORDER BY
        # follows the plan, which follows the statistics earlier data left)
        variants = list(
            session.scalars(
                sa.select(Variant).where(Variant.product_id == product.id).order_by(Variant.id)
            )
        )
        for variant in variants:
            lots: list[tuple[date, BatchStatus]] = []
            if in_season:
                low, high = template.produced_days_ago
                lots.append((today - timedelta(days=rng.randint(low, high)), BatchStatus.ACTIVE))
                if not template.processed and rng.random() < 0.35:
                    older = today - timedelta(days=rng.randint(high + 3, high + 12))
                    lots.append((older, BatchStatus.ACTIVE))
            if variant.sort_order == 0 and (rng.random() < 0.35 or not in_season):
                last = _last_season(today, template.sale)
                lots.append((last, BatchStatus.CLOSED))
            for produced, status in lots:
                if product.status == ProductStatus.DELISTED:
                    status = BatchStatus.CLOSED
                made.append(_batch(ctx, ref, plan, variant, produced, status, codes))
                stats.batches += 1
    session.flush()
    return made


def _last_season(today: date, months: tuple[int, ...]) -> date:
    """A day in the most recent past month on sale, at least a month back."""
    day = date(today.year, today.month, 15) - timedelta(days=31)
    for _ in range(24):
        if day.month in months:
            return day
        day = date(day.year, day.month, 15) - timedelta(days=31)
    return today - timedelta(days=365)


def _batch(
    ctx: SeedContext,
    ref: Reference,
    plan: Plan,
    variant: Variant,
    produced: date,
    status: BatchStatus,
    codes: set[str],
) -> Batch:
    rng, session = ctx.rng, ctx.session
    template, supplier = plan.template, plan.supplier
    today = clock.today_local()
    code = unique(codes, lambda: "".join(rng.choice(CODE_ALPHABET) for _ in range(12)))
    base_region = plan.origin
    if rng.random() < 0.25:  # another plot of the same township
        nearby = [v for v in ref.villages.get(plan.origin[:6], []) if v[:9] == plan.origin[:9]]
        base_region = rng.choice(nearby or [plan.origin])
    village = ref.village_short(base_region)
    if template.base.endswith("厂"):
        base_name = f"{plan.place}{template.base}（{ref.township_name(base_region)}）"
    elif template.base.endswith("场"):
        base_name = f"{village}{template.base}"
    else:
        base_name = (
            f"{ref.township_name(base_region)}{village}{template.base} {rng.randint(1, 12)} 号地块"
        )
    harvest: date | None = produced
    production: date | None = None
    if template.processed:
        production = produced
        lead = {"rice": (20, 45), "oil": (60, 110), "tea": (0, 0)}.get(template.key.split("-")[0])
        harvest = produced - timedelta(days=rng.randint(*lead)) if lead else None
    issued = min(produced + timedelta(days=rng.randint(0, 1)), today)
    basis, inspector = (
        ("委托检测", TEST_CENTRE) if rng.random() < 0.4 else ("自我检测", f"{plan.place}快检室")
    )
    quantity = rng.choice([200, 300, 500, 800, 1000, 1500, 2000])
    batch = Batch(
        code=code,
        variant_id=variant.id,
        supplier_id=supplier.id,
        base_name=base_name[:120],
        base_region_code=base_region,
        harvest_date=harvest,
        production_date=production,
        quantity=quantity,
        status=status,
        certificate_number=f"HG-{issued:%Y%m%d}-{code}",
        certificate_issued_on=issued,
        committing_party=supplier.name,
        contact_phone=supplier.contact_phone,
        commitments=[*STANDARD_COMMITMENTS, BASIS_PREFIX + basis],
        created_at=at(issued, 10),
        updated_at=at(issued, 10),
    )
    session.add(batch)
    session.flush()
    for test in template.tests:
        value = test.value.format(
            n=rng.randint(1, 9), brix=f"{rng.uniform(11.2, 13.8):.1f}", sel=rng.randint(4, 9)
        )
        session.add(
            BatchInspection(
                batch_id=batch.id,
                item=test.item,
                method=test.method,
                result=InspectionResult.PASS,
                value=value,
                inspected_on=issued,
                inspector=inspector,
            )
        )
    return batch


def sample_batches(ctx: SeedContext, ref: Reference, batches: list[Batch]) -> Batch | None:
    """Market-supervision samples: a few passed; one 寻乌蜜桔 lot failed and was recalled."""
    rng, session = ctx.rng, ctx.session
    today = clock.today_local()
    active = [b for b in batches if b.status == BatchStatus.ACTIVE]
    for batch in rng.sample(active, min(4, len(active))):
        session.add(
            SamplingRecord(
                batch_id=batch.id,
                sampled_on=min(batch.certificate_issued_on + timedelta(days=2), today),
                agency=f"{ref.county_name(batch.base_region_code)}市场监督管理局",
                report_number=f"JD{today:%Y}{rng.randint(10000, 99999)}",
                items="农药残留、重金属",
                result=InspectionResult.PASS,
                recorded_by_id=ref.operator.id,
                recorded_at=at(min(batch.certificate_issued_on + timedelta(days=4), today), 15),
            )
        )
    # one fruit lot with several lots on sale fails: it is delisted at once (a recall)
    fruit = [
        b
        for b in active
        if b.harvest_date is not None
        and b.production_date is None
        and (today - b.harvest_date).days >= 5
        and sum(1 for o in active if o.variant_id == b.variant_id) > 1
    ]
    if not fruit:
        return None
    failed = sorted(fruit, key=lambda b: b.id)[len(fruit) // 2]
    sampled = min(failed.harvest_date + timedelta(days=3), today)  # type: ignore[operator]
    session.add(
        SamplingRecord(
            batch_id=failed.id,
            sampled_on=sampled,
            agency="赣州市市场监督管理局",
            report_number=f"JD{today:%Y}{rng.randint(10000, 99999)}",
            items="农药残留（三唑磷、水胺硫磷）",
            result=InspectionResult.FAIL,
            notes="三唑磷检出值 0.4 mg/kg，超过 GB 2763-2021 限量 0.2 mg/kg。",
            recorded_by_id=ref.operator.id,
            recorded_at=at(today - timedelta(days=1), 11),
        )
    )
    failed.status = BatchStatus.DELISTED
    failed.status_reason = "市场监督抽检不合格：三唑磷超标，已下架并通知收货订单。"
    failed.delisted_at = at(today - timedelta(days=1), 11)
    session.flush()
    return failed
