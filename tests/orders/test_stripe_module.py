"""The Stripe SDK is imported in exactly one module, with a pinned API version; every call that
creates or changes something at Stripe carries an idempotency key."""

from __future__ import annotations

import ast
from pathlib import Path

from orders.payments import stripe_gateway

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "yipin",
    "suppliers",
    "catalog",
    "fulfillment",
    "orders",
    "search",
    "storefront",
    "console",
    "bureau",
    "bench",
]


def test_only_the_gateway_imports_stripe():
    importers = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                if any(n == "stripe" or n.startswith("stripe.") for n in names):
                    importers.append(str(path.relative_to(ROOT)))
    assert importers == ["orders/payments/stripe_gateway.py"]
    assert stripe_gateway.STRIPE_API_VERSION == "2024-06-20"


def test_every_creating_call_passes_an_idempotency_key():
    tree = ast.parse(Path(stripe_gateway.__file__).read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_call"
    ]
    changing = [
        c for c in calls if ast.unparse(c.args[0]).split(".")[-1] in ("create", "confirm", "cancel")
    ]
    assert len(changing) == 4  # intent create, confirm, cancel; refund create
    for call in changing:
        options = next(k for k in call.keywords if k.arg == "options")
        assert "idempotency_key" in ast.unparse(options.value)
