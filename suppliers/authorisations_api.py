"""Brand authorisations JSON API (品牌授权): operators grant and revoke; suppliers read their
own; bureau accounts read those of suppliers in their region."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from suppliers import actions, queries
from suppliers.models import BrandAuthorisation
from suppliers.schemas import (
    AuthorisationCreateSchema,
    AuthorisationListArgs,
    AuthorisationSchema,
    RevokeSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db

blp = Blueprint(
    "brand_authorisations_api",
    __name__,
    description="Brand authorisations: who may use which regional public brand, and when",
)


@blp.route("")
class Authorisations(MethodView):
    @blp.arguments(AuthorisationListArgs, location="query")
    @blp.response(200, AuthorisationSchema(many=True))
    @blp.paginate()
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[BrandAuthorisation]:
        """Authorisations the caller may see, newest first; filter by supplier, brand, state."""
        flt = queries.AuthorisationFilter(
            supplier_id=args["supplier_id"], brand_id=args["brand_id"], state=args["state"]
        )
        stmt = supplier_scope(queries.authorisations_stmt(flt), BrandAuthorisation.supplier_id)
        page = queries.paginate(
            db.session, stmt, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = page.total
        return page.items

    @blp.arguments(AuthorisationCreateSchema)
    @blp.response(201, AuthorisationSchema)
    @role_required(Role.OPERATOR)
    def post(self, data: dict[str, Any]) -> BrandAuthorisation:
        """Grant a supplier the use of a brand from ``valid_from`` to ``valid_to`` (inclusive).

        An overlapping live authorisation for the same supplier and brand answers 409."""
        auth = actions.grant_authorisation(db.session, actor(), **data)
        commit()
        return auth


@blp.route("/<int:authorisation_id>")
class AuthorisationById(MethodView):
    @blp.response(200, AuthorisationSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, authorisation_id: int) -> BrandAuthorisation:
        """One authorisation."""
        return load(BrandAuthorisation, authorisation_id)

    @blp.arguments(RevokeSchema)
    @blp.response(200, AuthorisationSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def delete(self, data: dict[str, Any], authorisation_id: int) -> BrandAuthorisation:
        """Revoke (operators), with a reason the supplier sees. The record is kept."""
        load(BrandAuthorisation, authorisation_id)
        auth = actions.revoke_authorisation(db.session, actor(), authorisation_id, data["reason"])
        commit()
        return auth
