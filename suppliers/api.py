"""Suppliers JSON API."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from suppliers.models import Supplier
from suppliers.schemas import SupplierSchema, SupplierUpdateSchema
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db
from yipin.errors import Forbidden

blp = Blueprint("suppliers_api", __name__, description="Suppliers (合作社 / 家庭农场 / 企业)")


@blp.route("")
class Suppliers(MethodView):
    @blp.response(200, SupplierSchema(many=True))
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self) -> list[Supplier]:
        """Suppliers the caller may see: all (operators), own (staff), own region (bureau)."""
        stmt = supplier_scope(sa.select(Supplier).order_by(Supplier.id), Supplier.id)
        return list(db.session.scalars(stmt))


@blp.route("/<int:supplier_id>")
class SupplierById(MethodView):
    @blp.response(200, SupplierSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, supplier_id: int) -> Supplier:
        """One supplier."""
        return load(Supplier, supplier_id)

    @blp.arguments(SupplierUpdateSchema)
    @blp.response(200, SupplierSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def patch(self, data: dict[str, Any], supplier_id: int) -> Supplier:
        """Update contact details and introduction (the owner or an operator)."""
        supplier = load(Supplier, supplier_id, change=True)
        user = actor()
        if user.role == Role.SUPPLIER and not user.is_supplier_owner:
            raise Forbidden()
        for key, value in data.items():
            setattr(supplier, key, value)
        commit()
        return supplier
