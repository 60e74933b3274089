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

from suppliers import actions, queries
from suppliers.models import Supplier, SupplierStatusChange
from suppliers.schemas import (
    ApplicationFormSchema,
    ApplicationResultSchema,
    InvitationAcceptSchema,
    InvitationCreateSchema,
    InvitationSchema,
    NewInvitationSchema,
    ResubmissionFormSchema,
    StaffCreateSchema,
    StatusChangeSchema,
    SupplierListArgs,
    SupplierSchema,
    SupplierUpdateSchema,
    VerificationSchema,
)
from yipin.accounts.models import Role, User
from yipin.accounts.permissions import actor, load, supplier_scope
from yipin.accounts.schemas import ActiveSchema, UserSchema
from yipin.api import Blueprint, page_of
from yipin.config import platform_region
from yipin.db import commit, db
from yipin.errors import Forbidden
from yipin.extensions import limiter

blp = Blueprint(
    "suppliers_api",
    __name__,
    description="Suppliers: applications, verification, profile, staff and invitations"
    " · 供应商（合作社 / 家庭农场 / 企业）：入驻申请、审核、资料、员工与邀请",
)
READERS = (Role.OPERATOR, Role.SUPPLIER, Role.BUREAU)
KEEPERS = (Role.OPERATOR, Role.SUPPLIER)
APPLICATION_RULES = (
    "The credit code's check character is right and its entity type fits the kind"
    " (cooperatives 93, enterprises 91 or 92 …), and no other supplier has it or the name"
    " · 信用代码校验位正确且主体类型与供应商类型相符，且代码与名称未被占用",
    "The village lies in the platform's region · 所在村须在平台服务地区内",
    "Registered on a past day · 成立日期不晚于今天",
    "The main categories exist; one that needs a food production licence (SC) needs its"
    " number, issuer, validity and photo · 主营类目须存在；需要食品生产许可证的类目须提供许可证",
    "The business licence photo is a JPEG, PNG or WebP image · 营业执照照片须为 JPEG、PNG 或 WebP",
)


def _drafts(data: dict[str, Any]) -> dict[str, Any]:
    """Action arguments from a multipart body."""
    food_image = data.get("food_licence_image")
    licence = data.get("licence_image")
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
    @blp.login_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Supplier]:
        """Suppliers · 供应商列表

        The suppliers the caller may see: all (operators), their own (supplier staff), those
        in their region (bureau). Pending applications come first, oldest first, like the
        console's queue.

        调用者可见的供应商：运营可见全部，供应商员工可见本供应商，商务局可见辖区内的供应商。
        待审核的申请排在前面（先到先审）。"""
        flt = queries.QueueFilter(
            status=args["status"], county=args["county"], kind=args["kind"], q=args["q"]
        )
        stmt = queries.queue_order(
            supplier_scope(queries.filtered(sa.select(Supplier), flt), Supplier.id)
        )
        return page_of(stmt, pagination_parameters)


@blp.route("/applications")
class Applications(MethodView):
    @blp.arguments(ApplicationFormSchema, location="multipart")
    @blp.response(201, ApplicationResultSchema)
    @blp.errors((409, "The login is taken · 该账号已注册"), 413, 429)
    @blp.rules(*APPLICATION_RULES)
    @blp.public
    @limiter.limit("30 per hour")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply to sell on the platform · 供应商入驻申请

        Register a supplier and its owner's account in one multipart/form-data request with
        the licence images. The supplier starts ``pending``; an operator verifies it. At most
        30 applications an hour from one address (then 429).

        以 multipart/form-data 一次提交供应商信息、负责人账号和证照图片。提交后状态为
        “待审核”，由平台运营审核。同一地址每小时最多 30 份申请。"""
        supplier = actions.apply(
            db.session,
            account=actions.AccountDraft(
                login=data["login"], password=data["password"], display_name=data["display_name"]
            ),
            **_drafts(data),
        )
        owner = actions.owner_of(db.session, supplier.id)
        commit()
        return {"supplier": supplier, "owner": owner}


@blp.route("/<int:supplier_id>")
class SupplierById(MethodView):
    @blp.response(200, SupplierSchema)
    @blp.login_required(*READERS)
    def get(self, supplier_id: int) -> Supplier:
        """One supplier · 供应商详情

        A supplier the caller may see (another supplier's answers 404).

        调用者可见的某一供应商（其他供应商的记录返回 404）。"""
        return load(Supplier, supplier_id)

    @blp.arguments(
        SupplierUpdateSchema,
        example={
            "contact_phone": "13907971234",
            "introduction": "寻乌县脐橙专业合作社，社员 86 户。",
        },
    )
    @blp.response(200, SupplierSchema)
    @blp.login_required(*KEEPERS)
    def patch(self, data: dict[str, Any], supplier_id: int) -> Supplier:
        """Update a supplier's profile · 修改供应商资料

        Contact details, address detail and introduction (the owner or an operator). The
        name, credit code, kind and licences change only by resubmitting while rejected.

        负责人或运营可修改联系人、详细地址和简介；名称、信用代码、类型和证照只能在被驳回后
        重新提交申请时修改。"""
        load(Supplier, supplier_id, change=True)
        supplier = actions.update_profile(db.session, actor(), supplier_id, data)
        commit()
        return supplier


@blp.route("/<int:supplier_id>/resubmission")
class Resubmission(MethodView):
    @blp.arguments(ResubmissionFormSchema, location="multipart")
    @blp.response(200, SupplierSchema)
    @blp.errors((409, "Only a rejected supplier resubmits · 仅被驳回的供应商可重新提交"), 413)
    @blp.rules(*APPLICATION_RULES)
    @blp.login_required(*KEEPERS)
    def post(self, data: dict[str, Any], supplier_id: int) -> Supplier:
        """Resubmit a rejected application · 重新提交被驳回的申请

        The owner of a rejected supplier sends the corrected application (multipart, with
        the licence images); it goes back to ``pending``.

        被驳回供应商的负责人提交更正后的申请（含证照图片），状态回到“待审核”。"""
        load(Supplier, supplier_id, change=True)
        supplier = actions.resubmit(db.session, actor(), supplier_id, **_drafts(data))
        commit()
        return supplier


@blp.route("/<int:supplier_id>/verification")
class Verification(MethodView):
    @blp.arguments(VerificationSchema, example={"action": "verify"})
    @blp.response(200, SupplierSchema)
    @blp.errors((409, "The supplier's status does not allow this · 当前状态不允许此操作"))
    @blp.rules("Rejecting and suspending need a reason · 驳回和暂停须填写原因")
    @blp.login_required(*KEEPERS)
    def post(self, data: dict[str, Any], supplier_id: int) -> Supplier:
        """Verify, reject, suspend or restore a supplier · 审核供应商

        Operators move a supplier through verification: ``verify``, ``reject`` and
        ``suspend`` (with a reason the supplier sees), ``restore``. A transition the status
        does not allow answers 409.

        Supplier staff get 404 for another supplier and 403 for their own.

        平台运营审核供应商：通过、驳回、暂停（须填写供应商可见的原因）、恢复。当前状态不允许的
        操作返回 409。供应商员工对其他供应商返回 404，对本供应商返回 403。"""
        load(Supplier, supplier_id)
        supplier = actions.change_status(
            db.session, actor(), supplier_id, data["action"], data["reason"]
        )
        commit()
        return supplier


@blp.route("/<int:supplier_id>/history")
class History(MethodView):
    @blp.response(200, StatusChangeSchema(many=True))
    @blp.login_required(*READERS)
    def get(self, supplier_id: int) -> list[dict[str, Any]]:
        """A supplier's status history · 状态变更记录

        Every status change, oldest first: from, to, why, who and when (operators' names are
        shown to operators only).

        每次状态变更（按时间先后）：原状态、新状态、原因、操作人和时间。"""
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
    @blp.login_required(*KEEPERS)
    def get(self, supplier_id: int) -> list[User]:
        """A supplier's staff · 供应商员工

        The supplier's accounts, the owner first, active before inactive (operators and the
        supplier's own staff; staff lists are personal data, so not bureau staff).

        供应商的账号，负责人在前，在用的在前（运营和本供应商员工可见，商务局不可见）。"""
        _staff_reader(supplier_id)
        return queries.staff_of(db.session, supplier_id)

    @blp.arguments(
        StaffCreateSchema,
        example={"login": "13907972222", "password": "Gannan2026", "display_name": "钟小梅"},
    )
    @blp.response(201, UserSchema)
    @blp.errors((409, "The login is taken · 该账号已注册"))
    @blp.login_required(*KEEPERS)
    def post(self, data: dict[str, Any], supplier_id: int) -> User:
        """Add a staff account · 添加员工账号

        The supplier's owner (or an operator) creates a staff account directly.

        负责人（或运营）直接为供应商创建员工账号。"""
        load(Supplier, supplier_id, change=True)
        user = actions.add_staff(db.session, actor(), supplier_id, **data)
        commit()
        return user


@blp.route("/<int:supplier_id>/staff/<int:user_id>/active")
class StaffActive(MethodView):
    @blp.arguments(ActiveSchema, example={"is_active": False})
    @blp.response(200, UserSchema)
    @blp.login_required(*KEEPERS)
    def put(self, data: dict[str, Any], supplier_id: int, user_id: int) -> User:
        """Deactivate or reactivate a staff member · 停用或启用员工

        Deactivating signs the member out everywhere; the owner cannot be deactivated here.

        停用后该员工的所有会话立即失效；负责人不能在此停用。"""
        load(Supplier, supplier_id, change=True)
        user = actions.set_staff_active(
            db.session, actor(), supplier_id, user_id, data["is_active"]
        )
        commit()
        return user


@blp.route("/<int:supplier_id>/invitations")
class Invitations(MethodView):
    @blp.response(200, InvitationSchema(many=True))
    @blp.login_required(*KEEPERS)
    def get(self, supplier_id: int) -> list[Any]:
        """A supplier's invitations · 员工邀请

        Recent invitations with their state: open, accepted, revoked or expired.

        最近的员工邀请及其状态：有效、已接受、已撤销或已过期。"""
        _staff_reader(supplier_id)
        return queries.invitations_of(db.session, supplier_id)

    @blp.arguments(
        InvitationCreateSchema, example={"display_name": "钟小梅", "phone": "13907972222"}
    )
    @blp.response(201, NewInvitationSchema)
    @blp.login_required(*KEEPERS)
    def post(self, data: dict[str, Any], supplier_id: int) -> Any:
        """Invite a staff member · 邀请员工

        The code and link are in this response only; they are valid for 7 days.

        邀请码和链接只在本次响应中给出，7 天内有效。"""
        load(Supplier, supplier_id, change=True)
        invitation, code = actions.invite_staff(db.session, actor(), supplier_id, **data)
        commit()
        invitation.code = code  # type: ignore[attr-defined]  (dumped once, never stored)
        invitation.link = url_for("suppliers_portal.join", code=code, _external=True)  # type: ignore[attr-defined]
        return invitation


@blp.route("/<int:supplier_id>/invitations/<int:invitation_id>")
class InvitationById(MethodView):
    @blp.response(204)
    @blp.errors((409, "The invitation is no longer open · 邀请已失效"))
    @blp.login_required(*KEEPERS)
    def delete(self, supplier_id: int, invitation_id: int) -> None:
        """Revoke an invitation · 撤销邀请

        Its link stops working at once.

        撤销后邀请链接立即失效。"""
        load(Supplier, supplier_id, change=True)
        actions.revoke_invitation(db.session, actor(), supplier_id, invitation_id)
        commit()


@blp.route("/invitations/accept")
class InvitationAccept(MethodView):
    @blp.arguments(
        InvitationAcceptSchema,
        example={
            "code": "k3Jx9QpLr2",
            "login": "13907972222",
            "password": "Gannan2026",
            "display_name": "钟小梅",
        },
    )
    @blp.response(201, UserSchema)
    @blp.errors((409, "The login is taken · 该账号已注册"), 429)
    @blp.rules(
        (
            410,
            "The code opens an invitation that is still open (not unknown, expired, revoked"
            " or used) · 邀请码须对应仍然有效的邀请",
        )
    )
    @blp.public
    @limiter.limit("20 per minute")
    def post(self, data: dict[str, Any]) -> User:
        """Accept an invitation · 接受邀请

        Creates the staff account the invitation's code opens; then sign in with it. At most
        20 attempts a minute from one address.

        用邀请码创建员工账号，之后用该账号登录。同一地址每分钟最多 20 次。"""
        code = data.pop("code")
        user = actions.accept_invitation(db.session, code, **data)
        commit()
        return user
