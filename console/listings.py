"""Operator console: the listing review queue.

The queue lists products waiting for review, the longest-waiting first, filterable by brand,
category and origin county. The review page shows the product as the consumer will see it, what
changed since the last approved revision (see ``catalog.queries.review_diff``) and the rules
``approve`` re-checks on the day; the operator approves (for the revision on screen) or rejects
with a reason. Operators may also delist a product with a reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for

from catalog import actions, queries
from catalog.forms import ApproveForm, ReasonForm
from catalog.models import Product, ProductStatus
from yipin import clock
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.fields import arg_id, arg_page
from yipin.i18n import _, _l
from yipin.views import run_action

bp = Blueprint(
    "console_listings", __name__, url_prefix="/console/listings", template_folder="templates"
)

CHECK_LABELS = {
    "supplier_verified": _l("The supplier is verified"),
    "brand_authorised": _l("Valid authorisation for the brand %(brand)s"),
    "origin_in_brand_region": _l("Origin lies in the region of %(brand)s"),
    "food_licence": _l("Valid food production licence (SC) for %(category)s"),
    "has_active_variant": _l("At least one variant on sale"),
    "grades_fit": _l("Every grade belongs to the product's standard and may be sold"),
    "has_pictures": _l("Has pictures"),
}


def _int_arg(name: str) -> int | None:
    return arg_id(name)


@bp.get("")
@role_required(Role.OPERATOR)
def queue() -> Any:
    """Products waiting for review, the oldest submission first."""
    brand_id = _int_arg("brand_id")
    category_id = _int_arg("category_id")
    county = (request.args.get("county") or "").strip()
    county = county if county.isdigit() and len(county) == 6 else None
    page = queries.review_queue(
        db.session,
        brand_id=brand_id,
        category_id=category_id,
        county=county,
        page=arg_page(),
    )
    return render_template(
        "console/listings/queue.html",
        page=page,
        brands=queries.brands(db.session, active_only=False),
        categories=queries.categories(db.session),
        counties=queries.queue_counties(db.session),
        filters={"brand_id": brand_id, "category_id": category_id, "county": county},
        now=clock.now(),
    )


def _review_page(
    product_id: int,
    reject_form: ReasonForm | None = None,
    delist_form: ReasonForm | None = None,
    status: int = 200,
) -> Any:
    product = queries.product_detail(db.session, product_id)
    if product is None:
        abort(404)
    diff = queries.review_diff(product)
    removed = queries.images_by_id(db.session, diff.images_removed)
    checks = queries.listing_checks(db.session, product, clock.today_local())
    approve_form = ApproveForm()
    approve_form.revision.data = product.revision
    return (
        render_template(
            "console/listings/review.html",
            product=product,
            diff=diff,
            names=queries.describe_values(db.session, diff),
            removed_images=removed,
            images_by_image=queries.product_images_by_image(product),
            checks=checks,
            check_labels=CHECK_LABELS,
            allowed=actions.allowed_actions(product.status),
            Action=actions.Action,
            approve_form=approve_form,
            reject_form=reject_form or ReasonForm(prefix="reject"),
            delist_form=delist_form or ReasonForm(prefix="delist"),
        ),
        status,
    )


@bp.get("/<int:product_id>")
@role_required(Role.OPERATOR)
def review(product_id: int) -> Any:
    """A product as the consumer will see it, what changed, the checks, and the decision."""
    return _review_page(product_id)


def _next_in_queue(after: Product) -> str:
    nxt = db.session.scalars(queries.review_queue_stmt().limit(1)).first()
    if nxt is not None and nxt.id != after.id:
        return url_for(".review", product_id=nxt.id)
    return url_for(".queue")


@bp.post("/<int:product_id>/approve")
@role_required(Role.OPERATOR)
def approve(product_id: int) -> Any:
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    return run_action(
        lambda: actions.approve(db.session, actor(), product_id, revision=form.revision.data),
        done=lambda product: _("%(name)s is approved and listed.", name=product.name),
        to=_next_in_queue,
        refused=url_for(".review", product_id=product_id),
    )


@bp.post("/<int:product_id>/reject")
@role_required(Role.OPERATOR)
def reject(product_id: int) -> Any:
    form = ReasonForm(prefix="reject")
    if not form.validate_on_submit():
        return _review_page(product_id, reject_form=form, status=422)
    return run_action(
        lambda: actions.reject(db.session, actor(), product_id, form.reason.data),
        done=lambda product: _(
            "%(name)s is rejected; the supplier sees your reason.", name=product.name
        ),
        category="info",
        to=_next_in_queue,
        refused=url_for(".review", product_id=product_id),
    )


@bp.post("/<int:product_id>/delist")
@role_required(Role.OPERATOR)
def delist(product_id: int) -> Any:
    form = ReasonForm(prefix="delist")
    if not form.validate_on_submit():
        return _review_page(product_id, delist_form=form, status=422)
    return run_action(
        lambda: actions.delist(db.session, actor(), product_id, form.reason.data),
        done=_("The product is delisted."),
        category="info",
        to=url_for(".review", product_id=product_id),
    )


@bp.get("/all")
@role_required(Role.OPERATOR)
def listed() -> Any:
    """Every product by status (to find one to delist); the queue is the default view."""
    status_arg = request.args.get("status") or ProductStatus.LISTED.value
    try:
        status = ProductStatus(status_arg)
    except ValueError:
        status = ProductStatus.LISTED
    search = (request.args.get("q") or "").strip()[:60] or None
    page = queries.paginate(
        db.session,
        queries.product_list_stmt(status=status, search=search),
        arg_page(),
        queries.PER_PAGE,
        queries.list_options(),
    )
    return render_template(
        "console/listings/all.html",
        page=page,
        status=status,
        search=search or "",
        statuses=list(ProductStatus),
    )
