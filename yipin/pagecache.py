"""Public pages served from a cache, with the per-user bits spliced in per request.

A view decorated with :func:`cached_page` (the storefront's pages, a batch's traceability
page) is rendered once per key and served from Flask-Caching (``RedisCache`` when ``REDIS_URL``
is set, a ``SimpleCache`` in each process on the embedded default). The key is the endpoint,
the path with its sorted query, the language, the local day and the versions of what the page
shows (``yipin.freshness``): a committed change bumps a version, so the next request renders
afresh. Only a GET's 200 is stored; a 404 is rendered every time (cheap, and a crawler's random
ids cannot push real pages out).

The cached HTML holds no per-user bit. While such a page renders, ``base.html`` writes
placeholders where the login nav and the flashed messages go, ``csrf_token()`` and
``csp_nonce()`` give placeholders too, and each response gets its own: the nav and flashes
from small fragment templates (``_user_nav.html``, ``_flashes.html``; a guest's nav is
rendered once per language), this session's CSRF token, this response's nonce. A request
without a session cookie gets an empty CSRF token and no cookie at all (``site.js`` asks
``GET /csrf-token`` for one before the first form is sent), so the response is the same for
every such visitor and a reverse proxy may hold it.

HTTP caching: a weak ``ETag`` from the page's key, the versions and the per-user bits; a
matching ``If-None-Match`` gets a 304 before anything renders. ``Cache-Control: public,
no-cache`` without a session cookie (a proxy may store it and must revalidate, so a delisting
shows at once), ``private, no-cache`` with one; ``Vary: Cookie`` (the language comes from the
session, or from ``?lang=``, which is in the key).

With ``PAGE_CACHE`` off (most tests) the same pages render every time, placeholders and
splicing included, and get an ETag from their body.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    current_app,
    g,
    get_flashed_messages,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)
from flask_caching import Cache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from yipin import clock, freshness
from yipin.db import reads_without_transaction
from yipin.headers import csp_nonce

log = logging.getLogger("yipin.pagecache")
F = TypeVar("F", bound=Callable[..., Any])

cache = Cache()

NAV = "<!--yipin:nav-->"
FLASHES = "<!--yipin:flashes-->"
CSRF = "__yipin_csrf_token__"
NONCE = "__yipin_csp_nonce__"
GUEST_NAV = "yipin.guest_nav"  # app.extensions: language → the guest's nav, rendered once


def enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE"))


def rendering_for_cache() -> bool:
    """True while a cacheable page renders: per-user bits become placeholders."""
    return bool(g.get("page_render"))


def has_session_cookie() -> bool:
    """Does the request carry a session (or remember-me) cookie? Without one, it is a guest
    with nothing of their own on the page."""
    names = (
        current_app.config["SESSION_COOKIE_NAME"],
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )
    return any(name in request.cookies for name in names)


# ----------------------------------------------------------------------------- template globals


def csrf_token() -> str:
    """The form token: a placeholder in cached HTML, none for a visitor without a session
    (no cookie is set; ``site.js`` fetches one), else this session's."""
    if rendering_for_cache():
        return CSRF
    return generate_csrf()


def nonce() -> str:
    """The CSP nonce: a placeholder in cached HTML (marked, so the page is never answered 304:
    its stored copy's nonce would not match the new policy)."""
    if rendering_for_cache():
        g.page_uses_nonce = True
        return NONCE
    return csp_nonce()


# ----------------------------------------------------------------------------- the per-user bits


def _token_for_request() -> str:
    return generate_csrf() if has_session_cookie() else ""


def _nav_html(language: str) -> str:
    if not has_session_cookie() or not current_user.is_authenticated:
        memo: dict[str, str] = current_app.extensions.setdefault(GUEST_NAV, {})
        html = memo.get(language)
        if html is None:
            html = memo[language] = render_template("_user_nav.html")
        return html
    return render_template("_user_nav.html")


def _flashes_html() -> str:
    if not has_session_cookie() or "_flashes" not in session:
        return ""
    return render_template("_flashes.html", messages=get_flashed_messages(with_categories=True))


def splice(html: str, language: str) -> str:
    """The cached HTML with this request's nav, flashes, CSRF token and nonce."""
    html = html.replace(NAV, _nav_html(language), 1)
    html = html.replace(FLASHES, _flashes_html(), 1)
    if CSRF in html:
        html = html.replace(CSRF, _token_for_request())
    if NONCE in html:
        html = html.replace(NONCE, csp_nonce())
    return html


def _user_bits(language: str) -> str | None:
    """What of this visitor's own the page shows, for the ETag; None when it must not be
    answered 304 (flashed messages waiting)."""
    if not has_session_cookie():
        return f"guest:{language}"
    if "_flashes" in session:
        return None
    generate_csrf()  # the session's raw token (the signed form changes every second)
    token = str(session.get("csrf_token", ""))
    if current_user.is_authenticated:
        who = f"{current_user.id}:{current_user.role}:{current_user.display_name}"
    else:
        who = "guest"
    return f"{who}:{language}:{token}"


# ----------------------------------------------------------------------------- the decorator


def page_key(versions: dict[str, int], scopes: tuple[str, ...], language: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    version = ",".join(f"{scope}{versions.get(scope, 0)}" for scope in scopes)
    raw = f"{request.endpoint}|{request.path}?{query}|{language}|{clock.today_local()}|{version}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _etag(key: str, bits: str) -> str:
    return hashlib.sha256(f"{key}|{bits}".encode()).hexdigest()[:32]


def _headers(response: Response, etag: str | None) -> Response:
    shared = not has_session_cookie() and not session.modified
    response.headers["Cache-Control"] = "public, no-cache" if shared else "private, no-cache"
    response.vary.add("Cookie")
    if etag is not None:
        response.set_etag(etag, weak=True)
    return response


def _render(view: Callable[..., Any], args: Any, kwargs: Any) -> tuple[Response, bool]:
    """The view's response rendered with placeholders, and whether it holds a nonce."""
    g.page_render = True
    g.page_uses_nonce = False
    try:
        response = make_response(view(*args, **kwargs))
    finally:
        g.page_render = False
    return response, bool(g.page_uses_nonce)


def cached_page(*scopes: str, without_transaction: bool = True) -> Callable[[F], F]:
    """Serve a public GET page from the cache; ``scopes``: the versions it depends on
    (``catalog`` always). ``without_transaction``: its reads run in autocommit on PostgreSQL,
    so psycopg prepares them (``yipin.db.reads_without_transaction``); off for a page whose
    statements PostgreSQL plans better afresh each time (search: a generic plan of its
    matching statement was 1.5 times slower at 10,000 products)."""
    scopes = tuple(dict.fromkeys(("catalog", *scopes)))

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from yipin.i18n import current_language

            if request.method not in ("GET", "HEAD"):
                return view(*args, **kwargs)
            if not without_transaction:
                return serve(view, scopes, current_language(), args, kwargs)
            with reads_without_transaction():
                return serve(view, scopes, current_language(), args, kwargs)

        wrapper.cached_page = scopes  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def serve(
    view: Callable[..., Any], scopes: tuple[str, ...], language: str, args: Any, kwargs: Any
) -> Any:
    """A cacheable page: from the cache, or rendered (and stored), with this visitor's bits."""
    versions = freshness.read() if enabled() else None
    if versions is None:  # cache off, or the versions cannot be read
        response, _ = _render(view, args, kwargs)
        if response.mimetype != "text/html":
            return response
        response.set_data(splice(response.get_data(as_text=True), language))
        if response.status_code == 200:
            response = _headers(response, None)
            response.add_etag(weak=True)
            response.make_conditional(request)
        return response

    key = page_key(versions, scopes, language)
    bits = _user_bits(language)
    etag = _etag(key, bits) if bits is not None else None
    entry = _get(key)
    if entry is not None and entry.get("nonce"):
        etag = None
    if etag is not None and request.if_none_match.contains_weak(etag):
        return _headers(Response(status=304), etag)
    if entry is None:
        response, uses_nonce = _render(view, args, kwargs)
        if response.mimetype != "text/html":
            return response
        if response.status_code != 200:
            response.set_data(splice(response.get_data(as_text=True), language))
            return response
        entry = {"html": response.get_data(as_text=True), "nonce": uses_nonce}
        _set(key, entry)
        if uses_nonce:
            etag = None
    else:
        response = Response(mimetype="text/html")
    response.set_data(splice(entry["html"], language))
    return _headers(response, etag)


def _get(key: str) -> dict[str, Any] | None:
    try:
        return cache.get(key)  # type: ignore[no-any-return]
    except Exception:  # Redis down: render instead
        log.warning("page cache unreadable", exc_info=True)
        return None


def _set(key: str, entry: dict[str, Any]) -> None:
    try:
        cache.set(key, entry)
    except Exception:
        log.warning("page cache unwritable", exc_info=True)


# ----------------------------------------------------------------------------- setup


def csrf_token_view() -> Any:
    """``GET /csrf-token``: a form token for this session (starts one); what ``site.js``
    fills into a cached page's empty token before the first form is sent."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """The cache (Redis when configured, else one per process), the template globals that
    give placeholders, and ``GET /csrf-token``."""
    config = app.config
    config.setdefault("PAGE_CACHE", True)
    config.setdefault("PAGE_CACHE_TIMEOUT", 600)
    config.setdefault("PAGE_CACHE_THRESHOLD", 500)
    settings: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": int(config["PAGE_CACHE_TIMEOUT"]),
        "CACHE_KEY_PREFIX": "yipin:",
    }
    if config.get("REDIS_URL"):
        settings.update(
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=config["REDIS_URL"],
            CACHE_OPTIONS={"socket_connect_timeout": 2, "socket_timeout": 2},
        )
    else:
        settings.update(
            CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=int(config["PAGE_CACHE_THRESHOLD"])
        )
    cache.init_app(app, config=settings)
    app.jinja_env.globals["csrf_token"] = csrf_token
    # Flask-WTF also hands templates its own ``csrf_token`` by a context processor: this one,
    # registered after it, wins
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals["csp_nonce"] = nonce
    app.jinja_env.globals["page_placeholders"] = rendering_for_cache
    app.jinja_env.globals["page_nav_placeholder"] = Markup(NAV)
    app.jinja_env.globals["page_flashes_placeholder"] = Markup(FLASHES)
    app.add_url_rule("/csrf-token", "csrf_token", csrf_token_view, methods=["GET"])
