"""The only module that imports the Stripe SDK. One wrapper per call, pinned API version, an
idempotency key on every call that creates or changes something at Stripe.

Amounts are CNY fen (Stripe's smallest unit of CNY). The rest of the code sees plain dataclasses
and ``GatewayError``, never a Stripe object. Webhook signatures are verified here too, against
``yipin.clock`` (so tests can age a timestamp without sleeping).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from flask import Flask, current_app

from yipin import clock

STRIPE_API_VERSION = "2024-06-20"
CURRENCY = "cny"
WEBHOOK_TOLERANCE_SECONDS = 300


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("STRIPE_SECRET_KEY"))


def client(app: Flask | None = None) -> stripe.StripeClient:
    """A StripeClient for the app's keys (stripe-mock in tests via ``STRIPE_API_BASE``)."""
    app = app or current_app
    existing = app.extensions.get("yipin_stripe")
    if existing is not None:
        return existing
    base = app.config.get("STRIPE_API_BASE")
    kwargs: dict[str, Any] = {"stripe_version": STRIPE_API_VERSION, "max_network_retries": 2}
    if base:
        kwargs["base_addresses"] = {"api": base}
    new = stripe.StripeClient(app.config["STRIPE_SECRET_KEY"], **kwargs)
    app.extensions["yipin_stripe"] = new
    return new


def ping(app: Flask) -> dict[str, Any]:
    """Health of the payments component."""
    if not enabled(app):
        return {"ok": True, "mode": "embedded", "backend": "offline (bank transfer, COD)"}
    try:
        client(app).v1.balance.retrieve()
        return {"ok": True, "mode": "real", "backend": "stripe"}
    except Exception as exc:  # health reports, never raises
        return {"ok": False, "mode": "real", "backend": "stripe", "error": str(exc)}


class GatewayError(Exception):
    """Stripe refused or did not answer. ``retryable``: a network or server problem."""

    def __init__(self, message: str, *, code: str | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise GatewayError(str(exc), code="unavailable", retryable=True) from exc
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None) or 0
        code = getattr(exc, "code", None) or type(exc).__name__
        raise GatewayError(str(exc), code=str(code), retryable=status >= 500) from exc


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount_fen: int
    currency: str
    client_secret: str | None
    method_types: tuple[str, ...]
    next_action_url: str | None = None


def _intent(obj: Any) -> Intent:
    action = getattr(obj, "next_action", None)
    url = None
    if action is not None:
        redirect = getattr(action, "redirect_to_url", None) or (
            action.get("redirect_to_url") if hasattr(action, "get") else None
        )
        if redirect is not None:
            url = redirect.get("url") if hasattr(redirect, "get") else None
    return Intent(
        id=obj.id,
        status=obj.status,
        amount_fen=int(obj.amount),
        currency=str(obj.currency),
        client_secret=getattr(obj, "client_secret", None),
        method_types=tuple(getattr(obj, "payment_method_types", ()) or ()),
        next_action_url=url,
    )


def create_intent(
    amount_fen: int, methods: list[str], metadata: dict[str, str], idempotency_key: str
) -> Intent:
    """A PaymentIntent in CNY offering ``methods`` (card, alipay, wechat_pay)."""
    params: dict[str, Any] = {
        "amount": amount_fen,
        "currency": CURRENCY,
        "payment_method_types": methods,
        "metadata": metadata,
        "description": metadata.get("order_number", ""),
    }
    if "wechat_pay" in methods:
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    obj = _call(
        client().v1.payment_intents.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return _intent(obj)


def confirm_intent(
    intent_id: str,
    method: str,
    idempotency_key: str,
    *,
    payment_method_id: str | None = None,
    return_url: str | None = None,
) -> Intent:
    """Confirm server-side with a payment method of ``method``'s type (a card's PaymentMethod
    id from Stripe.js or a native SDK; Alipay and WeChat Pay redirect or show a QR code)."""
    params: dict[str, Any] = {}
    if payment_method_id:
        params["payment_method"] = payment_method_id
    else:
        params["payment_method_data"] = {"type": method}
    if method == "wechat_pay":
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    if return_url and method != "wechat_pay":
        params["return_url"] = return_url
    obj = _call(
        client().v1.payment_intents.confirm,
        intent_id,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return _intent(obj)


def retrieve_intent(intent_id: str) -> Intent:
    return _intent(_call(client().v1.payment_intents.retrieve, intent_id))


def cancel_intent(intent_id: str, idempotency_key: str) -> Intent:
    obj = _call(
        client().v1.payment_intents.cancel,
        intent_id,
        params={"cancellation_reason": "abandoned"},
        options={"idempotency_key": idempotency_key},
    )
    return _intent(obj)


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str  # pending, requires_action, succeeded, failed, canceled
    amount_fen: int


def create_refund(
    intent_id: str, amount_fen: int, metadata: dict[str, str], idempotency_key: str
) -> RefundResult:
    obj = _call(
        client().v1.refunds.create,
        params={"payment_intent": intent_id, "amount": amount_fen, "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )
    return RefundResult(id=obj.id, status=str(obj.status), amount_fen=int(obj.amount))


# ----------------------------------------------------------------------------- webhooks


class SignatureError(Exception):
    """``reason``: missing, malformed, stale or mismatch."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(payload: bytes, secret: str, at: datetime | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (tests and the seed sign events this way)."""
    timestamp = int((at or clock.now()).timestamp())
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_event(
    payload: bytes, header: str | None, secret: str, tolerance: int = WEBHOOK_TOLERANCE_SECONDS
) -> dict[str, Any]:
    """The event, if ``header`` signs ``payload`` with ``secret`` within ``tolerance`` seconds
    of now (Stripe's scheme: HMAC-SHA256 of ``"{t}.{payload}"``, any ``v1`` may match)."""
    if not header:
        raise SignatureError("missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("malformed")
    if abs(clock.now().timestamp() - timestamp) > tolerance:
        raise SignatureError("stale")
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureError("mismatch")
    try:
        event = json.loads(payload)
    except ValueError:
        raise SignatureError("malformed") from None
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise SignatureError("malformed")
    return event
