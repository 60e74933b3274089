"""Login, logout, sign-up and the account page (password, language, API tokens)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from yipin import platform
from yipin.accounts import actions
from yipin.accounts.forms import EmptyForm, LoginForm, PasswordForm, SignupForm, TokenForm
from yipin.accounts.models import ApiToken
from yipin.accounts.permissions import actor, home_endpoint
from yipin.accounts.security import login_failed, login_limits
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.forms import form_error
from yipin.i18n import _

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
            commit()
            session.clear()
            login_user(user, remember=form.remember.data)
            target = _safe_next(request.args.get("next")) or url_for(home_endpoint(user))
            return redirect(target)
        login_failed()
        form.password.errors = [_("Wrong phone/e-mail or password.")]
    elif request.method == "POST":
        login_failed()
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for(platform.current().site_home))


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = actions.register_consumer(
                db.session,
                login=form.login.data,
                password=form.password.data,
                display_name=form.display_name.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            commit()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for(platform.current().site_home))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 422


@bp.get("/account")
@login_required
def account() -> Any:
    user = actor()
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/account.html",
        password_form=PasswordForm(),
        token_form=TokenForm(),
        empty_form=EmptyForm(),
        tokens=tokens,
        new_token=session.pop("new_token", None),
    )


@bp.post("/account/password")
@login_required
def password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        user = actor()
        try:
            actions.change_password(
                db.session, user, form.current_password.data, form.new_password.data
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            commit()
            login_user(user)  # keep this session; the others are logged out
            flash(_("Your password has been changed."), "success")
            return redirect(url_for(".account"))
    return (
        render_template(
            "accounts/account.html",
            password_form=form,
            token_form=TokenForm(),
            empty_form=EmptyForm(),
            tokens=[],
            new_token=None,
        ),
        422,
    )


@bp.post("/account/tokens")
@login_required
def create_token() -> Any:
    form = TokenForm()
    if form.validate_on_submit():
        _token, secret = actions.issue_api_token(
            db.session, actor(), form.name.data, form.expires_in_days.data
        )
        commit()
        session["new_token"] = secret
        flash(_("Copy the token now: it is shown only once."), "success")
    else:
        flash(_("Give the token a name."), "error")
    return redirect(url_for(".account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    actions.revoke_api_token(db.session, actor(), token_id)  # another user's token: 404
    commit()
    flash(_("The token has been revoked."), "info")
    return redirect(url_for(".account"))


@bp.get("/lang/<code>")
def set_language(code: str) -> Any:
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for(platform.current().site_home))
