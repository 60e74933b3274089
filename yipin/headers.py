"""Security headers on every response: Content-Security-Policy, HSTS, Permissions-Policy & co.

The policy allows scripts only from this site and, for a ``<script>`` written in a template,
with this response's nonce (``<script nonce="{{ csp_nonce() }}">``); no inline event handlers,
no ``javascript:`` URLs, no ``eval``. Style sheets come from this site; ``style="…"``
attributes are allowed (``style-src-attr``), ``<style>`` elements are not. Images may be
``data:`` and ``blob:`` URLs (QR codes, previews of an upload). Nothing may frame the site
but itself.

A page that needs another origin says so with ``content_security(...)`` on its view, e.g. the
payment page::

    @bp.get("/orders/<number>/pay")
    @content_security(**STRIPE_JS)
    def pay(number): ...

``STRIPE_JS`` adds what Stripe.js needs (its script and frames, its API) and lets its frames
use the Payment Request API; no other page can load it.

HSTS (two years, subdomains) is sent when cookies are secure (``ENV_NAME=production`` or
``SECURE_COOKIES``), i.e. when the site is served over HTTPS.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request

F = TypeVar("F", bound=Callable[..., Any])
NONCE = "'nonce-{nonce}'"

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'", NONCE),
    "style-src": ("'self'",),
    "style-src-attr": ("'unsafe-inline'",),
    "img-src": ("'self'", "data:", "blob:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "frame-src": ("'none'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'self'",),
}
PERMISSIONS: dict[str, str] = {
    "accelerometer": "()",
    "camera": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
}
HSTS = "max-age=63072000; includeSubDomains"

# Stripe.js (https://docs.stripe.com/security/guide#content-security-policy)
STRIPE_JS: dict[str, Any] = {
    "script_src": ("https://js.stripe.com",),
    "frame_src": ("https://js.stripe.com", "https://hooks.stripe.com"),
    "connect_src": ("https://api.stripe.com",),
    "permissions": {"payment": '(self "https://js.stripe.com")'},
}


def csp_nonce() -> str:
    """This response's nonce (templates: ``<script nonce="{{ csp_nonce() }}">``)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security(
    *, permissions: Mapping[str, str] | None = None, **sources: Sequence[str]
) -> Callable[[F], F]:
    """Widen the policy for one view: ``script_src=("https://js.stripe.com",)`` adds to
    ``script-src``; ``permissions={"payment": "(self)"}`` replaces a Permissions-Policy entry."""
    extra = {name.replace("_", "-"): tuple(values) for name, values in sources.items()}
    unknown = set(extra) - set(POLICY)
    if unknown:
        raise ValueError(f"not a directive of the policy: {sorted(unknown)}")

    def decorate(view: F) -> F:
        view._content_security = (extra, dict(permissions or {}))  # type: ignore[attr-defined]
        return view

    return decorate


def _view_extras() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    view = current_app.view_functions.get(request.endpoint or "")
    found = getattr(view, "_content_security", None)
    if found is None:
        # a MethodView's method may carry it
        cls = getattr(view, "view_class", None)
        method = getattr(cls, request.method.lower(), None) if cls else None
        found = getattr(method, "_content_security", None)
    return found or ({}, {})


def policy_header(extra: Mapping[str, Sequence[str]] | None = None) -> str:
    nonce = csp_nonce()
    parts = []
    for directive, values in POLICY.items():
        sources = list(values)
        added = list((extra or {}).get(directive, ()))
        if added and sources == ["'none'"]:
            sources = []
        sources += [s for s in added if s not in sources]
        parts.append(" ".join([directive, *(s.format(nonce=nonce) for s in sources)]))
    return "; ".join(parts)


def permissions_header(override: Mapping[str, str] | None = None) -> str:
    entries = {**PERMISSIONS, **(override or {})}
    return ", ".join(f"{feature}={allow}" for feature, allow in entries.items())


# Raster pictures run no script and frame nothing: the document policies (CSP, Permissions-
# Policy, framing) mean nothing on them, and a phone's home page loads two dozen of them
# (about 470 bytes each). SVG is a document that may hold script, so it keeps them.
RASTER_IMAGES = frozenset({"image/webp", "image/jpeg", "image/png", "image/gif", "image/avif"})


def set_headers(response: Response) -> Response:
    headers = response.headers
    if response.mimetype not in RASTER_IMAGES:
        extra, permissions = _view_extras()
        headers.setdefault("Content-Security-Policy", policy_header(extra))
        headers.setdefault("Permissions-Policy", permissions_header(permissions))
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_headers)
