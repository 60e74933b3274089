"""Topic → handler registry. Domain ``tasks`` modules register their handlers on import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], Any]
_handlers: dict[str, Handler] = {}
_heavy: set[str] = set()


def handler(topic: str, *, heavy: bool = False) -> Callable[[Handler], Handler]:
    """Register ``fn(payload)`` as the handler of ``topic``.

    ``heavy``: the work must never run inside a web request (reading an uploaded file, long
    computations). With Redis every handler runs in a worker anyway; on the embedded default a
    heavy one runs in the web process's background thread instead of after the request's
    commit, so the request answers at once."""

    def register(fn: Handler) -> Handler:
        existing = _handlers.get(topic)
        if existing is not None and existing is not fn:
            raise RuntimeError(f"outbox topic {topic!r} already has a handler")
        _handlers[topic] = fn
        if heavy:
            _heavy.add(topic)
        return fn

    return register


def is_heavy(topic: str) -> bool:
    return topic in _heavy


def get_handler(topic: str) -> Handler:
    try:
        return _handlers[topic]
    except KeyError:
        raise LookupError(f"no handler for outbox topic {topic!r}") from None


def registered_topics() -> list[str]:
    return sorted(_handlers)
