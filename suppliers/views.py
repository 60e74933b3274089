"""The supplier portal (供应商工作台): registration, home, profile, staff and brand rights."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from catalog.models import PRODUCT_STATUS_LABELS, Category, CertificationKind
from catalog.rules import has_valid_food_licence
from suppliers import actions, queries
from suppliers.errors import OwnerOnly, StatusTransitionNotAllowed
from suppliers.forms import (
    AUTHORISATION_BADGES,
    INVITATION_BADGES,
    INVITATION_STATES,
    NOTIFICATION_TITLES,
    ApplyForm,
    EmptyForm,
    InviteForm,
    JoinForm,
    ProfileForm,
    ResubmitForm,
    StaffForm,
)
from suppliers.models import (
    AUTHORISATION_STATE_LABELS,
    SUPPLIER_KIND_LABELS,
    SUPPLIER_STATUS_LABELS,
    Supplier,
    SupplierStatus,
)
from yipin import clock
from yipin.accounts import sessions
from yipin.accounts.models import Role, User
from yipin.accounts.permissions import actor, role_required
from yipin.config import platform_region
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.extensions import limiter
from yipin.forms import form_error
from yipin.i18n import _
from yipin.media import images
from yipin.regions.models import Region
from yipin.views import run_action

bp = Blueprint("suppliers_portal", __name__, url_prefix="/supplier", template_folder="templates")


# The suppliers' labels (beside their enums in ``suppliers.models``), for every page that shows
# a supplier or an authorisation (the console's too): ``domain.py`` registers them.
TEMPLATE_GLOBALS = {
    "supplier_kind_label": SUPPLIER_KIND_LABELS,
    "supplier_status_label": SUPPLIER_STATUS_LABELS,
    "authorisation_states": AUTHORISATION_STATE_LABELS,
    "authorisation_badges": AUTHORISATION_BADGES,
}


@bp.app_context_processor
def portal_helpers() -> dict[str, Any]:
    return {"image_url": images.url}


def _supplier() -> Supplier:
    """The logged-in staff member's supplier."""
    supplier = actor().supplier
    assert supplier is not None  # role_required(SUPPLIER) and the users table guarantee it
    return supplier


def _fail(form: Any, exc: DomainError) -> None:
    db.session.rollback()
    form_error(form, exc)


def _invitation_gone(exc: DomainError) -> Any:
    return render_template("suppliers/join.html", invalid=exc.text(), form=None), exc.status


# ----------------------------------------------------------------------------- registration


@bp.route("/apply", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def apply() -> Any:
    """Registration of a new supplier by its owner."""
    if current_user.is_authenticated and current_user.is_supplier_staff:
        return redirect(url_for(".home"))
    form = ApplyForm()
    blocked = current_user.is_authenticated  # a consumer or operator must log out first
    if not blocked and form.validate_on_submit():

        def apply_and_find_owner() -> User:
            supplier = actions.apply(
                db.session,
                account=form.account_draft(),
                draft=form.supplier_draft(),
                licence_image=form.licence_stream(),
                food_licence=form.food_licence_draft(),
                platform_region=platform_region(),
            )
            owner = actions.owner_of(db.session, supplier.id)
            assert owner is not None  # apply() made the owner's account
            sessions.log_in(owner)  # a server-side session, committed with the application
            return owner

        response = run_action(
            apply_and_find_owner,
            done=_("Your application has been received. We will verify it shortly."),
            to=url_for(".home"),
            form=form,
        )
        if response is not None:
            return response
    status = 422 if request.method == "POST" else 200
    return render_template("suppliers/apply.html", **_application_context(form, blocked)), status


def _application_context(form: Any, blocked: bool = False) -> dict[str, Any]:
    platform = db.session.get(Region, platform_region())
    return {
        "form": form,
        "blocked": blocked,
        "platform_region": platform,
        "food_category_ids": [c.id for c in _food_categories()],
        "today_iso": clock.today_local().isoformat(),
    }


def _food_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).where(Category.requires_food_licence)))


# ----------------------------------------------------------------------------- home


@bp.get("/")
@role_required(Role.SUPPLIER)
def home() -> Any:
    """The supplier's home: status, products and what needs attention."""
    supplier = _supplier()
    overview = queries.portal_overview(db.session, supplier.id)
    return render_template(
        "suppliers/home.html",
        supplier=supplier,
        overview=overview,
        product_statuses=PRODUCT_STATUS_LABELS,
        notification_titles=NOTIFICATION_TITLES,
        empty_form=EmptyForm(),
    )


@bp.post("/notifications/read")
@role_required(Role.SUPPLIER)
def read_notifications() -> Any:
    """Mark one notification (``id``) or all of them as read."""
    EmptyForm().validate_on_submit()
    raw = request.form.get("id", "")
    note_id = int(raw) if raw.isdigit() else None
    return run_action(
        lambda: actions.mark_notifications_read(db.session, actor(), _supplier().id, note_id),
        to=url_for(".home"),
    )


# ----------------------------------------------------------------------------- profile


@bp.route("/profile", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def profile() -> Any:
    """Company profile: contact details (owner), and the full application while rejected."""
    supplier = _supplier()
    form = ProfileForm(obj=supplier)
    if request.method == "POST":
        _owner_only()
        if form.validate_on_submit():
            response = run_action(
                lambda: actions.update_profile(db.session, actor(), supplier.id, form.changes()),
                done=_("The company profile has been saved."),
                to=url_for(".profile"),
                form=form,
            )
            if response is not None:
                return response
    status = 422 if form.errors else 200
    return render_template("suppliers/profile.html", **_profile_context(supplier, form)), status


@bp.post("/profile/resubmit")
@role_required(Role.SUPPLIER)
def resubmit() -> Any:
    """A rejected supplier's owner corrects the application and sends it back for verification."""
    _owner_only()
    supplier = _supplier()
    if supplier.status != SupplierStatus.REJECTED:
        raise StatusTransitionNotAllowed(
            current=actions.STATUS_WORDS[supplier.status],
            action=actions.ACTION_WORDS[actions.StatusAction.RESUBMIT],
        )
    form = ResubmitForm()
    form.has_valid_food_licence = _has_valid_food_licence(supplier.id)
    if form.validate_on_submit():
        response = run_action(
            lambda: actions.resubmit(
                db.session,
                actor(),
                supplier.id,
                form.supplier_draft(),
                licence_image=form.licence_stream(),
                food_licence=form.food_licence_draft(),
                platform_region=platform_region(),
            ),
            done=_("Your corrected application has been sent for verification."),
            to=url_for(".home"),
            form=form,
        )
        if response is not None:
            return response
    context = _profile_context(supplier, ProfileForm(obj=supplier), form)
    return render_template("suppliers/profile.html", **context), 422


def _profile_context(
    supplier: Supplier, form: ProfileForm, resubmit_form: ResubmitForm | None = None
) -> dict[str, Any]:
    if resubmit_form is None and supplier.status == SupplierStatus.REJECTED:
        resubmit_form = ResubmitForm(obj=supplier, formdata=None)
        resubmit_form.main_category_ids.data = [c.id for c in supplier.main_categories]
        resubmit_form.has_valid_food_licence = _has_valid_food_licence(supplier.id)
    licences = [
        c
        for c in queries.certifications_of(db.session, supplier.id)
        if c.kind == CertificationKind.FOOD_PRODUCTION_LICENCE
    ]
    context = _application_context(resubmit_form) if resubmit_form is not None else {}
    context.update(
        supplier=supplier,
        profile_form=form,
        resubmit_form=resubmit_form,
        food_licences=licences,
        today=clock.today_local(),
        rejection_reason=supplier.status_reason,
    )
    return context


def _has_valid_food_licence(supplier_id: int) -> bool:
    return has_valid_food_licence(db.session, supplier_id, clock.today_local())


def _owner_only() -> None:
    if not actor().is_supplier_owner:
        raise OwnerOnly()


# ----------------------------------------------------------------------------- staff


@bp.get("/staff")
@role_required(Role.SUPPLIER)
def staff() -> Any:
    """Staff accounts and invitations (the owner manages them; staff may look)."""
    return _staff_page(StaffForm(formdata=None), InviteForm(formdata=None))


def _staff_page(
    staff_form: StaffForm,
    invite_form: InviteForm,
    new_link: str | None = None,
    status: int = 200,
) -> Any:
    supplier = _supplier()
    members = queries.staff_of(db.session, supplier.id)
    invitations = queries.invitations_of(db.session, supplier.id)
    now = clock.now()
    return (
        render_template(
            "suppliers/staff.html",
            supplier=supplier,
            members=members,
            invitations=[(i, queries.invitation_state(i, now)) for i in invitations],
            invitation_states=INVITATION_STATES,
            invitation_badges=INVITATION_BADGES,
            staff_form=staff_form,
            invite_form=invite_form,
            empty_form=EmptyForm(),
            new_link=new_link,
            is_owner=actor().is_supplier_owner,
        ),
        status,
    )


@bp.post("/staff")
@role_required(Role.SUPPLIER)
def add_staff() -> Any:
    _owner_only()
    form = StaffForm()
    if form.validate_on_submit():
        response = run_action(
            lambda: actions.add_staff(
                db.session,
                actor(),
                _supplier().id,
                login=form.login.data,
                password=form.password.data,
                display_name=form.display_name.data,
            ),
            done=lambda user: _("%(name)s can now log in as your staff.", name=user.display_name),
            to=url_for(".staff"),
            form=form,
        )
        if response is not None:
            return response
    return _staff_page(form, InviteForm(formdata=None), status=422)


@bp.post("/staff/invitations")
@role_required(Role.SUPPLIER)
def invite() -> Any:
    _owner_only()
    form = InviteForm()
    if form.validate_on_submit():
        try:
            _invitation, code = actions.invite_staff(
                db.session,
                actor(),
                _supplier().id,
                display_name=form.invite_name.data,
                phone=form.invite_phone.data,
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            commit()
            link = url_for(".join", code=code, _external=True)
            # shown on this response only: the code is not stored, nor put in the session
            return _staff_page(StaffForm(formdata=None), InviteForm(formdata=None), new_link=link)
    return _staff_page(StaffForm(formdata=None), form, status=422)


@bp.post("/staff/invitations/<int:invitation_id>/revoke")
@role_required(Role.SUPPLIER)
def revoke_invitation(invitation_id: int) -> Any:
    _owner_only()
    EmptyForm().validate_on_submit()
    return run_action(
        lambda: actions.revoke_invitation(db.session, actor(), _supplier().id, invitation_id),
        done=_("The invitation has been revoked: its link no longer works."),
        category="info",
        to=url_for(".staff"),
    )


@bp.post("/staff/<int:user_id>/active")
@role_required(Role.SUPPLIER)
def set_active(user_id: int) -> Any:
    _owner_only()
    EmptyForm().validate_on_submit()
    active = request.form.get("active") == "1"
    return run_action(
        lambda: actions.set_staff_active(db.session, actor(), _supplier().id, user_id, active),
        done=lambda user: (
            _("%(name)s can log in again.", name=user.display_name)
            if active
            else _("%(name)s has been deactivated and logged out.", name=user.display_name)
        ),
        category="info",
        to=url_for(".staff"),
    )


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    """The invitee opens the link, sets a login and password and becomes staff."""
    try:
        invitation = actions.open_invitation(db.session, code)
    except DomainError as exc:
        return render_template("suppliers/join.html", invalid=exc.text(), form=None), exc.status
    if current_user.is_authenticated:
        return render_template(
            "suppliers/join.html", invitation=invitation, form=None, logged_in=True
        )
    form = JoinForm(
        display_name=invitation.display_name, login=invitation.phone or invitation.email
    )
    if form.validate_on_submit():

        def accept_and_log_in() -> User:
            user = actions.accept_invitation(
                db.session,
                code,
                login=form.login.data,
                password=form.password.data,
                display_name=form.display_name.data,
            )
            sessions.log_in(user)  # a server-side session, committed with the acceptance
            return user

        response = run_action(
            accept_and_log_in,
            done=_("Welcome to %(supplier)s!", supplier=invitation.supplier.name),
            to=url_for(".home"),
            form=form,
            refused=lambda exc: _invitation_gone(exc) if exc.status == 410 else None,
        )
        if response is not None:
            return response
    status = 422 if request.method == "POST" else 200
    return render_template("suppliers/join.html", invitation=invitation, form=form), status


# ----------------------------------------------------------------------------- brands


@bp.get("/authorisations")
@role_required(Role.SUPPLIER)
def authorisations() -> Any:
    """The supplier's brand authorisations: valid, upcoming, expired or revoked."""
    supplier = _supplier()
    rows = queries.authorisations_of(db.session, supplier.id)
    today = clock.today_local()
    return render_template(
        "suppliers/authorisations.html",
        supplier=supplier,
        rows=[(a, queries.authorisation_state(a, today)) for a in rows],
    )
