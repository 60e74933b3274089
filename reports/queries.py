"""Sales reports and KPIs over the daily rollups, in the caller's scope.

Every figure is net of refunds (sales minus reversals, each booked on the day it occurred in
Shanghai). "County" is the supplier's county (where the seller is registered, as the ledger's
``supplier_county_code`` and the bureau's scope have it); "township" is the product's origin
township. A bureau account's scope (its city or one county) limits every query here: a county
outside it is refused (404), never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog.models import Category, RegionalBrand
from fulfillment import service_levels
from orders.labels import BUYER_TYPE_LABELS
from orders.models import BuyerType
from reports.errors import InvalidFilter, OutOfScope
from reports.models import DailyBuyers, DailySales
from reports.periods import Grain, Span, bucket_label, bucket_start, buckets, day_bounds
from suppliers.models import Supplier
from yipin import clock
from yipin.i18n import _l
from yipin.regions.models import Region

D = DailySales
B = DailyBuyers
MAX_DAYS = 366 * 5 + 1


class Dimension(StrEnum):
    PERIOD = "period"
    SUPPLIER = "supplier"
    COUNTY = "county"
    TOWNSHIP = "township"
    CATEGORY = "category"
    BRAND = "brand"
    BUYER_TYPE = "buyer_type"


class Direction(StrEnum):
    ALL = "all"
    UPWARD = "upward"  # 上行: sent out of the platform region
    LOCAL = "local"


COLUMN = {
    Dimension.SUPPLIER: D.supplier_id,
    Dimension.COUNTY: D.supplier_county_code,
    Dimension.TOWNSHIP: D.origin_township_code,
    Dimension.CATEGORY: D.category_id,
    Dimension.BRAND: D.brand_id,
    Dimension.BUYER_TYPE: D.buyer_type,
}


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    grain: Grain = Grain.MONTH
    group_by: Dimension = Dimension.COUNTY
    county: str | None = None
    township: str | None = None
    supplier_id: int | None = None
    category_id: int | None = None
    brand_id: int | None = None
    buyer_type: str | None = None
    direction: Direction = Direction.ALL

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def query_args(self) -> dict[str, Any]:
        """The filters as query-string arguments (links to exports and the API)."""
        out: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "grain": str(self.grain),
            "group_by": str(self.group_by),
            "direction": str(self.direction),
        }
        for name in ("county", "township", "supplier_id", "category_id", "brand_id", "buyer_type"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        return out


def _int(args: Any, name: str) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        raise InvalidFilter(name=name, field=name) from None
    if value < 1 or value > 2**31 - 1:
        raise InvalidFilter(name=name, field=name)
    return value


def _date(args: Any, name: str, default: date) -> date:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidFilter(name=name, field=name) from None


def _enum(enum: type[StrEnum], args: Any, name: str, default: StrEnum | None) -> Any:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return enum(str(raw))
    except ValueError:
        raise InvalidFilter(name=name, field=name) from None


def _code(args: Any, name: str, length: int) -> str | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    text = str(raw)
    if len(text) != length or not text.isdigit():
        raise InvalidFilter(name=name, field=name)
    return text


def parse_filters(args: Any, scope: str) -> Filters:
    """Filters from a query string (pages, exports and the API share them); bad input is a 422,
    a county or township outside ``scope`` a 404."""
    today = clock.today_local()
    start = _date(args, "start", date(today.year, 1, 1))
    end = _date(args, "end", today)
    if end < start:
        raise InvalidFilter(name="end", field="end")
    if (end - start).days > MAX_DAYS:
        raise InvalidFilter(name="start", field="start")
    buyer_type = args.get("buyer_type") or None
    if buyer_type is not None and buyer_type not in {str(b) for b in BuyerType}:
        raise InvalidFilter(name="buyer_type", field="buyer_type")
    county = _code(args, "county", 6)
    township = _code(args, "township", 9)
    if len(scope) >= 6 and county is None:
        county = scope[:6]  # a county bureau always reports on its county
    for code in (county, township):
        if code is not None and not code.startswith(scope[: min(len(scope), len(code))]):
            raise OutOfScope()
    if county and township and not township.startswith(county):
        raise InvalidFilter(name="township", field="township")
    return Filters(
        start=start,
        end=end,
        grain=_enum(Grain, args, "grain", Grain.MONTH),
        group_by=_enum(Dimension, args, "group_by", Dimension.COUNTY),
        county=county,
        township=township,
        supplier_id=_int(args, "supplier_id"),
        category_id=_int(args, "category_id"),
        brand_id=_int(args, "brand_id"),
        buyer_type=buyer_type,
        direction=_enum(Direction, args, "direction", Direction.ALL),
    )


def _scope(table: Any, scope: str) -> list[Any]:
    """Rows in ``scope``: one county (equality), or a region's counties (a prefix). The whole
    platform region needs no condition: every supplier of the platform lies in it."""
    if len(scope) >= 6:
        return [table.supplier_county_code == scope[:6]]
    if scope == str(current_app.config["PLATFORM_REGION"]):
        return []
    return [table.supplier_county_code.startswith(scope)]


def _where(f: Filters, scope: str, *, table: Any = D) -> list[Any]:
    cond = [table.day >= f.start, table.day <= f.end, *_scope(table, scope)]
    if f.county:
        cond.append(table.supplier_county_code == f.county)
    if f.supplier_id:
        cond.append(table.supplier_id == f.supplier_id)
    if table is D:
        if f.township:
            cond.append(D.origin_township_code == f.township)
        if f.category_id:
            cond.append(D.category_id == f.category_id)
        if f.brand_id:
            cond.append(D.brand_id == f.brand_id)
        if f.buyer_type:
            cond.append(D.buyer_type == f.buyer_type)
        if f.direction == Direction.UPWARD:
            cond.append(D.is_upward.is_(True))
        elif f.direction == Direction.LOCAL:
            cond.append(D.is_upward.is_(False))
    return cond


def _period_expr(session: Session, grain: Grain) -> Any:
    """The period a rollup day falls in, as an expression (a date on PostgreSQL, text on
    SQLite); turned into the period's first day by ``_period_start``."""
    if grain == Grain.DAY:
        return D.day
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc(str(grain), D.day), sa.Date)
    if grain == Grain.YEAR:
        return sa.func.strftime("%Y", D.day)
    return sa.func.strftime("%Y-%m", D.day)


def _period_start(value: Any, grain: Grain) -> date:
    if isinstance(value, date):
        return bucket_start(value, grain)
    text = str(value)
    if len(text) == 4:
        return date(int(text), 1, 1)
    day = date.fromisoformat(text + "-01") if len(text) == 7 else date.fromisoformat(text[:10])
    return bucket_start(day, grain)


NET = D.sales_fen - D.refunds_fen
MEASURES = (
    sa.func.coalesce(sa.func.sum(D.sales_fen), 0),
    sa.func.coalesce(sa.func.sum(D.refunds_fen), 0),
    sa.func.coalesce(sa.func.sum(sa.case((D.is_upward, NET), else_=0)), 0),
    sa.func.coalesce(sa.func.sum(D.quantity), 0),
    sa.func.coalesce(sa.func.sum(D.lines), 0),
)


def _rural(region: str) -> Any:
    """Net sales of products grown in the platform region (农村产品网络销售额)."""
    return sa.func.coalesce(
        sa.func.sum(sa.case((D.origin_county_code.startswith(region[:6]), NET), else_=0)), 0
    )


@dataclass
class Row:
    key: Any
    label: str
    sales_fen: int = 0
    refunds_fen: int = 0
    upward_fen: int = 0
    quantity: int = 0
    lines: int = 0
    rural_fen: int = 0  # net, grown in the platform region (series and totals only)

    @property
    def net_fen(self) -> int:
        return self.sales_fen - self.refunds_fen

    @property
    def local_fen(self) -> int:
        return self.net_fen - self.upward_fen

    def add(self, other: Row) -> None:
        self.sales_fen += other.sales_fen
        self.refunds_fen += other.refunds_fen
        self.upward_fen += other.upward_fen
        self.quantity += other.quantity
        self.lines += other.lines
        self.rural_fen += other.rural_fen

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "sales_fen": self.sales_fen,
            "refunds_fen": self.refunds_fen,
            "net_fen": self.net_fen,
            "upward_fen": self.upward_fen,
            "local_fen": self.local_fen,
            "quantity": self.quantity,
            "lines": self.lines,
        }


@dataclass
class SalesReport:
    filters: Filters
    scope: str
    rows: list[Row]
    total: Row
    series: list[Row] = field(default_factory=list)  # per period, for the chart


def _row(key: Any, values: Any) -> Row:
    sales, refunds, upward, quantity, lines, *rural = (int(v or 0) for v in values)
    return Row(key, "", sales, refunds, upward, quantity, lines, rural[0] if rural else 0)


def sales(session: Session, f: Filters, scope: str) -> SalesReport:
    """The table (grouped by ``f.group_by``), its total, and the per-period series."""
    where = _where(f, scope)
    period = _period_expr(session, f.grain)
    region = str(current_app.config["PLATFORM_REGION"])
    series_rows = session.execute(
        sa.select(period, *MEASURES, _rural(region)).where(*where).group_by(period)
    ).all()
    merged: dict[date, Row] = {}
    for value, *measures in series_rows:
        start = _period_start(value, f.grain)
        merged.setdefault(start, Row(start, bucket_label(start, f.grain))).add(
            _row(start, measures)
        )
    series = [
        merged.get(b, Row(b, bucket_label(b, f.grain))) for b in buckets(f.start, f.end, f.grain)
    ]
    total = Row("total", "")
    for row in series:
        total.add(row)
    if f.group_by == Dimension.PERIOD:
        rows = [r for r in series if r.lines or r.refunds_fen]
    else:
        column = COLUMN[f.group_by]
        result = session.execute(sa.select(column, *MEASURES).where(*where).group_by(column)).all()
        rows = [_row(key, measures) for key, *measures in result]
        label_rows(session, f.group_by, rows)
        rows.sort(key=lambda r: (-r.net_fen, str(r.key)))
    return SalesReport(f, scope, rows, total, series)


def label_rows(session: Session, dim: Dimension, rows: list[Row]) -> None:
    """Names for the keys (regions, suppliers, categories, brands, buyer types)."""
    english = _english()
    keys = [r.key for r in rows if r.key is not None]
    names: dict[Any, str] = {}
    if dim in (Dimension.COUNTY, Dimension.TOWNSHIP) and keys:
        names = dict(
            session.execute(sa.select(Region.code, Region.name).where(Region.code.in_(keys))).all()
        )
    elif dim == Dimension.SUPPLIER and keys:
        names = dict(
            session.execute(
                sa.select(Supplier.id, Supplier.name).where(Supplier.id.in_(keys))
            ).all()
        )
    elif dim == Dimension.CATEGORY and keys:
        names = {
            i: (en if english and en else zh)
            for i, zh, en in session.execute(
                sa.select(Category.id, Category.name, Category.name_en).where(Category.id.in_(keys))
            )
        }
    elif dim == Dimension.BRAND and keys:
        names = {
            i: (en if english and en else zh)
            for i, zh, en in session.execute(
                sa.select(RegionalBrand.id, RegionalBrand.name, RegionalBrand.name_en).where(
                    RegionalBrand.id.in_(keys)
                )
            )
        }
    elif dim == Dimension.BUYER_TYPE:
        names = {str(k): text(v) for k, v in BUYER_TYPE_LABELS.items()}
    for row in rows:
        if row.key is None:
            row.label = text(_l("(none)") if dim != Dimension.BRAND else _l("(no regional brand)"))
        else:
            row.label = names.get(row.key, str(row.key))


def text(message: Any) -> str:
    """A (lazy) message as text: in the request's language, or Chinese outside a request."""
    from flask import has_request_context

    if has_request_context():
        return str(message)
    with current_app.test_request_context("/"):
        return str(message)


def _english() -> bool:
    from yipin.i18n import current_language

    try:
        return current_language() == "en"
    except Exception:  # outside a request: Chinese
        return False


# --- KPIs ---------------------------------------------------------------------------------


@dataclass
class Kpi:
    code: str
    value: float | int | None
    previous: float | int | None
    unit: str  # "fen", "count", "percent", "hours"
    series: list[Any] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (None when there is nothing to compare)."""
        if self.value is None or not self.previous:
            return None
        return (float(self.value) - float(self.previous)) / abs(float(self.previous))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "value": self.value,
            "previous": self.previous,
            "change": None if self.change is None else round(self.change, 4),
            "unit": self.unit,
            "series": self.series,
        }


def _previous_totals(session: Session, f: Filters, scope: str, region: str) -> Row:
    row = session.execute(sa.select(*MEASURES, _rural(region)).where(*_where(f, scope))).one()
    return _row("previous", row)


def _counts(session: Session, f: Filters, previous: Span, scope: str) -> dict[str, int]:
    """Supplier orders and distinct buyers of the span and of the span before, in one scan."""
    now = sa.and_(B.day >= f.start, B.day <= f.end)
    span = replace(f, start=previous.start)
    row = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((now, B.sub_orders), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((now, 0), else_=B.sub_orders)), 0),
            sa.func.count(sa.distinct(sa.case((now, B.consumer_id)))),
            sa.func.count(sa.distinct(sa.case((now, None), else_=B.consumer_id))),
        ).where(*_where(span, scope, table=B))
    ).one()
    return {
        "orders": int(row[0]),
        "orders_before": int(row[1]),
        "buyers": int(row[2]),
        "buyers_before": int(row[3]),
    }


def enterprises_above(
    session: Session,
    year: int,
    scope: str,
    region: str,
    threshold_fen: int,
    county: str | None = None,
) -> dict[int, tuple[set[int], set[int]]]:
    """For ``year`` and the year before: the suppliers whose net sales of city-grown products
    exceed the threshold, and the new ones among them (not above it the year before)."""
    years = [year - 2, year - 1, year]
    cond = [
        D.day >= date(years[0], 1, 1),
        D.day <= date(year, 12, 31),
        D.origin_county_code.startswith(region[:6]),
        *_scope(D, scope),
    ]
    if county:
        cond.append(D.supplier_county_code == county)
    sums = [
        sa.func.sum(
            sa.case((sa.and_(D.day >= date(y, 1, 1), D.day <= date(y, 12, 31)), NET), else_=0)
        )
        for y in years
    ]
    rows = session.execute(
        sa.select(D.supplier_id, *sums).where(*cond).group_by(D.supplier_id)
    ).all()
    above = {
        y: {r[0] for r in rows if int(r[1 + i] or 0) > threshold_fen} for i, y in enumerate(years)
    }
    return {y: (above[y], above[y] - above[y - 1]) for y in years[1:]}


def kpis(
    session: Session,
    f: Filters,
    scope: str,
    region: str,
    threshold_fen: int,
    report: SalesReport | None = None,
) -> list[Kpi]:
    """The headline figures of the filters' span, each beside the span before it, with the
    trend per period (``report``: the page's own sales report, not computed twice)."""
    report = report or sales(session, f, scope)
    previous = f.span.previous()
    now = report.total
    before = _previous_totals(
        session, replace(f, start=previous.start, end=previous.end), scope, region
    )
    counts = _counts(session, f, previous, scope)
    out = [
        Kpi(
            "gmv",
            now.sales_fen,
            before.sales_fen,
            "fen",
            [[r.label, r.sales_fen] for r in report.series],
        ),
        Kpi(
            "net_sales",
            now.net_fen,
            before.net_fen,
            "fen",
            [[r.label, r.net_fen] for r in report.series],
        ),
        Kpi("orders", counts["orders"], counts["orders_before"], "count"),
        Kpi("buyers", counts["buyers"], counts["buyers_before"], "count"),
        Kpi(
            "rural_sales",
            now.rural_fen,
            before.rural_fen,
            "fen",
            [[r.label, r.rural_fen] for r in report.series],
        ),
        Kpi(
            "upward_sales",
            now.upward_fen,
            before.upward_fen,
            "fen",
            [[r.label, r.upward_fen] for r in report.series],
        ),
    ]
    year = f.end.year
    firms = enterprises_above(session, year, scope, region, threshold_fen, f.county)
    out.append(Kpi("enterprises_above", len(firms[year][0]), len(firms[year - 1][0]), "count"))
    out.append(Kpi("new_enterprises", len(firms[year][1]), len(firms[year - 1][1]), "count"))
    out.extend(_logistics(session, f, previous))
    return out


def _instants(span: Span) -> tuple[datetime, datetime]:
    """The span's days [start, end] in China as UTC instants [from, to)."""
    return day_bounds(span.start)[0], day_bounds(span.end)[1]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _logistics(session: Session, f: Filters, previous: Span) -> list[Kpi]:
    """The parcels' figures (fulfillment's service levels) for the filters' county, if any:
    24 h out-of-county rate and average delivery time against the span before, and the share
    of villages with express delivery today (a state, so no earlier figure)."""
    now, before = _instants(f.span), _instants(previous)
    rate = service_levels.out_of_county_rate(session, *now, f.county)
    rate_before = service_levels.out_of_county_rate(session, *before, f.county)
    hours = service_levels.average_delivery_hours(session, *now, f.county)
    hours_before = service_levels.average_delivery_hours(session, *before, f.county)
    covered, villages = service_levels.village_coverage(session, f.county)
    return [
        Kpi("out_of_county_24h", _ratio(*rate), _ratio(*rate_before), "percent"),
        Kpi("village_coverage", _ratio(covered, villages), None, "percent"),
        Kpi(
            "average_delivery_hours",
            None if hours is None else round(hours, 1),
            None if hours_before is None else round(hours_before, 1),
            "hours",
        ),
    ]
