"""The world every API contract run starts from: one of each role, a supplier with a little
catalog (listed product, variant, batch, certificate, warehouse, stock, an image), a paid
order, and a bearer token per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

from tests import factories
from tests.conftest import PASSWORD
from yipin.db import db

ROLES = ("operator", "supplier", "consumer", "bureau")


@dataclass
class World:
    tokens: dict[str, str]  # role → bearer token
    logins: dict[str, str]  # role → login
    product_id: int
    variant_id: int
    batch_code: str


def build_world(app: Flask) -> World:
    """Create the world in the app's database (reference data included) and sign everybody in."""
    from catalog.reference import load_reference

    load_reference(db.session)
    operator = factories.operator()
    owner = factories.supplier_staff(owner=True)
    supplier = owner.supplier
    factories.authorise(supplier)
    bureau = factories.bureau()
    consumer = factories.consumer()
    product = factories.ProductFactory(supplier=supplier)
    variant = factories.VariantFactory(product=product)
    batch = factories.BatchFactory(variant=variant)
    factories.CertificationFactory(supplier=supplier)
    factories.StockFactory(variant=variant, warehouse=factories.WarehouseFactory())
    factories.paid_order(consumer, [(variant, 1, batch)])
    db.session.commit()
    users = {"operator": operator, "supplier": owner, "consumer": consumer, "bureau": bureau}
    client = app.test_client()
    tokens = {}
    for role, user in users.items():
        response = client.post(
            "/api/v1/auth/tokens", json={"login": user.login, "password": PASSWORD}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        tokens[role] = response.json["token"]
    return World(
        tokens=tokens,
        logins={role: user.login for role, user in users.items()},
        product_id=product.id,
        variant_id=variant.id,
        batch_code=batch.code,
    )


def as_json(world: World) -> dict[str, Any]:
    return {"tokens": world.tokens, "product_id": world.product_id}
