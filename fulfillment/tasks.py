"""Jobs (outbox handlers) of this package.

``orders.suborder_awaiting_routing`` is routing's trigger and ``orders.suborder_cancelled`` its
undo (issue 9 fills both in: choose warehouse and carrier, book or void the waybill). Until
routing lands a sub-order waits in ``awaiting_routing`` for its supplier to ship it by hand from
the portal (the embedded default: manual waybill entry).
"""

from __future__ import annotations

import logging
from typing import Any

from yipin import outbox

log = logging.getLogger("yipin.fulfillment")


@outbox.handler("orders.suborder_awaiting_routing")
def route_sub_order(payload: dict[str, Any]) -> None:
    log.info("sub-order %s awaits routing (shipped by hand until routing lands)", payload)


@outbox.handler("orders.suborder_cancelled")
def sub_order_cancelled(payload: dict[str, Any]) -> None:
    log.info("sub-order %s cancelled before shipment: no waybill to void yet", payload)
