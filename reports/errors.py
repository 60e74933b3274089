"""Errors of reports, rewards and settlement (each with a code and a bilingual message)."""

from __future__ import annotations

from yipin.errors import Conflict, DomainError, NotFound
from yipin.i18n import _l


class ReportError(DomainError):
    code = "report_invalid"
    message = _l("The report cannot be made from this.")


class NoPolicy(NotFound):
    code = "no_policy"
    message = _l("No reward policy is in force in %(year)s.")


class InvalidFilter(DomainError):
    code = "invalid_filter"
    message = _l("This filter is not valid: %(name)s.")


class OutOfScope(NotFound):
    code = "out_of_scope"
    message = _l("This region is outside your scope.")


class InvalidAmount(DomainError):
    code = "invalid_amount"
    message = _l("Give an amount in yuan of at least 0.01.")


class Overpaid(Conflict):
    code = "overpaid"
    message = _l("The payout is more than the %(outstanding)s still owed on this statement.")


class InvalidRule(DomainError):
    code = "invalid_rule"
    message = _l("This commission rule is not valid: %(why)s.")


class InvalidBase(DomainError):
    code = "invalid_base"
    message = _l("This livestream base record is not valid: %(why)s.")


class StatementHasPayouts(Conflict):
    code = "statement_paid"
    message = _l("Payouts are recorded on this statement: it is not made again.")


class InvalidReference(DomainError):
    code = "invalid_reference"
    message = _l("Give the bank transfer reference (at most 60 characters).")


class InvalidFigure(DomainError):
    code = "invalid_figure"
    message = _l("This published figure is not valid: %(why)s.")
