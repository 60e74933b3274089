"""What every HTML view shares: one unit of work per submitted form or button.

A view that changes something runs one action, commits or rolls back, tells the user what
happened and sends the browser on. ``run_action`` is that block, written once::

    # a button: success and refusal both flash and redirect
    return run_action(
        lambda: actions.revoke_invitation(db.session, actor(), supplier_id, invitation_id),
        done=_("The invitation has been revoked: its link no longer works."),
        category="info",
        to=url_for(".staff"),
    )

    # a form: a refusal is shown under its field and the view renders the form again
    if form.validate_on_submit():
        response = run_action(
            lambda: actions.create_warehouse(db.session, actor(), form.draft()),
            done=lambda warehouse: _("Warehouse %(code)s created.", code=warehouse.code),
            to=lambda warehouse: url_for(".detail", warehouse_id=warehouse.id),
            form=form,
        )
        if response is not None:
            return response
    return render_template("...", form=form), 422

``done`` and ``to`` may be values or functions of the action's result (``done`` may also give
a ``(message, category)`` pair when the category depends on the outcome); they are worked out
before the commit, while the rows the action touched are still loaded (after it they would
be read again). ``refused`` says where a refusal leads when that is not where success leads
(a URL), or answers it outright (a function of the error, e.g. to render a page with the
error's status). ``after_commit`` runs what must follow the commit, such as logging the new
user in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import flash, redirect

from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.forms import form_error

T = TypeVar("T")


def run_action(
    action: Callable[[], T],
    *,
    to: str | Callable[[T], str],
    done: Any = None,
    category: str = "success",
    form: Any = None,
    field_map: Mapping[str, str] | None = None,
    refused: str | Callable[[DomainError], Any] | None = None,
    after_commit: Callable[[T], Any] | None = None,
) -> Any:
    """Run ``action`` as the request's unit of work; return the response, or None when a form's
    action was refused and the caller renders the form again.

    Success: commit (which hands the outbox entries to the job queue), ``after_commit``, flash
    ``done`` (with ``category``) and redirect to ``to``. Refusal (a ``DomainError``): roll back;
    a 404 that names no field (the record in the URL does not exist or is not the user's)
    raises on to the error pages; otherwise the message goes under the form's field
    (``field_map`` renames an action's field to the form's; a 404 naming a field is an option
    that no longer exists) or is flashed, and ``refused`` or ``to`` says what follows.
    """
    if callable(to) and form is None and refused is None:
        raise TypeError("run_action: say where a refusal leads (`refused`) when `to` is a function")
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404 and exc.field is None:
            raise  # the record the URL names is gone or not the user's: the 404 page
        if form is not None:
            form_error(form, exc, dict(field_map) if field_map else None)
        else:
            flash(exc.text(), "error")
        if callable(refused):
            return refused(exc)
        if refused is not None:
            return redirect(refused)
        if form is not None:
            return None
        return redirect(to)  # type: ignore[arg-type]
    message = done(result) if callable(done) else done
    if isinstance(message, tuple):
        message, category = message
    target = to(result) if callable(to) else to
    commit()
    if after_commit is not None:
        after_commit(result)
    if message:
        flash(message, category)
    return redirect(target)
