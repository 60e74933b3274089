"""Suppliers JSON API: applications, verification, profile, staff and invitations.

Access: operators see and change everything; a supplier's staff see their own supplier (another
supplier's records answer 404) and only its owner changes it (403 for the other staff); bureau
accounts read suppliers in their region and their history; consumers get 403.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from suppliers import actions, queries
from suppliers.models import Supplier, SupplierStatusChange
from suppliers.schemas import (
    ApplicationResultSchema,
    ApplicationSchema,
    InvitationAcceptSchema,
    InvitationCreateSchema,
    InvitationSchema,
    LicenceFilesSchema,
    NewInvitationSchema,
    StaffCreateSchema,
    StatusChangeSchema,
    SupplierFieldsSchema,
    SupplierListArgs,
    SupplierSchema,
    SupplierUpdateSchema,
    VerificationSchema,
)
from yipin.accounts.models import Role, User
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.accounts.schemas import ActiveSchema, UserSchema
from yipin.config import platform_region
from yipin.db import commit, db
from yipin.errors import Forbidden
from yipin.extensions import limiter

blp = Blueprint("suppliers_api", __name__, description="Suppliers (合作社 / 家庭农场 / 企业)")


def _drafts(data: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """Action arguments from a multipart body."""
    food_image = files.get("food_licence_image")
    licence = files.get("licence_image")
    return {
        "draft": actions.SupplierDraft(
            name=data["name"],
            kind=data["kind"],
            uscc=data["uscc"],
            legal_representative=data["legal_representative"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email"),
            region_code=data["region_code"],
            registered_on=data["registered_on"],
            main_category_ids=data["main_category_ids"],
            is_leading_enterprise=data.get("is_leading_enterprise", False),
            address_detail=data.get("address_detail", ""),
            introduction=data.get("introduction", ""),
        ),
        "licence_image": licence.stream if licence and licence.filename else None,
        "food_licence": actions.FoodLicenceDraft(
            number=data.get("food_licence_number") or "",
            issuer=data.get("food_licence_issuer") or "",
            valid_from=data.get("food_licence_valid_from"),
            valid_to=data.get("food_licence_valid_to"),
            image=food_image.stream if food_image and food_image.filename else None,
        ),
        "platform_region": platform_region(),
    }


# ----------------------------------------------------------------------------- suppliers


@blp.route("")
class Suppliers(MethodView):
    @blp.arguments(SupplierListArgs, location="query")
    @blp.response(200, SupplierSchema(many=True))
    @blp.paginate()
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Supplier]:
        """Suppliers the caller may see: all (operators), own (staff), own region (bureau).

        Pending applications come first (oldest first), like the console's queue."""
        flt = queries.QueueFilter(
            status=args["status"], county=args["county"], kind=args["kind"], q=args["q"]
        )
        stmt = queries.queue_order(
            supplier_scope(queries.filtered(sa.select(Supplier), flt), Supplier.id)
        )
        page = queries.paginate(
            db.session, stmt, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = page.total
        return page.items


@blp.route("/applications")
class Applications(MethodView):
    @blp.arguments(ApplicationSchema, location="form")
    @blp.arguments(LicenceFilesSchema, location="files")
    @blp.response(201, ApplicationResultSchema)
    @limiter.limit("30 per hour")
    def post(self, data: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        """Register a supplier and its owner (multipart/form-data with the licence images).

        The supplier starts as ``pending``; an operator verifies it."""
        supplier = actions.apply(
            db.session,
            account=actions.AccountDraft(
                login=data["login"], password=data["password"], display_name=data["display_name"]
            ),
            **_drafts(data, files),
        )
        owner = actions.owner_of(db.session, supplier.id)
        commit()
        return {"supplier": supplier, "owner": owner}


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
        """Update contact details, address detail and introduction (the owner or an operator).

        The name, credit code, kind and licences change only by resubmitting while rejected."""
        load(Supplier, supplier_id, change=True)
        supplier = actions.update_profile(db.session, actor(), supplier_id, data)
        commit()
        return supplier


@blp.route("/<int:supplier_id>/resubmission")
class Resubmission(MethodView):
    @blp.arguments(SupplierFieldsSchema, location="form")
    @blp.arguments(LicenceFilesSchema, location="files")
    @blp.response(200, SupplierSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, data: dict[str, Any], files: dict[str, Any], supplier_id: int) -> Supplier:
        """The owner of a rejected supplier sends the corrected application (→ pending)."""
        load(Supplier, supplier_id, change=True)
        supplier = actions.resubmit(db.session, actor(), supplier_id, **_drafts(data, files))
        commit()
        return supplier


@blp.route("/<int:supplier_id>/verification")
class Verification(MethodView):
    @blp.arguments(VerificationSchema)
    @blp.response(200, SupplierSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, data: dict[str, Any], supplier_id: int) -> Supplier:
        """Verify, reject, suspend or restore (operators). A reason is required to reject or
        suspend; a transition the state machine does not allow answers 409."""
        load(Supplier, supplier_id)
        supplier = actions.change_status(
            db.session, actor(), supplier_id, data["action"], data["reason"]
        )
        commit()
        return supplier


@blp.route("/<int:supplier_id>/history")
class History(MethodView):
    @blp.response(200, StatusChangeSchema(many=True))
    @role_required(Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
    def get(self, supplier_id: int) -> list[dict[str, Any]]:
        """Every status change: from, to, why, who and when (oldest first)."""
        load(Supplier, supplier_id)
        viewer = actor()
        return [_change(c, viewer) for c in queries.history(db.session, supplier_id)]


def _change(change: SupplierStatusChange, viewer: User) -> dict[str, Any]:
    who = change.actor
    named = who is not None and (viewer.is_operator or who.supplier_id == viewer.supplier_id)
    return {
        "id": change.id,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "reason": change.reason,
        "at": change.at,
        "actor_id": who.id if who and named else None,
        "actor_name": who.display_name if who and named else None,
        "actor_role": str(who.role) if who else None,
    }


# ----------------------------------------------------------------------------- staff


def _staff_reader(supplier_id: int) -> Supplier:
    """Operators and the supplier's own staff (not bureau: staff lists are personal data)."""
    supplier = load(Supplier, supplier_id)
    if actor().is_bureau:
        raise Forbidden()
    return supplier


@blp.route("/<int:supplier_id>/staff")
class Staff(MethodView):
    @blp.response(200, UserSchema(many=True))
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, supplier_id: int) -> list[User]:
        """The supplier's accounts, the owner first, active before inactive."""
        _staff_reader(supplier_id)
        return queries.staff_of(db.session, supplier_id)

    @blp.arguments(StaffCreateSchema)
    @blp.response(201, UserSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, data: dict[str, Any], supplier_id: int) -> User:
        """Create a staff account directly (the owner or an operator)."""
        load(Supplier, supplier_id, change=True)
        user = actions.add_staff(db.session, actor(), supplier_id, **data)
        commit()
        return user


@blp.route("/<int:supplier_id>/staff/<int:user_id>/active")
class StaffActive(MethodView):
    @blp.arguments(ActiveSchema)
    @blp.response(200, UserSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def put(self, data: dict[str, Any], supplier_id: int, user_id: int) -> User:
        """Deactivate (logs them out) or reactivate a staff member."""
        load(Supplier, supplier_id, change=True)
        user = actions.set_staff_active(
            db.session, actor(), supplier_id, user_id, data["is_active"]
        )
        commit()
        return user


@blp.route("/<int:supplier_id>/invitations")
class Invitations(MethodView):
    @blp.response(200, InvitationSchema(many=True))
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, supplier_id: int) -> list[Any]:
        """Recent invitations with their state (open / accepted / revoked / expired)."""
        _staff_reader(supplier_id)
        return queries.invitations_of(db.session, supplier_id)

    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, NewInvitationSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, data: dict[str, Any], supplier_id: int) -> Any:
        """Invite a staff member: the code and link are in this response only (valid 7 days)."""
        load(Supplier, supplier_id, change=True)
        invitation, code = actions.invite_staff(db.session, actor(), supplier_id, **data)
        commit()
        invitation.code = code  # type: ignore[attr-defined]  (dumped once, never stored)
        invitation.link = url_for("suppliers_portal.join", code=code, _external=True)  # type: ignore[attr-defined]
        return invitation


@blp.route("/<int:supplier_id>/invitations/<int:invitation_id>")
class InvitationById(MethodView):
    @blp.response(204)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def delete(self, supplier_id: int, invitation_id: int) -> None:
        """Revoke an invitation: its link stops working."""
        load(Supplier, supplier_id, change=True)
        actions.revoke_invitation(db.session, actor(), supplier_id, invitation_id)
        commit()


@blp.route("/invitations/accept")
class InvitationAccept(MethodView):
    @blp.arguments(InvitationAcceptSchema)
    @blp.response(201, UserSchema)
    @limiter.limit("20 per minute")
    def post(self, data: dict[str, Any]) -> User:
        """Accept an invitation with its code: creates the staff account (then log in)."""
        code = data.pop("code")
        user = actions.accept_invitation(db.session, code, **data)
        commit()
        return user
