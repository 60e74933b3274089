"""HTML forms of the accounts pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from yipin.fields import IntegerField
from yipin.i18n import _l


class LoginForm(FlaskForm):
    login = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me logged in"))


class SignupForm(FlaskForm):
    login = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Nickname"), validators=[Optional(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    expires_in_days = IntegerField(
        _l("Valid for (days)"), default=365, validators=[Optional(), NumberRange(1, 3650)]
    )


class StaffAccountForm(FlaskForm):
    """Operators: create operator, bureau or supplier accounts."""

    role = SelectField(
        _l("Role"),
        choices=[
            ("supplier", _l("Supplier staff")),
            ("operator", _l("Platform operator")),
            ("bureau", _l("Bureau (read-only)")),
        ],
    )
    login = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    supplier_id = IntegerField(_l("Supplier ID"), validators=[Optional()])
    supplier_role = SelectField(
        _l("Supplier role"), choices=[("owner", _l("Owner")), ("staff", _l("Staff"))]
    )
    bureau_region_code = StringField(
        _l("Bureau scope (the platform's region, or a city or county code within it)"),
        validators=[Optional()],
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (buttons that change state)."""
