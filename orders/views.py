"""Consumer pages: the cart, checkout, paying, the order list and an order's page (with its
history, cancellation, receipt, returns and 坏果包赔 claims), saved addresses."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from fulfillment.shipping import pickup_points_for
from orders import addresses, after_sales, carts, checkout, lifecycle, queries
from orders.buyers import BuyerDetails
from orders.claims import store_claim_photos
from orders.errors import PaymentProviderDown
from orders.labels import parse_enum
from orders.models import (
    Claim,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    ReturnReason,
    ReturnRequest,
)
from orders.payments import flows, service
from orders.settings import setting
from orders.status import AFTER_DELIVERY, BEFORE_SHIPMENT
from orders.web import current_cart, may_have_cart, place
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.fields import arg_page
from yipin.i18n import _
from yipin.media import images
from yipin.media.models import Image
from yipin.pagination import paginate

bp = Blueprint("orders", __name__, template_folder="templates")
PER_PAGE = 20


def act(fn: Callable[[], Any], done: str, target: str) -> Any:
    """Run an action, commit or roll back, say what happened, go to ``target``."""
    try:
        fn()
        commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.text(), "error")
    else:
        flash(done, "success")
    return redirect(target)


def _int(name: str, default: int | None = None, source: Any = None) -> int | None:
    raw = (source or request.form).get(name, "")
    try:
        value = int(str(raw).strip())
    except ValueError:
        return default
    return value if 0 <= value < 2**31 else default


# ----------------------------------------------------------------------------- cart


@bp.get("/cart")
def cart() -> Any:
    if not may_have_cart():
        abort(403)
    view = carts.view_cart(db.session, current_cart())
    return render_template("orders/cart.html", view=view)


@bp.post("/cart/add")
def cart_add() -> Any:
    if not may_have_cart():
        flash(_("Staff accounts cannot buy. Log in with a consumer account."), "error")
        return redirect(request.referrer or url_for("storefront.home"))
    variant_id = _int("variant_id")
    quantity = _int("quantity", 1)
    back = request.form.get("next") or url_for("orders.cart")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("orders.cart")
    try:
        cart_ = current_cart(create=True)
        assert cart_ is not None
        carts.add_to_cart(db.session, cart_, variant_id or 0, quantity or 0)
        commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.text(), "error")
        return redirect(request.referrer or back)
    flash(_("Added to your cart."), "success")
    return redirect(back)


@bp.post("/cart/lines/<int:line_id>")
def cart_line(line_id: int) -> Any:
    cart_ = current_cart()
    if cart_ is None:
        abort(404)
    quantity = _int("quantity", 0) if request.form.get("action") != "remove" else 0
    return act(
        lambda: carts.set_quantity(db.session, cart_, line_id, quantity or 0),
        _("Your cart is updated."),
        url_for("orders.cart"),
    )


# ----------------------------------------------------------------------------- checkout


def _checkout_request(form: Any) -> checkout.CheckoutRequest:
    address_id = _int("address_id", None, form)
    use_new = form.get("address_id") == "new" or address_id is None
    destination = checkout.Destination(
        address_id=None if use_new else address_id,
        recipient_name=form.get("recipient_name", ""),
        phone=form.get("phone", ""),
        region_code=form.get("region_code", ""),
        detail=form.get("detail", ""),
        pickup_point_id=_int("pickup_point_id", None, form) or None,
    )
    organisation = form.get("buyer_kind") == "organisation"
    buyer = BuyerDetails(
        organisation=organisation,
        invoice_requested=organisation or form.get("invoice_requested") == "1",
        invoice_title=form.get("invoice_title") or None,
        uscc=(form.get("uscc") or None) if organisation else None,
        declares_state_owned=organisation and form.get("state_owned") == "1",
        procurement_reference=(form.get("procurement_reference") or None) if organisation else None,
    )
    shipping = {}
    for key, value in form.items():
        if key.startswith("shipping_") and key[9:].isdigit():
            shipping[int(key[9:])] = value
    method = form.get("payment_method")
    return checkout.CheckoutRequest(
        destination=destination,
        buyer=buyer,
        shipping=shipping,
        payment_method=parse_enum(PaymentMethod, method),
        note=form.get("note", ""),
        expected_total_fen=_int("expected_total_fen", None, form),
        idempotency_key=form.get("checkout_token") or None,
    )


@bp.route("/checkout", methods=["GET", "POST"])
@role_required(Role.CONSUMER)
def checkout_page() -> Any:
    user = actor()
    cart_ = current_cart()
    view = carts.view_cart(db.session, cart_)
    if cart_ is None or view.is_empty:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("orders.cart"))
    saved = addresses.addresses_of(db.session, user)
    form = request.form if request.method == "POST" else request.args
    if request.method == "GET" and "address_id" not in form and saved:
        form = {"address_id": str(saved[0].id), **form}
    request_ = _checkout_request(form)
    error = None
    if request.method == "POST" and request.form.get("action") == "place":
        try:
            placed = place(user, cart_, request_)
        except DomainError as exc:
            db.session.rollback()
            error = exc
        else:
            order = placed.order
            if order.status == OrderStatus.CASH_ON_DELIVERY:
                flash(_("Order placed: you pay when it is delivered."), "success")
                return redirect(url_for("orders.order", number=order.number))
            return redirect(url_for("orders.pay", number=order.number))
        cart_ = current_cart()
    quote = None
    try:
        quote = checkout.build_quote(db.session, user, cart_, request_, strict=False)
    except DomainError as exc:
        error = error or exc
    region = quote.place.region.code if quote and quote.place else ""
    points = pickup_points_for(db.session, region, quote.storage) if region else []
    return render_template(
        "orders/checkout.html",
        view=view,
        quote=quote,
        saved=saved,
        form=form,
        points=points,
        error=error,
        token=form.get("checkout_token") or secrets.token_urlsafe(24),
    ), (422 if error is not None and request.method == "POST" else 200)


# ----------------------------------------------------------------------------- paying


def _own_order(number: str) -> Order:
    return queries.order_by_number(db.session, actor(), number)


@bp.get("/orders/<number>/pay")
@role_required(Role.CONSUMER)
def pay(number: str) -> Any:
    order = _own_order(number)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return redirect(url_for("orders.order", number=number))
    payment = next((p for p in reversed(order.payments) if p.is_open), None)
    if (
        payment is not None
        and payment.provider == PaymentProvider.STRIPE
        and payment.status == PaymentStatus.CREATING
    ):
        try:
            payment = flows.create_intent(payment.id)
        except PaymentProviderDown:
            db.session.rollback()
            flash(_("Online payment is not reachable right now."), "error")
        order = _own_order(number)
    return render_template(
        "orders/pay.html",
        order=order,
        payment=payment,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
        bank=setting("BANK_TRANSFER_ACCOUNT"),
        online=checkout.stripe_enabled(),
    )


@bp.post("/orders/<number>/pay/bank-transfer")
@role_required(Role.CONSUMER)
def pay_by_bank_transfer(number: str) -> Any:
    order = _own_order(number)
    return act(
        lambda: service.switch_to_bank_transfer(db.session, actor(), order.id),
        _("Pay by bank transfer: the account and reference are below."),
        url_for("orders.pay", number=number),
    )


@bp.post("/orders/<number>/pay/online")
@role_required(Role.CONSUMER)
def pay_online(number: str) -> Any:
    order = _own_order(number)
    if not checkout.stripe_enabled():
        abort(409)
    return act(
        lambda: service.new_online_payment(db.session, actor(), order.id),
        _("Choose how to pay."),
        url_for("orders.pay", number=number),
    )


@bp.get("/orders/<number>/paid")
@role_required(Role.CONSUMER)
def paid(number: str) -> Any:
    """Where Stripe sends the buyer back: ask Stripe at once rather than wait for the webhook."""
    order = _own_order(number)
    for payment in order.payments:
        if payment.provider == PaymentProvider.STRIPE and payment.is_open:
            flows.sync_intent(payment.id)
    order = _own_order(number)
    if order.status == OrderStatus.PENDING_PAYMENT:
        flash(_("We are waiting for the payment to be confirmed."), "info")
    return redirect(url_for("orders.order", number=number))


# ----------------------------------------------------------------------------- orders


@bp.get("/orders")
@role_required(Role.CONSUMER)
def orders() -> Any:
    status = request.args.get("status", "")
    chosen = parse_enum(OrderStatus, status)
    filters = {"status": chosen} if chosen else {}
    page = paginate(
        db.session,
        queries.orders_stmt(actor(), **filters),
        arg_page(),
        PER_PAGE,
        options=list(queries.ORDER_DETAIL[:2]),
    )
    return render_template("orders/list.html", page=page, status=status)


@bp.get("/orders/<number>")
@role_required(Role.CONSUMER)
def order(number: str) -> Any:
    order_ = _own_order(number)
    subs = order_.sub_orders
    rules = after_sales.rules_for(db.session, [line for s in subs for line in s.lines])
    return render_template(
        "orders/detail.html",
        order=order_,
        history=queries.history(db.session, order_.id),
        rules=rules,
        before_shipment=BEFORE_SHIPMENT,
        after_delivery=AFTER_DELIVERY,
        reasons=list(ReturnReason),
        claims=list(
            db.session.scalars(
                queries.claims_stmt(actor()).where(Claim.sub_order_id.in_([s.id for s in subs]))
            )
        ),
        returns=list(
            db.session.scalars(
                queries.returns_stmt(actor()).where(
                    ReturnRequest.sub_order_id.in_([s.id for s in subs])
                )
            )
        ),
    )


@bp.post("/orders/<number>/cancel")
@role_required(Role.CONSUMER)
def cancel(number: str) -> Any:
    order_ = _own_order(number)
    return act(
        lambda: after_sales.cancel_order(
            db.session, actor(), order_.id, request.form.get("reason", "")
        ),
        _("The order is cancelled."),
        url_for("orders.order", number=number),
    )


def _sub_target(sub_order_id: int) -> str:
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    return url_for("orders.order", number=sub.order.number)


@bp.post("/orders/parcels/<int:sub_order_id>/cancel")
@role_required(Role.CONSUMER)
def cancel_parcel(sub_order_id: int) -> Any:
    target = _sub_target(sub_order_id)
    return act(
        lambda: after_sales.cancel_sub_order(
            db.session, actor(), sub_order_id, request.form.get("reason", "")
        ),
        _("The parcel is cancelled; the refund is on its way."),
        target,
    )


@bp.post("/orders/parcels/<int:sub_order_id>/receipt")
@role_required(Role.CONSUMER)
def confirm_receipt(sub_order_id: int) -> Any:
    target = _sub_target(sub_order_id)
    return act(
        lambda: lifecycle.complete(db.session, actor(), sub_order_id),
        _("Thank you: receipt confirmed."),
        target,
    )


@bp.post("/orders/parcels/<int:sub_order_id>/return")
@role_required(Role.CONSUMER)
def request_return(sub_order_id: int) -> Any:
    target = _sub_target(sub_order_id)
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    lines = []
    for line in sub.lines:
        units = _int(f"units_{line.id}", 0) or 0
        if units:
            lines.append((line.id, units))
    reason = request.form.get("reason_kind", "")
    return act(
        lambda: after_sales.request_return(
            db.session,
            actor(),
            sub_order_id,
            parse_enum(ReturnReason, reason) or ReturnReason.QUALITY,
            lines,
            request.form.get("reason", ""),
        ),
        _("Return requested: the supplier will answer soon."),
        target,
    )


@bp.post("/orders/parcels/<int:sub_order_id>/claim")
@role_required(Role.CONSUMER)
def file_claim(sub_order_id: int) -> Any:
    target = _sub_target(sub_order_id)
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)

    def run() -> None:
        image_ids = store_claim_photos(db.session, actor(), sub, request.files.getlist("photos"))
        after_sales.file_claim(
            db.session,
            actor(),
            sub_order_id,
            _int("line_id", 0) or 0,
            bad_units=_int("bad_units", 0) or 0,
            requested_fen=_fen(request.form.get("requested", "")),
            description=request.form.get("description", ""),
            image_ids=image_ids,
        )

    return act(run, _("Claim filed with your photos: the supplier will answer soon."), target)


def _fen(text: str) -> int:
    from yipin.money import MoneyError, parse_yuan

    try:
        return parse_yuan(text)
    except MoneyError:
        return 0


@bp.get("/orders/claims/<int:claim_id>/photos/<int:image_id>/<rendition>")
def claim_photo(claim_id: int, image_id: int, rendition: str) -> Any:
    """A claim photo: the buyer, the supplier's staff and operators only."""
    if not current_user.is_authenticated:
        abort(404)
    claim = queries.claim_for(db.session, current_user, claim_id)
    if image_id not in {p.image_id for p in claim.photos}:
        abort(404)
    image = db.session.get(Image, image_id)
    path = images.file_path(image, rendition) if image else None
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ----------------------------------------------------------------------------- addresses


@bp.route("/account/addresses", methods=["GET", "POST"])
@role_required(Role.CONSUMER)
def address_book() -> Any:
    user = actor()
    if request.method == "POST":
        if request.form.get("action") == "delete":
            return act(
                lambda: addresses.delete_address(db.session, user, _int("address_id", 0) or 0),
                _("Address deleted."),
                url_for("orders.address_book"),
            )
        try:
            addresses.add_address(db.session, user, request.form.to_dict())
            commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.text(), "error")
        else:
            flash(_("Address saved."), "success")
            return redirect(request.form.get("next") or url_for("orders.address_book"))
    return render_template(
        "orders/addresses.html", saved=addresses.addresses_of(db.session, user), form=request.form
    )
