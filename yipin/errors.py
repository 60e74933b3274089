"""Domain errors and the one place that turns errors into JSON (``/api/``) or friendly pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from yipin.db import db
from yipin.i18n import _l, bilingual

log = logging.getLogger("yipin.errors")


class DomainError(Exception):
    """A rule of the domain refused an action. Carries a code, a message and data."""

    status = 422
    code = "invalid"
    message: Any = _l("The request could not be completed.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        errors: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field
        self.errors = errors or {}
        self.params = params
        super().__init__(self.code)

    def texts(self) -> dict[str, str]:
        return bilingual(self.message, **self.params)

    def text(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = _l("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = _l("This conflicts with the current state.")


STATUS_MESSAGES: dict[int, Any] = {
    400: _l("The request was malformed."),
    401: _l("Please log in first."),
    403: _l("You are not allowed to do this."),
    404: _l("The page or record you asked for does not exist."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the current state."),
    413: _l("The upload is too large."),
    415: _l("This content type is not supported."),
    422: _l("Some fields are not valid."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The service is temporarily unavailable."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
        and not request.accept_mimetypes.accept_html
    )


def error_response(
    status: int,
    code: str,
    texts: dict[str, str],
    errors: dict[str, Any] | None = None,
    headers: Any = None,
) -> tuple[Response, int] | tuple[Response, int, Any]:
    """A JSON error (API) or a friendly page (site), in the user's language plus both."""
    from yipin.i18n import current_language

    lang = current_language()
    message = texts.get(lang) or texts["zh_CN"]
    if wants_json():
        body: dict[str, Any] = {
            "code": status,
            "error": code,
            "message": message,
            "messages": texts,
        }
        if errors:
            body["errors"] = errors
        resp = jsonify(body)
    else:
        resp = render_template(
            "errors/error.html", status=status, message=message, texts=texts, errors=errors
        )
    if headers:
        return resp, status, headers
    return resp, status


def handle_domain_error(exc: DomainError) -> Any:
    db.session.rollback()
    errors = dict(exc.errors)
    if exc.field:
        errors.setdefault(exc.field, [exc.text()])
    return error_response(exc.status, exc.code, exc.texts(), errors or None)


def handle_http_exception(exc: HTTPException) -> Any:
    status = exc.code or 500
    if status >= 500:
        db.session.rollback()
    errors = None
    data = getattr(exc, "data", None)  # webargs / flask-smorest validation details
    if isinstance(data, dict):
        errors = _per_field(data.get("messages") or data.get("errors"))
    message = STATUS_MESSAGES.get(status)
    texts = bilingual(message) if message is not None else {"zh_CN": exc.name, "en": exc.name}
    code = exc.name.lower().replace(" ", "_")
    headers = None
    if status == 429:
        code = "too_many_requests"
    if status == 405:
        headers = {"Allow": ", ".join(getattr(exc, "valid_methods", None) or [])}
    if status == 400 and "CSRF" in (exc.description or ""):
        back = _press_again()
        if back is not None:
            return back
        code = "csrf_failed"
        texts = bilingual(
            _l("The form has expired or lacks its security token. Reload the page and retry.")
        )
    return error_response(status, code, texts, errors, headers)


def _press_again() -> Any:
    """A form of a cached page sent without JavaScript by a visitor who had no session yet
    (the page had no token to give): back to that page, which now has one, with a note to
    press again. None when that is not the case (the usual 400 page)."""
    from urllib.parse import urlsplit

    from flask import flash, redirect

    from yipin.pagecache import has_session_cookie

    if wants_json() or has_session_cookie() or request.form.get("csrf_token"):
        return None
    referrer = urlsplit(request.referrer or "")
    path = referrer.path
    if referrer.netloc != request.host or not path.startswith("/") or path.startswith("//"):
        return None
    flash(_l("For your security, please press the button again."), "info")
    target = path + (f"?{referrer.query}" if referrer.query else "")
    return redirect(target, 303)


REQUEST_LOCATIONS = frozenset(
    {"json", "query", "querystring", "form", "files", "multipart", "headers", "cookies", "path"}
)


def _per_field(errors: Any) -> Any:
    """webargs keys its messages by location, then field; domain errors by field. An API
    client gets one shape: field → messages (``_schema`` for the body as a whole)."""
    if not isinstance(errors, dict) or not errors or not set(errors) <= REQUEST_LOCATIONS:
        return errors
    merged: dict[str, Any] = {}
    for by_field in errors.values():
        if isinstance(by_field, dict):
            merged.update(by_field)
        else:
            merged.setdefault("_schema", by_field)
    return merged


def handle_data_error(exc: Exception) -> Any:
    """A value the database cannot hold (NUL byte, number out of range): the client's input."""
    db.session.rollback()
    log.info("refused a value the database cannot store: %s", exc)
    return error_response(
        400, "invalid_value", bilingual(_l("A value in the request is not acceptable."))
    )


def refuse_unsafe_input() -> None:
    """Before any view (and before the rate limiter reads a login from the body): NUL bytes
    are never valid text here (PostgreSQL refuses them), and a JSON body nested deeper than
    ``yipin.fields.JSON_MAX_DEPTH`` or holding a lone surrogate is refused too: 400."""
    from werkzeug.exceptions import BadRequest

    from yipin import fields

    values = [request.path, *request.args.values(), *request.form.values()]
    if any("\x00" in v for v in values):
        raise BadRequest("NUL byte in the request")
    if request.is_json:
        body = request.get_data(cache=True)
        if body:
            try:
                fields.loads(body)
            except fields.UnsafeJSON as exc:
                raise BadRequest(f"unsafe JSON body: {exc}") from None
            except ValueError:  # not JSON at all: the view's parser answers
                pass


def handle_unexpected(exc: Exception) -> Any:
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(sa_exc.DataError, handle_data_error)
    # SQLite's driver raises this itself for an integer past 64 bits: the same refusal
    app.register_error_handler(OverflowError, handle_data_error)
    # first of all before-request hooks: the limiter's key functions read the body too
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unsafe_input)
    if not app.testing:  # tests see the traceback; users see a friendly page
        app.register_error_handler(Exception, handle_unexpected)
