"""Operator console: supplier verification queue and brand authorisations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for

from catalog.models import CERTIFICATION_KIND_LABELS
from suppliers import actions, queries
from suppliers.forms import AUTHORISATION_BADGES, GrantForm, QueueFilterForm, RevokeForm, StatusForm
from suppliers.models import AUTHORISATION_STATE_LABELS, Supplier
from yipin import clock
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.config import platform_region
from yipin.db import db
from yipin.errors import NotFound
from yipin.fields import arg_id
from yipin.i18n import _
from yipin.regions import queries as regions
from yipin.views import run_action

bp = Blueprint(
    "console_suppliers", __name__, url_prefix="/console/suppliers", template_folder="templates"
)
PER_PAGE = 20


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


def _platform_region() -> tuple[str, list[tuple[str, str]]]:
    """The platform region's full name (the queue leaves it out of each supplier's place) and
    its parts (the county filter), from one query of its children."""
    children = regions.children(db.session, platform_region())
    name = children[0].full_name.removesuffix(children[0].name).strip() if children else ""
    return name, [(r.code, r.name) for r in children]


# ----------------------------------------------------------------------------- the queue


@bp.get("/")
@role_required(Role.OPERATOR)
def queue() -> Any:
    """Suppliers to verify (pending first), filtered by status, county and kind."""
    form = QueueFilterForm(request.args)
    home, counties = _platform_region()
    form.county.choices = [("", _("All counties")), *counties]
    form.validate()
    flt = queries.QueueFilter(
        status=form.status_value(),
        county=form.county.data if form.county.data and not form.county.errors else None,
        kind=form.kind_value(),
        q=form.q.data or "",
    )
    page = queries.verification_queue(db.session, flt, _page_arg(), PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "console/suppliers/queue.html",
        platform_region_name=home,
        form=form,
        page=page,
        counts=queries.status_counts(db.session),
        filters=args,
        other_filters={k: v for k, v in args.items() if k != "status"},
    )


# ----------------------------------------------------------------------------- one supplier


@bp.get("/<int:supplier_id>")
@role_required(Role.OPERATOR)
def detail(supplier_id: int) -> Any:
    """Everything about one supplier, with the verification actions."""
    return _detail(supplier_id)


def _detail(supplier_id: int, form: StatusForm | None = None, status: int = 200) -> Any:
    supplier = queries.supplier_detail(db.session, supplier_id)
    if supplier is None:
        raise NotFound()
    today = clock.today_local()
    return (
        render_template(
            "console/suppliers/detail.html",
            supplier=supplier,
            certifications=queries.certifications_of(db.session, supplier.id),
            authorisations=[
                (a, queries.authorisation_state(a, today)) for a in supplier.authorisations
            ],
            today=today,
            actions=actions.allowed_actions(supplier.status),
            action_labels=actions.STATUS_ACTION_LABELS,
            reason_required=actions.REASON_REQUIRED,
            form=form or StatusForm(formdata=None),
            failed_action=form.action.data if form is not None else None,
            authorisation_states=AUTHORISATION_STATE_LABELS,
            authorisation_badges=AUTHORISATION_BADGES,
            certification_kinds=CERTIFICATION_KIND_LABELS,
        ),
        status,
    )


@bp.post("/<int:supplier_id>/status")
@role_required(Role.OPERATOR)
def change_status(supplier_id: int) -> Any:
    """Verify, reject (reason), suspend (reason) or restore."""
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail(supplier_id, form, 422)
    return run_action(
        lambda: actions.change_status(
            db.session, actor(), supplier_id, form.action.data, form.reason.data
        ),
        done=lambda supplier: _(
            "%(name)s is now %(status)s.",
            name=supplier.name,
            status=str(actions.STATUS_WORDS[supplier.status]),
        ),
        to=url_for(".detail", supplier_id=supplier_id),
        form=form,
        refused=lambda exc: _detail(supplier_id, form, exc.status),
    )


# ----------------------------------------------------------------------------- brands


@bp.route("/authorisations", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def authorisations() -> Any:
    """Grant brand authorisations (POST) and list them (filter by supplier, brand, state)."""
    form = GrantForm()
    _grant_choices(form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            response = run_action(
                lambda: actions.grant_authorisation(
                    db.session,
                    actor(),
                    supplier_id=form.supplier_id.data,
                    brand_id=form.brand_id.data,
                    valid_from=form.valid_from.data,
                    valid_to=form.valid_to.data,
                    certificate_number=form.certificate_number.data,
                ),
                done=lambda auth: _(
                    "%(supplier)s may use %(brand)s from %(start)s to %(end)s.",
                    supplier=auth.supplier.name,
                    brand=auth.brand.name,
                    start=auth.valid_from,
                    end=auth.valid_to,
                ),
                to=url_for(".authorisations"),
                form=form,
            )
            if response is not None:
                return response
        status = 422
    elif arg_id("supplier_id"):
        form.supplier_id.data = arg_id("supplier_id")
    return _authorisations_page(form, status)


def _grant_choices(form: GrantForm) -> None:
    suppliers = db.session.execute(
        sa.select(Supplier.id, Supplier.name).order_by(Supplier.name)
    ).all()
    form.supplier_id.choices = [(0, "—"), *[(i, n) for i, n in suppliers]]
    form.brand_id.choices = [(0, "—"), *[(b.id, b.name) for b in queries.brands(db.session)]]


def _authorisations_page(form: GrantForm, status: int = 200) -> Any:
    def as_int(name: str) -> int | None:
        raw = request.args.get(name, "")
        return int(raw) if raw.isdigit() else None

    state = request.args.get("state")
    state = state if state in set(AUTHORISATION_STATE_LABELS) else None
    flt = queries.AuthorisationFilter(
        supplier_id=as_int("supplier_id"),
        brand_id=as_int("brand_id"),
        state=state,
        q=request.args.get("q", "")[:60],
    )
    today = clock.today_local()
    page = queries.paginate(
        db.session, queries.authorisations_stmt(flt, today), _page_arg(), PER_PAGE
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return (
        render_template(
            "console/suppliers/authorisations.html",
            form=form,
            revoke_form=RevokeForm(formdata=None),
            page=page,
            rows=[(a, queries.authorisation_state(a, today)) for a in page.items],
            brands=queries.brands(db.session),
            flt=flt,
            filters=args,
            authorisation_states=AUTHORISATION_STATE_LABELS,
            authorisation_badges=AUTHORISATION_BADGES,
        ),
        status,
    )


@bp.post("/authorisations/<int:authorisation_id>/revoke")
@role_required(Role.OPERATOR)
def revoke_authorisation(authorisation_id: int) -> Any:
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason: the supplier will see it."), "error")
        return redirect(url_for(".authorisations"))
    return run_action(
        lambda: actions.revoke_authorisation(
            db.session, actor(), authorisation_id, form.reason.data
        ),
        done=lambda auth: _(
            "The authorisation of %(supplier)s for %(brand)s has been revoked.",
            supplier=auth.supplier.name,
            brand=auth.brand.name,
        ),
        category="info",
        to=url_for(".authorisations"),
    )
