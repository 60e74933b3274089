"""gzip for text responses: stylesheets, scripts and SVG always; pages and JSON only for
requests that carry no cookie.

A phone on a slow network pays for every byte: the storefront's HTML, CSS and JS shrink to a
fifth. Pages of a logged-in visitor are left uncompressed on purpose: they hold secrets (the
CSRF token) next to text an attacker may echo into them (a search), and compressing both
together leaks the secret through the length (BREACH). A request without any cookie has no
such secret to lose. A reverse proxy that compresses may take over (``COMPRESS_RESPONSES``
off).

Compressed bodies of responses that carry an ``ETag`` (static files, cached pages) are kept in
a small in-process LRU, so a stylesheet is compressed once per process, not per request.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from flask import Flask, Response, request

ALWAYS = frozenset({"text/css", "text/javascript", "application/javascript", "image/svg+xml"})
WITHOUT_COOKIE = frozenset({"text/html", "application/json", "text/plain"})
MIN_BYTES = 512
MAX_BYTES = 2 * 1024 * 1024
LEVEL = 6
CACHE_ENTRIES = 256

_cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
_lock = threading.Lock()


def _cached_gzip(etag: str | None, data: bytes) -> bytes:
    """gzip of ``data``; remembered by (ETag, length) when the response has an ETag."""
    if not etag:
        return gzip.compress(data, LEVEL, mtime=0)
    key = (etag, len(data))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    body = gzip.compress(data, LEVEL, mtime=0)
    with _lock:
        _cache[key] = body
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return body


def _wanted(response: Response) -> bool:
    """Whether this response may and should be sent gzipped to this request."""
    if request.method != "GET" or response.status_code != 200:
        return False
    if response.is_streamed and not response.direct_passthrough:  # a generator: leave it
        return False
    if "Content-Encoding" in response.headers or "gzip" not in request.accept_encodings:
        return False
    if "no-transform" in (response.headers.get("Cache-Control") or ""):
        return False
    mimetype = response.mimetype or ""
    if mimetype in ALWAYS:
        return True
    return mimetype in WITHOUT_COOKIE and "Cookie" not in request.headers


def compress(response: Response) -> Response:
    """gzip the body when :func:`_wanted` says so (the last ``after_request`` to run)."""
    vary_on_encoding = (response.mimetype or "") in ALWAYS | WITHOUT_COOKIE
    if vary_on_encoding:
        response.vary.add("Accept-Encoding")
    if not _wanted(response):
        return response
    length = response.calculate_content_length()
    if length is not None and not MIN_BYTES <= length <= MAX_BYTES:
        return response
    response.direct_passthrough = False  # a static file: read it (it is small)
    data = response.get_data()
    if not MIN_BYTES <= len(data) <= MAX_BYTES:
        return response
    etag, weak = response.get_etag()
    body = _cached_gzip(etag, data)
    if len(body) >= len(data):
        return response
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    if etag and not weak:
        # the same representation is now other bytes: a strong validator would lie
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    """Register :func:`compress`; call it before every other ``after_request`` hook (hooks run
    in reverse order, so it runs last, on the finished response)."""
    if app.config.get("COMPRESS_RESPONSES", True):
        app.after_request(compress)
