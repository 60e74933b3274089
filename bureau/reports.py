"""Bureau report pages (read-only): the sales dashboard with KPIs, charts, table and exports;
the yearly reward report, its frozen versions and their differences.

Bureau staff see their region (a county account its county); operators see the platform's.
Every figure comes from ``reports`` (the rollups of the sales ledger); the pages only render.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, render_template, request

from orders.labels import BUYER_TYPE_LABELS
from reports import rewards_service as rewards_pages
from reports import service, snapshots
from reports.labels import (
    COLUMN_LABELS,
    DIMENSION_LABELS,
    KPI_LABELS,
    REASON_LABELS,
    REFUND_RULE,
    ROUNDING_RULE,
    RULE_LABELS,
    TIE_RULE,
)
from yipin import clock
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import db

bp = Blueprint(
    "bureau_reports",
    __name__,
    url_prefix="/bureau",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
EXPORTS = ("csv", "xlsx", "pdf")


@bp.get("/sales")
@role_required(Role.BUREAU, Role.OPERATOR)
def sales() -> Any:
    """The dashboard: KPIs with their trend, the chart, the table, filters and exports."""
    user = actor()
    page = service.sales_page(db.session, user, request.args)
    chart = {
        "series": [[r.label, r.net_fen / 100, r.upward_fen / 100] for r in page.report.series],
        "rows": [[r.label, r.net_fen / 100] for r in page.report.rows[:15]],
        "labels": {
            "net": str(COLUMN_LABELS["net_fen"]),
            "upward": str(COLUMN_LABELS["upward_fen"]),
        },
    }
    return render_template(
        "bureau/reports/sales.html",
        page=page,
        f=page.filters,
        args=page.filters.query_args(),
        options=service.filter_options(db.session, page.scope, page.filters.county),
        locked_county=len(page.scope) >= 6,
        kpi_labels=KPI_LABELS,
        column_labels=COLUMN_LABELS,
        dimension_label=DIMENSION_LABELS[page.filters.group_by],
        chart_json=json.dumps(chart, ensure_ascii=False),
        refund_rule=REFUND_RULE,
    )


@bp.get("/sales.<kind>")
@role_required(Role.BUREAU, Role.OPERATOR)
def sales_export(kind: str) -> Any:
    if kind not in EXPORTS:
        abort(404)
    page = service.sales_page(db.session, actor(), request.args)
    data, name = service.sales_export(db.session, page, kind)
    return service.documents.download(data, name)


def _year() -> int:
    raw = request.args.get("year", "")
    if not raw:
        return clock.today_local().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        abort(404)
    return int(raw)


@bp.get("/rewards")
@role_required(Role.BUREAU, Role.OPERATOR)
def rewards() -> Any:
    """The year's reward report as it stands, beside its frozen versions."""
    user = actor()
    year = _year()
    report = rewards_pages.report_for(db.session, user, year)
    return render_template(
        "bureau/reports/rewards.html",
        year=year,
        report=report,
        rows=rewards_pages.display_rows(report),
        versions=snapshots.versions(db.session, year),
        labels=_reward_labels(),
    )


@bp.get("/rewards/<int:year>.<kind>")
@role_required(Role.BUREAU, Role.OPERATOR)
def rewards_export(year: int, kind: str) -> Any:
    if kind not in EXPORTS or not 2000 <= year <= 2100:
        abort(404)
    report = rewards_pages.report_for(db.session, actor(), year)
    data, name = rewards_pages.export(db.session, report, kind, f"rewards-{year}")
    return service.documents.download(data, name)


@bp.get("/rewards/<int:year>/v<int:version>")
@role_required(Role.BUREAU, Role.OPERATOR)
def snapshot(year: int, version: int) -> Any:
    """A frozen version: its rows, whether its signature holds, what changed since the last."""
    user = actor()
    frozen = rewards_pages.snapshot_for(db.session, user, year, version)
    previous = (
        rewards_pages.snapshot_for(db.session, user, year, version - 1) if version > 1 else None
    )
    report = rewards_pages.scoped(frozen.report, user)
    return render_template(
        "bureau/reports/snapshot.html",
        year=year,
        snapshot=frozen,
        report=report,
        rows=rewards_pages.display_rows(report),
        verified=snapshots.verifies(frozen),
        changes=snapshots.diff(rewards_pages.scoped(previous.report, user), report)
        if previous
        else [],
        previous=previous,
        labels=_reward_labels(),
    )


@bp.get("/rewards/<int:year>/v<int:version>.<kind>")
@role_required(Role.BUREAU, Role.OPERATOR)
def snapshot_export(year: int, version: int, kind: str) -> Any:
    if kind not in EXPORTS:
        abort(404)
    user = actor()
    frozen = rewards_pages.snapshot_for(db.session, user, year, version)
    report = rewards_pages.scoped(frozen.report, user)
    data, name = rewards_pages.export(
        db.session, report, kind, f"rewards-{year}-v{version}", snapshot=frozen
    )
    return service.documents.download(data, name)


def _reward_labels() -> dict[str, Any]:
    return {
        "reasons": REASON_LABELS,
        "rules": RULE_LABELS,
        "buyer_types": {str(k): v for k, v in BUYER_TYPE_LABELS.items()},
        "refund_rule": REFUND_RULE,
        "rounding_rule": ROUNDING_RULE,
        "tie_rule": TIE_RULE,
    }
