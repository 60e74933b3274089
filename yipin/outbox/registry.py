"""Topic → handler registry. Domain ``tasks`` modules register their handlers on import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], Any]
_handlers: dict[str, Handler] = {}


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Register ``fn(payload)`` as the handler of ``topic``."""

    def register(fn: Handler) -> Handler:
        existing = _handlers.get(topic)
        if existing is not None and existing is not fn:
            raise RuntimeError(f"outbox topic {topic!r} already has a handler")
        _handlers[topic] = fn
        return fn

    return register


def get_handler(topic: str) -> Handler:
    try:
        return _handlers[topic]
    except KeyError:
        raise LookupError(f"no handler for outbox topic {topic!r}") from None


def registered_topics() -> list[str]:
    return sorted(_handlers)
