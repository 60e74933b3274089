"""Login, logout, sign-up and the account page (password, language, API tokens)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from yipin import platform
from yipin.accounts import actions, sessions
from yipin.accounts.forms import EmptyForm, LoginForm, PasswordForm, SignupForm, TokenForm
from yipin.accounts.models import ApiToken
from yipin.accounts.permissions import actor, home_endpoint
from yipin.accounts.security import login_failed, login_limits, signup_limits
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.forms import form_error
from yipin.i18n import _
from yipin.notifications import Notification
from yipin.views import run_action

bp = Blueprint("accounts", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = actions.authenticate(db.session, form.login.data, form.password.data)
        if user is not None:
            sessions.log_in(user, remember=form.remember.data)
            commit()
            target = _safe_next(request.args.get("next")) or url_for(home_endpoint(user))
            return redirect(target)
        login_failed()
        form.password.errors = [_("Wrong phone/e-mail or password.")]
    elif request.method == "POST":
        login_failed()
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    sessions.log_out()  # revoked server-side: a saved copy of the cookies opens nothing
    commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for(platform.current().site_home))


@bp.route("/signup", methods=["GET", "POST"])
@signup_limits
def signup() -> Any:
    """Sign-up answers the same whether or not the login is taken (a taken one's owner is
    told): the new account logs in on the login page like everybody else."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            actions.sign_up(
                db.session,
                login=form.login.data,
                password=form.password.data,
                display_name=form.display_name.data or "",
            )
            commit()
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        except sa.exc.IntegrityError:  # the same login signed up at the same moment
            db.session.rollback()
        if not form.errors:
            flash(
                _(
                    "Thank you. Log in with your phone or e-mail and password. If this login"
                    " already had an account, nothing was changed and its owner has been told."
                ),
                "success",
            )
            return redirect(url_for(".login"))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 422


def _account_page(
    *,
    password_form: PasswordForm | None = None,
    new_token: str | None = None,
    status: int = 200,
) -> Any:
    user = actor()
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    this = sessions.current()
    return render_template(
        "accounts/account.html",
        password_form=password_form or PasswordForm(),
        token_form=TokenForm(),
        empty_form=EmptyForm(),
        tokens=tokens,
        new_token=new_token,  # shown in this response only, never kept in a cookie
        user_sessions=sessions.live_sessions(db.session, user),
        notices=db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc())
            .limit(10)
        ).all(),
        this_session_id=this.id if this else None,
    ), status


@bp.get("/account")
@login_required
def account() -> Any:
    response = _account_page()
    return response


@bp.post("/account/sessions/end")
@login_required
def end_sessions() -> Any:
    """Log out everywhere: every session of this account, this one included, ends now."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".account"))
    sessions.end_all(db.session, actor())
    sessions.log_out()
    commit()
    flash(_("You have been logged out on every device."), "info")
    return redirect(url_for(".login"))


@bp.post("/account/password")
@login_required
def password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        user = actor()
        this = sessions.current()
        response = run_action(
            lambda: actions.change_password(
                db.session,
                user,
                form.current_password.data,
                form.new_password.data,
                keep_session=this.id if this else None,  # this session stays; the others end
            ),
            done=_("Your password has been changed."),
            to=url_for(".account"),
            form=form,
        )
        if response is not None:
            return response
    return _account_page(password_form=form, status=422)


@bp.post("/account/tokens")
@login_required
def create_token() -> Any:
    form = TokenForm()
    if form.validate_on_submit():
        _token, secret = actions.issue_api_token(
            db.session, actor(), form.name.data, form.expires_in_days.data
        )
        commit()
        flash(_("Copy the token now: it is shown only once."), "success")
        return _account_page(new_token=secret)  # not a redirect: the secret stays out of cookies
    flash(_("Give the token a name."), "error")
    return redirect(url_for(".account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    return run_action(
        lambda: actions.revoke_api_token(db.session, actor(), token_id),  # another user's: 404
        done=_("The token has been revoked."),
        category="info",
        to=url_for(".account"),
    )


@bp.get("/lang/<code>")
def set_language(code: str) -> Any:
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for(platform.current().site_home))
