"""What the pages, exports and the API of reports share: the caller's scope, the report for a
query string, the options of the filters, the headings of exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog.models import Category, RegionalBrand
from orders.labels import BUYER_TYPE_LABELS
from reports import documents, policies, queries
from reports.labels import DIMENSION_LABELS, DIRECTION_LABELS, GRAIN_LABELS, REFUND_RULE
from reports.periods import bucket_label
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.i18n import _
from yipin.regions.models import Region, RegionLevel

DEFAULT_THRESHOLD_FEN = 1_000_000_000  # ¥10,000,000, when no policy says otherwise


def platform_region() -> str:
    return str(current_app.config["PLATFORM_REGION"])


def scope_of(user: User) -> str:
    """The region a user reports on: a bureau account's city or county; operators everything."""
    if user.role == Role.BUREAU:
        return user.bureau_scope
    return platform_region()


def threshold_fen(session: Session, year: int) -> int:
    policy = policies.for_year(session, year)
    if policy is None:
        return DEFAULT_THRESHOLD_FEN
    return int(policy.rules["rules"].get("R4", {}).get("threshold_fen", DEFAULT_THRESHOLD_FEN))


@dataclass
class SalesPage:
    scope: str
    scope_name: str
    filters: queries.Filters
    report: queries.SalesReport
    kpis: list[queries.Kpi]


def sales_page(session: Session, user: User, args: Any, *, with_kpis: bool = True) -> SalesPage:
    scope = scope_of(user)
    filters = queries.parse_filters(args, scope)
    report = queries.sales(session, filters, scope)
    kpis = (
        queries.kpis(
            session,
            filters,
            scope,
            platform_region(),
            threshold_fen(session, filters.end.year),
            report,
        )
        if with_kpis
        else []
    )
    region = session.get(Region, scope)
    return SalesPage(scope, region.full_name if region else scope, filters, report, kpis)


def counties(session: Session, scope: str) -> list[Region]:
    return list(
        session.scalars(
            sa.select(Region)
            .where(Region.level == RegionLevel.COUNTY, Region.code.startswith(scope[:6]))
            .order_by(Region.code)
        )
    )


def townships(session: Session, county: str | None) -> list[Region]:
    if not county:
        return []
    return list(
        session.scalars(
            sa.select(Region)
            .where(Region.level == RegionLevel.TOWNSHIP, Region.parent_code == county)
            .order_by(Region.code)
        )
    )


def filter_options(session: Session, scope: str, county: str | None) -> dict[str, Any]:
    return {
        "counties": counties(session, scope),
        "townships": townships(session, county),
        "categories": list(session.scalars(sa.select(Category).order_by(Category.id))),
        "brands": list(session.scalars(sa.select(RegionalBrand).order_by(RegionalBrand.id))),
        "buyer_types": list(BUYER_TYPE_LABELS.items()),
        "dimensions": list(DIMENSION_LABELS.items()),
        "grains": list(GRAIN_LABELS.items()),
        "directions": list(DIRECTION_LABELS.items()),
    }


def describe(session: Session, page: SalesPage) -> list[tuple[str, str]]:
    """The scope, period and filters in words (export headings)."""
    f = page.filters
    lines = [
        (_("Scope"), page.scope_name),
        (
            _("Period"),
            f"{f.start.isoformat()} — {f.end.isoformat()}（" + _("Asia/Shanghai calendar") + "）",
        ),
        (_("Grouped by"), f"{DIMENSION_LABELS[f.group_by]} · {GRAIN_LABELS[f.grain]}"),
    ]
    extra = []
    if f.county:
        region = session.get(Region, f.county)
        extra.append(_("County") + f" {region.name if region else f.county}")
    if f.township:
        region = session.get(Region, f.township)
        extra.append(_("Township of origin") + f" {region.name if region else f.township}")
    if f.category_id:
        category = session.get(Category, f.category_id)
        extra.append(_("Category") + f" {category.name if category else f.category_id}")
    if f.brand_id:
        brand = session.get(RegionalBrand, f.brand_id)
        extra.append(_("Regional brand") + f" {brand.name if brand else f.brand_id}")
    if f.buyer_type:
        extra.append(_("Buyer type") + f" {queries.text(BUYER_TYPE_LABELS[f.buyer_type])}")  # type: ignore[index]
    if f.supplier_id:
        extra.append(_("Supplier") + f" #{f.supplier_id}")
    extra.append(str(DIRECTION_LABELS[f.direction]))
    lines.append((_("Filters"), "；".join(extra)))
    lines.append((_("Amounts"), _("yuan, net of refunds")))
    return lines


def heading(title: str, lines: list[tuple[str, str]]) -> documents.Heading:
    from yipin.web import _in_language

    issuer = _in_language(current_app.config["PLATFORM_NAME"])
    return documents.Heading(
        issuer=issuer,
        title=title,
        lines=lines,
        made_at=clock.to_local(clock.now()).strftime("%Y-%m-%d %H:%M"),
    )


def sales_export(session: Session, page: SalesPage, kind: str) -> tuple[bytes, str]:
    """(file bytes, file name) of the page's report as CSV, XLSX or PDF."""
    f = page.filters
    title = _("Sales statistics report")
    dim_label = str(DIMENSION_LABELS[f.group_by])
    header, rows = documents.sales_table(page.report, dim_label)
    stem = f"sales-{page.scope}-{f.start.isoformat()}-{f.end.isoformat()}"
    if kind == "csv":
        return documents.csv(header, rows), f"{stem}.csv"
    head = heading(title, describe(session, page))
    s_header, s_rows = documents.series_table(page.report)
    k_header, k_rows = documents.kpi_table(page.kpis)
    if kind == "xlsx":
        widths = [24, 16, 16, 16, 16, 16, 12, 10]
        return (
            documents.xlsx(
                head,
                [
                    (str(_("Sales")), header, rows, widths),
                    (str(_("By period")), s_header, s_rows, widths),
                    (str(_("Indicators")), k_header, k_rows, [40, 18, 18, 10]),
                ],
            ),
            f"{stem}.xlsx",
        )
    widths = [40, 22, 20, 22, 22, 22, 14, 12]
    notes = [str(REFUND_RULE), _("Source: the platform's sales ledger, summed per day.")]
    return (
        documents.pdf(
            head,
            [
                (str(_("Indicators")), k_header, k_rows, [60, 30, 30, 20], False),
                (str(_("Sales")), header, rows, widths, True),
                (_("By period"), s_header, list(s_rows), widths, False),
            ],
            notes,
        ),
        f"{stem}.pdf",
    )


__all__ = ["bucket_label"]
