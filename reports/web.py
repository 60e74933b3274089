"""Operators' pages of reports (``/console/reports``): reward report tools (freeze a version,
enter published figures, livestream bases), commission rules, statements and payouts. And the
supplier portal's statements (``/supplier/statements``): supplier staff see and download theirs.

Views parse the form, call one function of reports, commit or roll back, flash, redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for

from catalog.models import Category
from reports import actions, documents, rewards_service, service, settlement, snapshots
from reports.labels import BASE_KIND_LABELS, STATEMENT_STATUS_LABELS
from reports.models import CommissionRule, LivestreamBase, LivestreamBaseKind, PublishedFigure
from suppliers.models import Supplier
from yipin import clock
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.errors import DomainError
from yipin.i18n import _, _l
from yipin.money import MoneyError, parse_yuan
from yipin.views import run_action

console_bp = Blueprint(
    "reports_console", __name__, url_prefix="/console/reports", template_folder="templates"
)
portal_bp = Blueprint(
    "reports_portal", __name__, url_prefix="/supplier/statements", template_folder="templates"
)


class FormError(DomainError):
    """A form field that does not parse (an amount, a number, a date)."""

    message = _l("Check the field: %(field)s")

    def __init__(self, field: str) -> None:
        super().__init__(field=field, name=field)
        self.params = {"field": field}


def _fen(name: str, *, required: bool = True) -> int:
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return 0
    try:
        return parse_yuan(raw)
    except MoneyError:
        raise FormError(name) from None


def _int(name: str, *, lo: int = 0, hi: int = 10**9, required: bool = True) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise FormError(name)
    return int(raw)


def _date(name: str, *, required: bool = True) -> date | None:
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormError(name) from None


def _run(action: Callable[[], Any], done: str, back: str) -> Any:
    """Run the action as the request's unit of work (commit or roll back, flash, redirect)."""
    return run_action(action, to=back, done=done, category="info")


# ----------------------------------------------------------------------------- console


@console_bp.get("/")
@role_required(Role.OPERATOR)
def index() -> Any:
    return redirect(url_for("reports_console.rewards"))


@console_bp.get("/rewards")
@role_required(Role.OPERATOR)
def rewards() -> Any:
    """Freeze the year's report, enter published figures, keep livestream bases."""
    year = request.args.get("year", "")
    year_n = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else clock.today_local().year
    return render_template(
        "reports/console/rewards.html",
        section="reports",
        year=year_n,
        versions=snapshots.versions(db.session, year_n),
        figures=db.session.scalars(
            sa.select(PublishedFigure)
            .where(PublishedFigure.year == year_n)
            .order_by(PublishedFigure.id)
        ).all(),
        bases=db.session.scalars(
            sa.select(LivestreamBase).order_by(LivestreamBase.year.desc(), LivestreamBase.id)
        ).all(),
        suppliers=db.session.execute(
            sa.select(Supplier.id, Supplier.name).order_by(Supplier.name)
        ).all(),
        kinds=BASE_KIND_LABELS,
        today=clock.today_local(),
    )


@console_bp.post("/rewards/<int:year>/freeze")
@role_required(Role.OPERATOR)
def freeze(year: int) -> Any:
    if not 2000 <= year <= 2100:
        abort(404)
    user = actor()
    note = request.form.get("note", "")
    return _run(
        lambda: snapshots.freeze(db.session, user.id, year, service.platform_region(), note),
        _("The report is frozen as a new version."),
        url_for("reports_console.rewards", year=year),
    )


@console_bp.post("/rewards/<int:year>/figures")
@role_required(Role.OPERATOR)
def published_figure(year: int) -> Any:
    user = actor()

    def act() -> None:
        supplier = _int("supplier_id", lo=1, hi=2**31 - 1, required=False)
        actions.enter_published_figure(
            db.session,
            user,
            year=year,
            rule=request.form.get("rule", ""),
            supplier_id=supplier,
            amount_fen=_fen("amount"),
            source=request.form.get("source", ""),
        )

    return _run(
        act, _("The published figure is recorded."), url_for("reports_console.rewards", year=year)
    )


@console_bp.post("/bases")
@console_bp.post("/bases/<int:base_id>")
@role_required(Role.OPERATOR)
def save_base(base_id: int | None = None) -> Any:
    user = actor()

    def act() -> None:
        data = actions.BaseInput(
            name=request.form.get("name", ""),
            operator_name=request.form.get("operator_name", ""),
            operator_uscc=request.form.get("operator_uscc", ""),
            operator_region_code=request.form.get("operator_region_code", ""),
            kind=request.form.get("kind", ""),
            area_m2=_int("area_m2") or 0,
            live_rooms=_int("live_rooms") or 0,
            hosts=_int("hosts") or 0,
            enterprises_served=_int("enterprises_served") or 0,
            recognised=request.form.get("recognised") == "on",
            year=_int("year", lo=2000, hi=2100) or 0,
            investment_fen=_fen("investment"),
            evidence=request.form.get("evidence", ""),
        )
        actions.save_base(db.session, user, data, base_id)

    year = request.form.get("year", "")
    return _run(
        act,
        _("The livestream base is saved."),
        url_for("reports_console.rewards", year=year if year.isdigit() else None),
    )


@console_bp.get("/commission")
@role_required(Role.OPERATOR)
def commission() -> Any:
    return render_template(
        "reports/console/commission.html",
        section="reports",
        rules=db.session.scalars(
            sa.select(CommissionRule).order_by(
                CommissionRule.valid_from.desc(), CommissionRule.id.desc()
            )
        ).all(),
        suppliers=dict(
            db.session.execute(sa.select(Supplier.id, Supplier.name).order_by(Supplier.name)).all()
        ),
        categories=dict(
            db.session.execute(sa.select(Category.id, Category.name).order_by(Category.id)).all()
        ),
        today=clock.today_local(),
    )


@console_bp.post("/commission")
@role_required(Role.OPERATOR)
def add_commission_rule() -> Any:
    user = actor()

    def act() -> None:
        percent = request.form.get("rate", "").strip()
        try:
            rate_bp = parse_yuan(percent)  # "5.5" (%) → 550 (bp): two decimals, like yuan
        except MoneyError:
            raise FormError("rate") from None
        settlement.add_rule(
            db.session,
            user,
            rate_bp=rate_bp,
            valid_from=_date("valid_from") or clock.today_local(),
            valid_to=_date("valid_to", required=False),
            supplier_id=_int("supplier_id", lo=1, hi=2**31 - 1, required=False),
            category_id=_int("category_id", lo=1, hi=2**31 - 1, required=False),
            note=request.form.get("note", ""),
        )

    return _run(act, _("The commission rule is added."), url_for("reports_console.commission"))


def _month(raw: str | None) -> date:
    try:
        return date.fromisoformat(f"{raw}-01") if raw else clock.today_local().replace(day=1)
    except ValueError:
        abort(404)


@console_bp.get("/statements")
@role_required(Role.OPERATOR)
def statements() -> Any:
    month = _month(request.args.get("month"))
    start, _end = settlement.cycle_of(month)
    rows = [s for s in settlement.statements_for(db.session, actor()) if s.cycle_start == start]
    names = dict(db.session.execute(sa.select(Supplier.id, Supplier.name)).all())
    return render_template(
        "reports/console/statements.html",
        section="reports",
        month=f"{start:%Y-%m}",
        statements=rows,
        names=names,
        status_labels=STATEMENT_STATUS_LABELS,
    )


@console_bp.post("/statements")
@role_required(Role.OPERATOR)
def make_statements() -> Any:
    month = _month(request.form.get("month"))
    label = month.strftime("%Y-%m")
    return _run(
        lambda: settlement.make_statements(db.session, month),
        _("Statements made for %(month)s.", month=label),
        url_for("reports_console.statements", month=label),
    )


@console_bp.post("/statements/<int:statement_id>/payouts")
@role_required(Role.OPERATOR)
def payout(statement_id: int) -> Any:
    user = actor()

    def act() -> None:
        settlement.record_payout(
            db.session,
            user,
            statement_id,
            _fen("amount"),
            request.form.get("bank_reference", ""),
            _date("paid_on") or clock.today_local(),
        )

    return _run(
        act,
        _("The payout is recorded."),
        url_for("reports_portal.statement", statement_id=statement_id),
    )


# ----------------------------------------------------------------------------- supplier portal


@portal_bp.get("/")
@role_required(Role.SUPPLIER)
def list_statements() -> Any:
    return render_template(
        "reports/portal/statements.html",
        section="statements",
        statements=settlement.statements_for(db.session, actor()),
        status_labels=STATEMENT_STATUS_LABELS,
    )


@portal_bp.get("/<int:statement_id>")
@role_required(Role.SUPPLIER, Role.OPERATOR)
def statement(statement_id: int) -> Any:
    user = actor()
    found = settlement.statement_for(db.session, user, statement_id)
    categories = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    return render_template(
        "reports/portal/statement.html",
        section="statements",
        statement=found,
        supplier=db.session.get(Supplier, found.supplier_id),
        categories=categories,
        status_labels=STATEMENT_STATUS_LABELS,
        is_operator=user.role == Role.OPERATOR,
        today=clock.today_local(),
    )


@portal_bp.get("/<int:statement_id>.<kind>")
@role_required(Role.SUPPLIER, Role.OPERATOR)
def statement_export(statement_id: int, kind: str) -> Any:
    if kind not in ("csv", "pdf", "xlsx"):
        abort(404)
    found = settlement.statement_for(db.session, actor(), statement_id)
    supplier = db.session.get(Supplier, found.supplier_id)
    categories = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    data, name = statement_document(found, supplier.name if supplier else "", categories, kind)
    return documents.download(data, name)


def statement_document(
    found: Any, supplier_name: str, categories: dict[int, str], kind: str
) -> tuple[bytes, str]:
    y = documents.yuan
    header = [
        _("Category"),
        _("Commission rate"),
        _("Sales (yuan)"),
        _("Refunds (yuan)"),
        _("Net (yuan)"),
        _("Commission (yuan)"),
    ]
    rows: list[list[Any]] = [
        [
            categories.get(d["category_id"], d["category_id"]),
            f"{d['rate_bp'] / 100:.2f}%",
            y(d["sales_fen"]),
            y(d["refunds_fen"]),
            y(d["net_fen"]),
            y(d["commission_fen"]),
        ]
        for d in found.details
    ]
    rows.append(
        [
            _("Total"),
            "",
            y(found.sales_fen),
            y(found.refunds_fen),
            y(found.sales_fen - found.refunds_fen),
            y(found.commission_fen),
        ]
    )
    summary = [
        [_("Sales"), y(found.sales_fen)],
        [_("Refunds"), y(-found.refunds_fen)],
        [_("Commission"), y(-found.commission_fen)],
        [_("Shipping charged"), y(found.shipping_fen)],
        [_("Net payable"), y(found.net_payable_fen)],
        [_("Paid"), y(found.paid_fen)],
        [_("Outstanding"), y(found.outstanding_fen)],
    ]
    stem = f"statement-{found.supplier_id}-{found.cycle_start:%Y-%m}"
    if kind == "csv":
        return documents.csv(header, [*rows, [], *summary]), f"{stem}.csv"
    head = service.heading(
        _("Settlement statement"),
        [
            (_("Supplier"), supplier_name),
            (
                _("Billing cycle"),
                f"{found.cycle_start.isoformat()} — {found.cycle_end.isoformat()}",
            ),
            (_("Amounts"), _("yuan")),
        ],
    )
    if kind == "xlsx":
        return documents.xlsx(
            head,
            [
                (str(_("Statement")), header, rows, [20, 14, 16, 16, 16, 16]),
                (str(_("Summary")), [_("Item"), _("Amount (yuan)")], summary, [20, 16]),
            ],
        ), f"{stem}.xlsx"
    notes = [
        _("Refunds are booked in the cycle the money went back."),
        _("Commission per category and rate on net sales, rounded half up to the fen."),
    ]
    return documents.pdf(
        head,
        [
            (None, header, rows, [30, 16, 20, 20, 20, 20], True),
            (None, [_("Item"), _("Amount (yuan)")], summary, [40, 20], True),
        ],
        notes,
    ), f"{stem}.pdf"


__all__ = ["LivestreamBaseKind", "rewards_service"]
