"""Errors of the accounts domain."""

from yipin.errors import Conflict, DomainError, Forbidden
from yipin.i18n import _l


class InvalidLogin(DomainError):
    code = "invalid_login"
    message = _l("Enter a mainland mobile number (11 digits) or an e-mail address.")


class WeakPassword(DomainError):
    code = "weak_password"
    message = _l("The password needs at least 8 characters, with letters and digits.")


class LoginTaken(Conflict):
    code = "login_taken"
    message = _l("An account with this phone number or e-mail already exists.")


class WrongPassword(DomainError):
    status = 400
    code = "wrong_password"
    message = _l("The current password is wrong.")


class NotAllowedToCreate(Forbidden):
    code = "not_allowed_to_create_account"
    message = _l("You may not create this kind of account.")


class InvalidAccountData(DomainError):
    code = "invalid_account"
    message = _l("The account details are incomplete or inconsistent.")


class CannotDeactivateSelf(Conflict):
    code = "cannot_deactivate_self"
    message = _l("You cannot deactivate your own account.")
