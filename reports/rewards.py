"""The yearly reward report (奖补测算): each rule of the policy applied to the year's ledger
(through the daily rollups), the livestream bases and the figures staff entered.

Stated rules (also printed on every report):

- **Rounding**: an amount is ``basis × rate`` rounded *down* to the whole fen (the policy says
  "up to N %"), then capped; fixed awards are exact.
- **Refunds across a year boundary** are booked in the period the money went back: a sale of
  2025-12-30 refunded on 2026-01-03 counts in 2025's sales and lowers 2026's. Every report,
  rollup and statement follows the ledger's ``occurred_at`` this way, so a frozen year never
  moves.
- **Ties** in a ranking share the rank (1, 2, 2, 4); every candidate whose rank is within the
  top N qualifies, so a tie at the last place admits all who share it.
- **就高不就低** (R5): a supplier eligible for both R3 and R4 receives the higher; equal amounts
  keep the first rule listed (R3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reports.models import DailySales, LivestreamBase, PublishedFigure, RewardPolicy
from reports.periods import year_span
from suppliers.models import Supplier
from yipin import clock

D = DailySales
PLATFORM = "platform"


def percent_floor(basis_fen: int, rate_bp: int) -> int:
    """``rate_bp`` basis points of ``basis_fen``, rounded down to the fen (never negative)."""
    return max(0, basis_fen) * rate_bp // 10_000


def capped(amount: int, cap: int | None) -> tuple[int, bool]:
    if cap is not None and amount > cap:
        return cap, True
    return amount, False


def r1_amount(basis_fen: int, rule: dict[str, Any]) -> tuple[int, int, bool]:
    """(computed, awarded, capped) of the platform reward on a social-sales basis."""
    computed = percent_floor(basis_fen, rule["rate_bp"])
    amount, was_capped = capped(computed, rule.get("cap_fen"))
    return computed, amount, was_capped


def r3_amount(sales_fen: int, rule: dict[str, Any]) -> tuple[int, int, bool]:
    """200,000 once sales *exceed* 1亿, plus 100,000 per further full 1亿, at most the cap."""
    if sales_fen <= rule["threshold_fen"]:
        return 0, 0, False
    further = sales_fen // rule["step_fen"] - rule["threshold_fen"] // rule["step_fen"]
    computed = rule["first_award_fen"] + max(0, further) * rule["step_award_fen"]
    amount, was_capped = capped(computed, rule.get("cap_fen"))
    return computed, amount, was_capped


def r4_amount(award_basis_fen: int, rule: dict[str, Any]) -> tuple[int, int, bool]:
    computed = percent_floor(award_basis_fen, rule["rate_bp"])
    amount, was_capped = capped(computed, rule.get("cap_fen"))
    return computed, amount, was_capped


def r2_amount(investment_fen: int, rule: dict[str, Any], kind: str) -> tuple[int, int, bool]:
    computed = percent_floor(investment_fen, rule["rate_bp"])
    amount, was_capped = capped(computed, rule["kinds"][kind].get("cap_fen"))
    return computed, amount, was_capped


def competition_ranks(values: list[tuple[Any, int]]) -> dict[Any, int]:
    """Rank keys by value, descending; ties share the rank (1, 2, 2, 4)."""
    ordered = sorted(values, key=lambda kv: -kv[1])
    ranks: dict[Any, int] = {}
    previous: int | None = None
    rank = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def r5_choose(r3: int, r4: int) -> str | None:
    """Which of R3 / R4 an enterprise eligible for both keeps (None: neither gives anything)."""
    if r3 <= 0 and r4 <= 0:
        return None
    return "R3" if r3 >= r4 else "R4"


@dataclass
class RewardRow:
    rule: str
    subject: str  # "platform", "supplier:<id>", "base:<id>"
    name: str
    county_code: str | None
    basis_fen: int
    amount_fen: int
    computed_fen: int = 0
    cap_fen: int | None = None
    capped: bool = False
    excluded_fen: int = 0
    excluded: dict[str, int] = field(default_factory=dict)  # buyer type → fen left out
    rank: int | None = None
    eligible: bool = True
    reason: str = ""  # why not, or what R5 did: a code with a label in reports/labels.py
    award_basis_fen: int | None = None
    published_fen: int | None = None  # the officially published figure staff entered
    published_amount_fen: int | None = None  # the amount that figure would give


@dataclass
class SupplierYear:
    supplier_id: int
    net_fen: int = 0
    city_fen: int = 0  # products grown in the platform region
    city_upward_fen: int = 0  # … sent out of it (上行)


def supplier_years(session: Session, year: int, region: str) -> dict[int, SupplierYear]:
    span = year_span(year)
    net = D.sales_fen - D.refunds_fen
    city = D.origin_county_code.startswith(region[:6] if len(region) > 6 else region)
    rows = session.execute(
        sa.select(
            D.supplier_id,
            sa.func.sum(net),
            sa.func.sum(sa.case((city, net), else_=0)),
            sa.func.sum(sa.case((sa.and_(city, D.is_upward), net), else_=0)),
        )
        .where(D.day >= span.start, D.day <= span.end)
        .group_by(D.supplier_id)
    ).all()
    return {sid: SupplierYear(sid, int(a or 0), int(b or 0), int(c or 0)) for sid, a, b, c in rows}


def platform_basis(
    session: Session, year: int, region: str, excluded_types: list[str]
) -> tuple[int, dict[str, int]]:
    """R1's basis (city-grown goods, net) and what each excluded buyer type took out of it."""
    span = year_span(year)
    net = D.sales_fen - D.refunds_fen
    rows = session.execute(
        sa.select(D.buyer_type, sa.func.sum(net))
        .where(
            D.day >= span.start,
            D.day <= span.end,
            D.origin_county_code.startswith(region[:6] if len(region) > 6 else region),
        )
        .group_by(D.buyer_type)
    ).all()
    by_type = {str(t): int(v or 0) for t, v in rows}
    excluded = {t: by_type.get(t, 0) for t in excluded_types if by_type.get(t)}
    total = sum(by_type.values())
    return total - sum(excluded.values()), excluded


def _published(session: Session, year: int) -> dict[tuple[str, str], int]:
    rows = session.execute(
        sa.select(PublishedFigure.rule, PublishedFigure.subject, PublishedFigure.amount_fen).where(
            PublishedFigure.year == year
        )
    ).all()
    return {(rule, subject): amount for rule, subject, amount in rows}


def compute(session: Session, year: int, policy: RewardPolicy, region: str) -> dict[str, Any]:
    """The reward report of ``year`` under ``policy`` (plain data: it is what a snapshot keeps)."""
    rules: dict[str, Any] = policy.rules["rules"]
    settings: dict[str, Any] = policy.rules.get("settings", {})
    published = _published(session, year)
    years = supplier_years(session, year, region)
    suppliers = {
        s.id: s for s in session.scalars(sa.select(Supplier).where(Supplier.id.in_(list(years))))
    }
    out: list[RewardRow] = []

    def in_force(rule: dict[str, Any]) -> bool:
        valid_to = rule.get("valid_to")
        return valid_to is None or date.fromisoformat(valid_to) >= date(year, 1, 1)

    if "R1" in rules and in_force(rules["R1"]):
        rule = rules["R1"]
        basis, excluded = platform_basis(
            session, year, region, rule.get("excluded_buyer_types", [])
        )
        computed, amount, was_capped = r1_amount(basis, rule)
        out.append(
            RewardRow(
                "R1",
                PLATFORM,
                "",
                None,
                basis,
                amount,
                computed,
                rule.get("cap_fen"),
                was_capped,
                sum(excluded.values()),
                excluded,
                published_fen=published.get(("R1", PLATFORM)),
            )
        )
        if out[-1].published_fen is not None:
            out[-1].published_amount_fen = r1_amount(out[-1].published_fen, rule)[1]

    if "R2" in rules and in_force(rules["R2"]):
        rule = rules["R2"]
        bases = session.scalars(
            sa.select(LivestreamBase).where(LivestreamBase.year == year).order_by(LivestreamBase.id)
        ).all()
        for base in bases:
            kind = rule["kinds"].get(str(base.kind), {})
            reason = ""
            if rule.get("operator_registered_in_city") and not base.operator_region_code.startswith(
                region
            ):
                reason = "operator_not_in_city"
            elif rule.get("recognised_by_city") and not base.recognised:
                reason = "not_recognised"
            elif not kind or (
                base.area_m2 < kind["min_area_m2"]
                or base.live_rooms < kind["min_live_rooms"]
                or base.enterprises_served < kind["min_enterprises_served"]
                or base.hosts < kind["min_hosts"]
            ):
                reason = "base_below_criteria"
            computed, amount, was_capped = (0, 0, False)
            if not reason:
                computed, amount, was_capped = r2_amount(base.investment_fen, rule, str(base.kind))
            out.append(
                RewardRow(
                    "R2",
                    f"base:{base.id}",
                    f"{base.name}（{base.operator_name}）",
                    base.operator_region_code[:6],
                    base.investment_fen,
                    amount,
                    computed,
                    kind.get("cap_fen"),
                    was_capped,
                    eligible=not reason,
                    reason=reason,
                )
            )

    def city_supplier(sid: int, kinds: list[str] | None) -> bool:
        s = suppliers.get(sid)
        return bool(s and s.region_code.startswith(region) and (not kinds or str(s.kind) in kinds))

    r3_rows: dict[int, RewardRow] = {}
    if "R3" in rules and in_force(rules["R3"]):
        rule = rules["R3"]
        total = sum(y.net_fen for y in years.values())
        computed, amount, was_capped = r3_amount(total, rule)
        row = RewardRow(
            "R3", PLATFORM, "", None, total, amount, computed, rule.get("cap_fen"), was_capped
        )
        row.published_fen = published.get(("R3", PLATFORM))
        if row.published_fen is not None:
            row.published_amount_fen = r3_amount(row.published_fen, rule)[1]
        if total > rule["threshold_fen"] or row.published_fen is not None:
            out.append(row)
        for sid, y in years.items():
            subject = f"supplier:{sid}"
            pub = published.get(("R3", subject))
            if not city_supplier(sid, rule.get("supplier_kinds")):
                continue
            if y.net_fen <= rule["threshold_fen"] and pub is None:
                continue
            computed, amount, was_capped = r3_amount(y.net_fen, rule)
            row = RewardRow(
                "R3",
                subject,
                suppliers[sid].name,
                suppliers[sid].region_code[:6],
                y.net_fen,
                amount,
                computed,
                rule.get("cap_fen"),
                was_capped,
                eligible=amount > 0,
                reason="" if amount > 0 else "below_threshold",
                published_fen=pub,
            )
            if pub is not None:
                row.published_amount_fen = r3_amount(pub, rule)[1]
            r3_rows[sid] = row

    r4_rows: dict[int, RewardRow] = {}
    if "R4" in rules and in_force(rules["R4"]):
        rule = rules["R4"]
        threshold = rule["threshold_fen"]
        before = supplier_years(session, year - 1, region)
        above = {
            sid: y
            for sid, y in years.items()
            if y.city_fen > threshold and city_supplier(sid, rule.get("supplier_kinds"))
        }
        new = {
            sid: y
            for sid, y in above.items()
            if not (sid in before and before[sid].city_fen > threshold)
        }
        ranks = competition_ranks([(sid, y.city_fen) for sid, y in new.items()])
        for sid, y in above.items():
            rank = ranks.get(sid)
            reason = ""
            if rank is None:
                reason = "not_new"
            elif rank > rule["top_n"]:
                reason = "rank_out"
            computed, amount, was_capped = (0, 0, False)
            if not reason:
                computed, amount, was_capped = r4_amount(y.city_upward_fen, rule)
            r4_rows[sid] = RewardRow(
                "R4",
                f"supplier:{sid}",
                suppliers[sid].name,
                suppliers[sid].region_code[:6],
                y.city_fen,
                amount,
                computed,
                rule.get("cap_fen"),
                was_capped,
                rank=rank,
                eligible=not reason,
                reason=reason,
                award_basis_fen=y.city_upward_fen,
            )

    exclusive = rules.get("R5", {}).get("exclusive", [])
    if exclusive == ["R3", "R4"]:
        for sid in set(r3_rows) & set(r4_rows):
            a, b = r3_rows[sid], r4_rows[sid]
            keep = r5_choose(a.amount_fen, b.amount_fen)
            if keep is None or a.amount_fen <= 0 or b.amount_fen <= 0:
                continue
            loser = b if keep == "R3" else a
            loser.amount_fen = 0
            loser.eligible = False
            loser.reason = "r5_higher_rule"
    out.extend(sorted(r3_rows.values(), key=lambda r: (-r.basis_fen, r.subject)))
    out.extend(sorted(r4_rows.values(), key=lambda r: (r.rank or 10**6, -r.basis_fen, r.subject)))
    # ranks for R3 (descending basis, ties share)
    r3_ranks = competition_ranks([(r.subject, r.basis_fen) for r in r3_rows.values()])
    for r in r3_rows.values():
        r.rank = r3_ranks[r.subject]
    return {
        "year": year,
        "region": region,
        "policy": {
            "id": policy.id,
            "code": policy.code,
            "version": policy.version,
            "name": policy.name,
            "document": policy.document,
        },
        "settings": {
            "refund_period": settings.get("refund_period", "refund"),
            "rounding": settings.get("rounding", "floor_fen"),
        },
        "computed_at": clock.now().isoformat(),
        "rows": [asdict(r) for r in out],
        "total_fen": sum(r.amount_fen for r in out),
    }
