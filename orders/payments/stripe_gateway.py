"""The only module that imports the Stripe SDK. One wrapper per call, pinned API version."""

from __future__ import annotations

from typing import Any

import stripe
from flask import Flask, current_app

STRIPE_API_VERSION = "2024-06-20"


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
