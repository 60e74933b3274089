"""Operator console: market-supervision sampling (抽检) and recalls.

Operators record sample results; a failed one delists the batch at once and shows the orders
that received it (operators only), exportable as XLSX for the recall.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from catalog.models import Batch, InspectionResult, SamplingRecord, Variant
from catalog.trace import sampling
from orders import queries as orders_queries
from orders.models import OrderStatus
from yipin import clock, exports
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required
from yipin.db import db
from yipin.fields import DateField, arg_page
from yipin.i18n import _, _l
from yipin.pagination import paginate
from yipin.views import run_action

bp = Blueprint(
    "console_sampling", __name__, url_prefix="/console/sampling", template_folder="templates"
)
PER_PAGE = 30
ORDER_STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REFUNDED: _l("Refunded"),
}


def order_status_label(status: OrderStatus | str) -> str:
    return str(ORDER_STATUS_LABELS[OrderStatus(status)])


class SamplingForm(FlaskForm):
    batch_code = StringField(
        _l("Traceability code of the batch"), validators=[DataRequired(), Length(max=24)]
    )
    sampled_on = DateField(_l("Sampling date"), validators=[DataRequired()])
    agency = StringField(_l("Agency"), validators=[DataRequired(), Length(max=120)])
    report_number = StringField(_l("Report number"), validators=[Optional(), Length(max=60)])
    items = TextAreaField(_l("Items tested"), validators=[Optional(), Length(max=2000)])
    result = SelectField(
        _l("Result"),
        choices=[
            (InspectionResult.PASS.value, _l("Pass")),
            (InspectionResult.FAIL.value, _l("Fail")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def records() -> Any:
    """Sampling records, newest first, and the form to record one."""
    form = SamplingForm()
    status = 200
    if request.method == "GET":
        form.batch_code.data = request.args.get("code", "")
        form.sampled_on.data = clock.today_local()
    else:
        if form.validate_on_submit():
            response = run_action(
                lambda: sampling.record_sample(
                    db.session,
                    actor(),
                    sampling.SamplingDraft(
                        batch_code=form.batch_code.data,
                        sampled_on=form.sampled_on.data,
                        agency=form.agency.data,
                        report_number=form.report_number.data or "",
                        items=form.items.data or "",
                        result=InspectionResult(form.result.data),
                        notes=form.notes.data or "",
                    ),
                ),
                done=_sampling_message,
                to=lambda outcome: url_for(".record", record_id=outcome.record.id),
                form=form,
            )
            if response is not None:
                return response
        status = 422
    result = request.args.get("result") or None
    stmt = (
        sa.select(SamplingRecord)
        .join(Batch, Batch.id == SamplingRecord.batch_id)
        .order_by(SamplingRecord.recorded_at.desc(), SamplingRecord.id.desc())
    )
    if result in {r.value for r in InspectionResult}:
        stmt = stmt.where(SamplingRecord.result == result)
    page = paginate(
        db.session,
        stmt,
        arg_page(),
        PER_PAGE,
        [joinedload(SamplingRecord.batch).joinedload(Batch.variant).joinedload(Variant.product)],
    )
    return render_template(
        "console/sampling/records.html", form=form, page=page, result=result
    ), status


def _sampling_message(outcome: sampling.SamplingOutcome) -> tuple[str, str]:
    if outcome.delisted:
        return _(
            "Batch %(code)s is delisted and its supplier has been told. %(n)s orders received it."
        ) % {"code": outcome.batch.code, "n": len(outcome.orders)}, "error"
    return _("Sampling result recorded."), "success"


@bp.get("/<int:record_id>")
@role_required(Role.OPERATOR)
def record(record_id: int) -> Any:
    """One record; for a failed sample, the orders that received the batch (recall list)."""
    row = load(SamplingRecord, record_id)
    orders = (
        orders_queries.orders_with_batch(db.session, row.batch_id)
        if row.result == InspectionResult.FAIL
        else []
    )
    return render_template(
        "console/sampling/record.html",
        r=row,
        b=row.batch,
        orders=orders,
        order_status_label=order_status_label,
        total_units=sum(o.quantity for o in orders),
    )


@bp.get("/<int:record_id>/orders.xlsx")
@role_required(Role.OPERATOR)
def orders_xlsx(record_id: int) -> Any:
    """The recall list as a spreadsheet."""
    row = load(SamplingRecord, record_id)
    orders = orders_queries.orders_with_batch(db.session, row.batch_id)
    header = [
        _("Order number"),
        _("Placed at"),
        _("Paid at"),
        _("Quantity"),
        _("Status"),
        _("Destination county"),
        _("County code"),
    ]
    rows = (
        [
            o.number,
            clock.to_local(o.placed_at).strftime("%Y-%m-%d %H:%M"),
            clock.to_local(o.paid_at).strftime("%Y-%m-%d %H:%M") if o.paid_at else "",
            o.quantity,
            order_status_label(o.status),
            o.county_name,
            o.county_code,
        ]
        for o in orders
    )
    sheet = exports.Sheet(
        row.batch.code,
        header,
        rows,
        widths=(20, 18, 18, 8, 10, 28, 10),
        preamble=[
            [_("Batch"), row.batch.code, row.batch.variant.product.name],
            [_("Sampling"), row.sampled_on.isoformat(), row.agency, row.report_number],
            [],
        ],
        header_fill=None,
    )
    return exports.download(exports.xlsx_bytes([sheet]), f"recall-{row.batch.code}.xlsx")
