"""What the order pages and the API share: the current cart (a consumer's, or a guest's found by
its cookie), merging a guest cart at login, and placing an order as one unit of work."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, Flask, g, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from orders import carts
from orders.checkout import CheckoutRequest, Placed, find_placed, place_order
from orders.errors import PaymentProviderDown
from orders.labels import label
from orders.models import Cart, Order, PaymentProvider, PaymentStatus
from orders.payments import flows
from yipin.accounts.models import Role, User
from yipin.db import commit, db

log = logging.getLogger("yipin.orders")
CART_COOKIE = "yipin_cart"
COOKIE_DAYS = 30


def _guest_token() -> str | None:
    token = request.cookies.get(CART_COOKIE, "")
    return (
        token
        if 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
        else None
    )


def cart_owner() -> tuple[int | None, str | None]:
    """(user id, guest token) of the cart this request uses; consumers only (None, None
    otherwise, and for a guest that has none yet)."""
    if current_user.is_authenticated:
        return (current_user.id, None) if current_user.role == Role.CONSUMER else (None, None)
    return None, _guest_token()


def may_have_cart() -> bool:
    return not current_user.is_authenticated or current_user.role == Role.CONSUMER


def current_cart(*, create: bool = False) -> Cart | None:
    """The cart of this request; ``create`` makes one (a guest gets a cookie)."""
    user_id, token = cart_owner()
    if user_id is None and token is None and not current_user.is_authenticated and create:
        token = carts.new_token()
        g.set_cart_cookie = token
    if user_id is None and token is None:
        return None
    if create:
        return carts.cart_for(db.session, user_id=user_id, token=token)
    return carts.find_cart(db.session, user_id=user_id, token=token)


def place(user: User, cart: Cart, checkout: CheckoutRequest) -> Placed:
    """Place the order and commit; then open its PaymentIntent (no lock held while Stripe
    answers; if Stripe does not answer, the payment page tries again).

    The request's session keeps what it wrote after the commit (``expire_on_commit`` off for
    this unit of work): the answer is built from what was just written instead of reading it
    all back, which keeps checkout at a fixed, small number of statements."""
    db.session().expire_on_commit = False
    for attempt in range(3):
        try:
            placed = place_order(db.session, user, cart, checkout)
            commit()
            break
        except OperationalError as exc:
            # SQLite (embedded) refuses a writer that would deadlock: run the unit again
            db.session.rollback()
            if "locked" not in str(exc) or attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))
            cart = db.session.get(Cart, cart.id) or cart
        except IntegrityError:
            # the same idempotency key placed concurrently (a double click), or a number clash
            db.session.rollback()
            existing = find_placed(db.session, user.id, checkout.idempotency_key)
            if existing is not None:
                return Placed(existing, False)
            if attempt == 2:
                raise
            cart = db.session.get(Cart, cart.id) or cart
    if placed.created:
        open_intent(placed.order)
    return placed


def open_intent(order: Order) -> None:
    for payment in order.payments:
        if payment.provider == PaymentProvider.STRIPE and payment.status == PaymentStatus.CREATING:
            try:
                flows.create_intent(payment.id)
            except PaymentProviderDown:
                db.session.rollback()
                log.warning("order %s: Stripe did not answer; the payment page retries", order.id)
            return


# ----------------------------------------------------------------------------- hooks

bp = Blueprint("orders_cart_hooks", __name__)


bp.add_app_template_global(label, "order_label")


@bp.before_app_request
def merge_guest_cart() -> None:
    """A guest who logs in brings the cart along (merged once, then the cookie goes)."""
    token = _guest_token()
    if token is None or not current_user.is_authenticated or g.get("token_auth"):
        return
    if current_user.role == Role.CONSUMER:
        try:
            carts.merge_guest_cart(db.session, token, current_user.id)
            commit()
        except Exception:  # a merge must never break the page; the guest cart stays
            db.session.rollback()
            log.warning("guest cart merge failed", exc_info=True)
            return
    g.drop_cart_cookie = True


@bp.after_app_request
def cart_cookie(response: Any) -> Any:
    if g.get("set_cart_cookie"):
        response.set_cookie(
            CART_COOKIE,
            g.set_cart_cookie,
            max_age=COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=bool(_app().config.get("SESSION_COOKIE_SECURE")),
        )
    elif g.get("drop_cart_cookie"):
        response.delete_cookie(CART_COOKIE)
    return response


def _app() -> Flask:
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
