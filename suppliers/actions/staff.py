"""Staff accounts and one-time invitations (only the SHA-256 digest of a code is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from suppliers.actions.access import managed_supplier
from suppliers.actions.application import INVITATION_DAYS
from suppliers.errors import (
    InvitationNeedsContact,
    InvitationNotUsable,
)
from suppliers.models import (
    StaffInvitation,
)
from yipin import clock, contact
from yipin.accounts import actions as accounts
from yipin.accounts.models import Role, SupplierRole, User
from yipin.errors import NotFound


def add_staff(
    session: Session, actor: User, supplier_id: int, *, login: str, password: str, display_name: str
) -> User:
    """The owner (or an operator) creates a staff account directly."""
    managed_supplier(session, actor, supplier_id, owner_only=True)
    return accounts.create_staff_account(
        session,
        actor,
        role=Role.SUPPLIER,
        login=login,
        password=password,
        display_name=display_name,
        supplier_id=supplier_id,
        supplier_role=SupplierRole.STAFF,
    )


def set_staff_active(
    session: Session, actor: User, supplier_id: int, user_id: int, active: bool
) -> User:
    """Deactivate (logs them out everywhere) or reactivate a staff member."""
    managed_supplier(session, actor, supplier_id, owner_only=True)
    user = session.get(User, user_id)
    if user is None or user.supplier_id != supplier_id or user.id == actor.id:
        raise NotFound()
    return accounts.set_active(session, actor, user_id, active)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def invite_staff(
    session: Session,
    actor: User,
    supplier_id: int,
    *,
    display_name: str,
    phone: str | None = None,
    email: str | None = None,
) -> tuple[StaffInvitation, str]:
    """Create an invitation; the code is returned once, only its SHA-256 digest is stored."""
    managed_supplier(session, actor, supplier_id, owner_only=True)
    name = (display_name or "").strip()
    if not name or len(name) > 80:
        raise InvitationNeedsContact(field="display_name")
    phone = contact.clean_mobile(phone, field="phone") if (phone or "").strip() else None
    code = secrets.token_urlsafe(24)
    now = clock.now()
    invitation = StaffInvitation(
        supplier_id=supplier_id,
        display_name=name,
        phone=phone,
        email=contact.clean_email(email, field="email") if (email or "").strip() else None,
        digest=_digest(code),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    return invitation, code


def revoke_invitation(
    session: Session, actor: User, supplier_id: int, invitation_id: int
) -> StaffInvitation:
    managed_supplier(session, actor, supplier_id, owner_only=True)
    invitation = session.get(StaffInvitation, invitation_id)
    if invitation is None or invitation.supplier_id != supplier_id:
        raise NotFound()
    if invitation.accepted_at is not None:
        raise InvitationNotUsable(status=409)
    invitation.revoked_at = invitation.revoked_at or clock.now()
    session.flush()
    return invitation


def open_invitation(session: Session, code: str, *, lock: bool = False) -> StaffInvitation:
    """The invitation a code opens, if it is still usable (else ``InvitationNotUsable``)."""
    stmt = sa.select(StaffInvitation).where(StaffInvitation.digest == _digest(code or ""))
    if lock:
        stmt = stmt.with_for_update()
    invitation = session.scalar(stmt)
    if invitation is None or not invitation.is_open(clock.now()):
        raise InvitationNotUsable()
    return invitation


def accept_invitation(
    session: Session, code: str, *, login: str, password: str, display_name: str
) -> User:
    """The invitee sets a login and password and becomes staff of the inviting supplier."""
    invitation = open_invitation(session, code, lock=True)
    inviter = session.get(User, invitation.invited_by_id)
    if inviter is None or not inviter.is_active:
        raise InvitationNotUsable()
    if not (inviter.is_operator or inviter.supplier_id == invitation.supplier_id):
        raise InvitationNotUsable()
    user = accounts.create_staff_account(
        session,
        inviter,
        role=Role.SUPPLIER,
        login=login,
        password=password,
        display_name=(display_name or "").strip() or invitation.display_name,
        supplier_id=invitation.supplier_id,
        supplier_role=SupplierRole.STAFF,
    )
    invitation.accepted_at = clock.now()
    invitation.accepted_user_id = user.id
    session.flush()
    return user
