"""Supplier portal: products, variants, images and their review status.

Every page is for supplier staff (any role) and only for their own supplier's products: another
supplier's product is reported missing (404). Bad input re-renders the form with its messages
and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice

from catalog import actions, queries
from catalog.forms import (
    ImageAltForm,
    ImageUploadForm,
    ProductForm,
    ReasonForm,
    VariantForm,
    field_label,
    months_text,
)
from catalog.models import (
    BATCH_STATUS_LABELS,
    CERTIFICATION_KIND_BADGES,
    CERTIFICATION_KIND_LABELS,
    CERTIFICATION_STATE_LABELS,
    IMPORT_STATUS_LABELS,
    INSPECTION_RESULT_LABELS,
    PRODUCT_STATUS_LABELS,
    REVIEW_EVENT_LABELS,
    STORAGE_CLASS_HINTS,
    STORAGE_CLASS_LABELS,
    Product,
    ProductStatus,
    Variant,
)
from yipin import clock
from yipin.accounts.forms import EmptyForm
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.fields import arg_page
from yipin.forms import form_error
from yipin.i18n import _
from yipin.media import images as image_store
from yipin.regions import queries as region_queries
from yipin.regions.models import Region
from yipin.views import run_action

bp = Blueprint(
    "catalog_portal", __name__, url_prefix="/supplier/catalog", template_folder="templates"
)


def short_place(region: Any) -> str:
    """A region's name without province and city (``寻乌县 长宁镇 …``) for compact lists."""
    if region is None:
        return ""
    parts = region.full_name.split(" ")
    return " ".join(parts[2:]) if len(parts) > 2 else region.full_name


# The catalog's labels (one table per enum, beside it in ``catalog.models``) and page helpers,
# for every page that shows catalog data (portal, console, storefront, bureau): ``domain.py``.
TEMPLATE_GLOBALS = {
    "product_status_label": PRODUCT_STATUS_LABELS,
    "review_event_label": REVIEW_EVENT_LABELS,
    "storage_label": STORAGE_CLASS_LABELS,
    "storage_hint": STORAGE_CLASS_HINTS,
    "cert_kind_label": CERTIFICATION_KIND_LABELS,
    "cert_kind_badge": CERTIFICATION_KIND_BADGES,
    "cert_state_label": CERTIFICATION_STATE_LABELS,
    "batch_status_label": BATCH_STATUS_LABELS,
    "inspection_result_label": INSPECTION_RESULT_LABELS,
    "import_status_label": IMPORT_STATUS_LABELS,
    "catalog_field_label": field_label,
    "months_text": months_text,
    "image_url": image_store.url,
    "short_place": short_place,
}


# ----------------------------------------------------------------------------- helpers


def _form_error(form: Any, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Show a domain error under its field, or as a message at the top (nothing is saved)."""
    db.session.rollback()
    form_error(form, exc, field_map)


def _own_product(product_id: int) -> Product:
    """The product, if it belongs to the current user's supplier (else 404)."""
    product = load(Product, product_id, change=True)
    if product.supplier_id != actor().supplier_id:
        abort(404)
    return product


def _product_choices(form: ProductForm, product: Product | None = None) -> None:
    supplier_id = actor().supplier_id
    assert supplier_id is not None
    session = db.session
    none = SelectChoice("", _("— none —"))
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in queries.categories(session)]
    brands = queries.authorised_brands(session, supplier_id, clock.today_local())
    brand_choices = [SelectChoice(b.id, b.name) for b in brands]
    if (
        product is not None
        and product.brand is not None
        and product.brand_id not in {b.id for b in brands}
    ):
        brand_choices.append(
            SelectChoice(
                product.brand.id, _("%(brand)s (authorisation lapsed)", brand=product.brand.name)
            )
        )
    form.brand_id.choices = [none, *brand_choices]
    form.grade_standard_id.choices = [
        none,
        *[SelectChoice(s.id, f"{s.title} {s.code}") for s in queries.standards(session)],
    ]


def _variant_choices(form: VariantForm, product: Product, variant: Variant | None = None) -> None:
    grades = queries.sellable_grades(product.grade_standard)
    choices = [SelectChoice(g.id, g.name) for g in grades]
    if (
        variant is not None
        and variant.grade is not None
        and variant.grade_id not in {g.id for g in grades}
    ):
        choices.append(SelectChoice(variant.grade.id, variant.grade.name))
    if product.grade_standard is None:
        choices = [SelectChoice("", _("— no grading standard —"))]
    form.grade_id.choices = choices


def _origin_is_deep_enough(form: ProductForm) -> bool:
    """The form asks for the origin down to the village wherever the region tree goes that
    deep (inside the platform's region); the actions accept a county (imports, API)."""
    code = (form.origin_region_code.data or "").strip()
    region = db.session.get(Region, code) if code else None
    if region is not None and region_queries.has_children(region):
        form.origin_region_code.errors = [
            *list(form.origin_region_code.errors or []),
            _("Choose the origin down to the village."),
        ]
        return False
    return True


def _back(product: Product, anchor: str = "") -> Any:
    return redirect(url_for(".product", product_id=product.id) + (f"#{anchor}" if anchor else ""))


# ----------------------------------------------------------------------------- products


@bp.get("/products")
@role_required(Role.SUPPLIER)
def products() -> Any:
    """The supplier's products with status badges, a status filter and search."""
    user = actor()
    assert user.supplier_id is not None
    status_arg = request.args.get("status") or None
    try:
        status = ProductStatus(status_arg) if status_arg else None
    except ValueError:
        status = None
    search = (request.args.get("q") or "").strip()[:60] or None
    page = queries.supplier_products(
        db.session,
        user.supplier_id,
        status=status,
        search=search,
        page=arg_page(),
    )
    counts = queries.status_counts(db.session, user.supplier_id)
    return render_template(
        "catalog/products/list.html",
        page=page,
        status=status,
        search=search or "",
        counts=counts,
        statuses=list(ProductStatus),
    )


@bp.route("/products/new", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def new_product() -> Any:
    user = actor()
    form = ProductForm()
    _product_choices(form)
    if request.method == "GET" and not form.storage_class.data:
        form.storage_class.data = "ambient"
    if form.validate_on_submit() and _origin_is_deep_enough(form):
        try:
            product = actions.create_product(db.session, user, user.supplier_id or 0, form.draft())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            commit()
            flash(_("The product is saved as a draft. Add its variants and pictures."), "success")
            return _back(product)
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/products/form.html", form=form, product=None), status


@bp.get("/products/<int:product_id>")
@role_required(Role.SUPPLIER)
def product(product_id: int) -> Any:
    """One product: facts, variants, pictures, what can be done next and the review history."""
    _own_product(product_id)
    item = queries.product_detail(db.session, product_id)
    assert item is not None
    return render_template(
        "catalog/products/detail.html",
        product=item,
        allowed=actions.allowed_actions(item.status),
        Action=actions.Action,
        upload_form=ImageUploadForm(),
        alt_form=ImageAltForm(),
        reason_form=ReasonForm(),
        empty_form=EmptyForm(),
        max_images=actions.MAX_IMAGES,
        can_sell=item.supplier.can_sell,
    )


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def edit_product(product_id: int) -> Any:
    product = _own_product(product_id)
    form = ProductForm()
    _product_choices(form, product)
    if request.method == "GET":
        form.fill(product)
    was_listed = product.status == ProductStatus.LISTED
    if form.validate_on_submit() and _origin_is_deep_enough(form):
        try:
            actions.update_product(db.session, actor(), product.id, form.draft())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            commit()
            product = db.session.get(Product, product_id) or product
            if was_listed and product.status == ProductStatus.PENDING_REVIEW:
                flash(_("Saved. The changes go live after the platform reviews them."), "info")
            else:
                flash(_("Saved."), "success")
            return _back(product)
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/products/form.html", form=form, product=product), status


# ----------------------------------------------------------------------------- variants


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def new_variant(product_id: int) -> Any:
    product = _own_product(product_id)
    form = VariantForm()
    _variant_choices(form, product)
    if form.validate_on_submit():
        try:
            actions.add_variant(db.session, actor(), product.id, form.draft())
        except DomainError as exc:
            _form_error(form, exc, VariantForm.FIELD_MAP)
        else:
            commit()
            flash(_("The variant is added."), "success")
            return _back(product, "variants")
    status = 422 if request.method == "POST" else 200
    return (
        render_template("catalog/products/variant_form.html", form=form, product=product),
        status,
    )


@bp.route("/products/<int:product_id>/variants/<int:variant_id>/edit", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def edit_variant(product_id: int, variant_id: int) -> Any:
    product = _own_product(product_id)
    variant = load(Variant, variant_id, change=True)
    if variant.product_id != product.id:
        abort(404)
    form = VariantForm()
    _variant_choices(form, product, variant)
    if request.method == "GET":
        form.fill(variant)
    if form.validate_on_submit():
        was_listed = product.status == ProductStatus.LISTED
        try:
            actions.update_variant(db.session, actor(), variant.id, form.draft())
        except DomainError as exc:
            _form_error(form, exc, VariantForm.FIELD_MAP)
        else:
            commit()
            product = db.session.get(Product, product_id) or product
            if was_listed and product.status == ProductStatus.PENDING_REVIEW:
                flash(_("Saved. The changes go live after the platform reviews them."), "info")
            else:
                flash(_("Saved."), "success")
            return _back(product, "variants")
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "catalog/products/variant_form.html", form=form, product=product, variant=variant
        ),
        status,
    )


# ----------------------------------------------------------------------------- images


@bp.post("/products/<int:product_id>/images")
@role_required(Role.SUPPLIER)
def upload_images(product_id: int) -> Any:
    """Upload one or more pictures; each is checked on its own, good ones are kept."""
    product = _own_product(product_id)
    form = ImageUploadForm()
    if not form.validate_on_submit():
        flash(_("The description is at most 120 characters."), "error")
        return _back(product, "images")
    files = [f for f in request.files.getlist("images") if isinstance(f, FileStorage) and f]
    files = [f for f in files if f.filename or f.content_length]
    if not files:
        flash(_("Choose at least one picture to upload."), "error")
        return _back(product, "images")
    added, user = 0, actor()
    for upload in files:
        name = upload.filename or _("picture")
        try:
            actions.add_image(db.session, user, product.id, upload.stream, form.alt.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(f"{name}: {exc.text()}", "error")
        else:
            commit()
            added += 1
    if added:
        flash(_("%(n)s picture(s) added.", n=added), "success")
    return _back(product, "images")


@bp.post("/products/<int:product_id>/images/<int:image_id>/alt")
@role_required(Role.SUPPLIER)
def image_alt(product_id: int, image_id: int) -> Any:
    product = _own_product(product_id)
    form = ImageAltForm()
    if not form.validate_on_submit():
        flash(_("The image description is at most 120 characters."), "error")
        return _back(product, "images")
    try:
        actions.set_image_alt(db.session, actor(), product.id, image_id, form.alt.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.text(), "error")
    else:
        commit()
        flash(_("Saved."), "success")
    return _back(product, "images")


@bp.post("/products/<int:product_id>/images/<int:image_id>/move")
@role_required(Role.SUPPLIER)
def move_image(product_id: int, image_id: int) -> Any:
    product = _own_product(product_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    try:
        actions.move_image(db.session, actor(), product.id, image_id, offset)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.text(), "error")
    else:
        commit()
    return _back(product, "images")


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@role_required(Role.SUPPLIER)
def delete_image(product_id: int, image_id: int) -> Any:
    product = _own_product(product_id)
    try:
        orphans = actions.remove_image(db.session, actor(), product.id, image_id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.text(), "error")
    else:
        commit()
        for key in orphans:
            image_store.remove_files(key)
        flash(_("The picture is removed."), "info")
    return _back(product, "images")


# ----------------------------------------------------------------------------- review


@bp.post("/products/<int:product_id>/submit")
@role_required(Role.SUPPLIER)
def submit(product_id: int) -> Any:
    product = _own_product(product_id)
    return run_action(
        lambda: actions.submit_for_review(db.session, actor(), product.id),
        done=_("Submitted. The platform reviews new listings within one working day."),
        to=url_for(".product", product_id=product.id),
    )


@bp.post("/products/<int:product_id>/withdraw")
@role_required(Role.SUPPLIER)
def withdraw(product_id: int) -> Any:
    product = _own_product(product_id)
    return run_action(
        lambda: actions.withdraw(db.session, actor(), product.id),
        done=_("The submission is withdrawn; the product is a draft again."),
        category="info",
        to=url_for(".product", product_id=product.id),
    )


@bp.post("/products/<int:product_id>/delist")
@role_required(Role.SUPPLIER)
def delist(product_id: int) -> Any:
    product = _own_product(product_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(str(error), "error")
        return _back(product, "actions")
    try:
        actions.delist(db.session, actor(), product.id, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.text(), "error")
    else:
        commit()
        flash(_("The product is delisted. Submit it again to sell it."), "info")
    return _back(product)
