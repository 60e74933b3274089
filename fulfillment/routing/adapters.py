"""Carrier adapters: one interface (quote, book, cancel, track, label) and two kinds.

- ``ManualAdapter`` (the embedded default): quotes from our rate table, books nothing — the
  supplier or an operator enters the waybill number, checked against the carrier's pattern —
  and tracks what people record.
- ``Kuaidi100Adapter`` speaks a 快递100-style aggregator over HTTP:
  * real-time query ``POST {base}/poll/query.do`` with ``customer``, ``param`` (JSON) and
    ``sign`` = upper-case MD5 of ``param + key + customer``;
  * subscription ``POST {base}/poll`` with ``schema=json`` and ``param`` (company, number,
    key, parameters: callbackurl, salt, resultv2); the aggregator then pushes
    ``param`` + ``sign`` = upper-case MD5 of ``param + salt`` to the callback, and we refuse a
    push whose signature does not match the shipment's salt (``verify_push``);
  * e-waybill ``POST {base}/label/order`` with ``method`` (order / cancel), ``key``, ``t``
    (ms), ``param`` and ``sign`` = upper-case MD5 of ``param + t + key + secret``. Our
    idempotency key travels as the carrier order id (``orderId``): the aggregator answers a
    repeated order id with the waybill it issued first, so a retried booking never creates a
    second waybill.

Settings: ``KUAIDI100_URL``, ``KUAIDI100_CUSTOMER``, ``KUAIDI100_KEY``, ``KUAIDI100_SECRET``,
``KUAIDI100_CALLBACK_URL`` (the public URL of ``/api/v1/carriers/kuaidi100/callback``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import current_app

from fulfillment.routing.errors import CarrierUnavailable, InvalidCallback
from fulfillment.routing.models import AdapterKind
from fulfillment.routing.tracking import Event, area_code, normalise_kuaidi100
from yipin.clock import SHANGHAI

log = logging.getLogger("yipin.fulfillment.carriers")


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str


@dataclass(frozen=True)
class BookingRequest:
    idempotency_key: str
    carrier_code: str
    service_code: str
    sender: Party
    recipient: Party
    weight_g: int
    cargo: str
    cold: bool


@dataclass(frozen=True)
class Booking:
    waybill_number: str | None  # None: a person enters it (manual carriers)
    carrier_reference: str = ""


class CarrierAdapter(Protocol):
    kind: AdapterKind

    def quote(self, rate_fen: int) -> int: ...

    def book(self, request: BookingRequest) -> Booking: ...

    def cancel(self, carrier_code: str, waybill_number: str, idempotency_key: str) -> bool: ...

    def track(self, carrier_code: str, waybill_number: str, phone: str = "") -> list[Event]: ...

    def label(self, facts: dict[str, Any]) -> bytes: ...


class ManualAdapter:
    """Manual waybill entry: nothing is sent anywhere."""

    kind = AdapterKind.MANUAL

    def quote(self, rate_fen: int) -> int:
        return rate_fen

    def book(self, request: BookingRequest) -> Booking:
        return Booking(None)

    def cancel(self, carrier_code: str, waybill_number: str, idempotency_key: str) -> bool:
        return True

    def track(self, carrier_code: str, waybill_number: str, phone: str = "") -> list[Event]:
        return []

    def label(self, facts: dict[str, Any]) -> bytes:
        from fulfillment.routing.documents import waybill_label

        return waybill_label(facts)


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def push_signature(param: str, salt: str) -> str:
    return md5_upper(param + salt)


def verify_push(param: str, sign: str, salt: str | None) -> dict[str, Any]:
    """The pushed ``param`` when ``sign`` is its signature with the shipment's salt;
    ``InvalidCallback`` otherwise (and for a body that is not the protocol's JSON)."""
    if not salt or not sign or not hmac.compare_digest(push_signature(param, salt), sign.upper()):
        raise InvalidCallback()
    try:
        body = json.loads(param)
    except ValueError:
        raise InvalidCallback() from None
    if not isinstance(body, dict) or not isinstance(body.get("lastResult"), dict):
        raise InvalidCallback()
    return body


def parse_time(value: str) -> datetime:
    """快递100 times are local (Asia/Shanghai) ``YYYY-MM-DD HH:MM:SS``."""
    return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


def events_from_result(result: dict[str, Any]) -> list[Event]:
    """The ``data`` of a query answer or of a push's ``lastResult`` as our events."""
    out = []
    state = str(result.get("state", ""))
    for item in result.get("data") or []:
        if not isinstance(item, dict):
            continue
        try:
            at = parse_time(str(item.get("ftime") or item.get("time") or ""))
        except ValueError:
            continue
        own = str(item.get("statusCode") or "")
        out.append(
            Event(
                at=at,
                status=normalise_kuaidi100(own or state, own),
                carrier_state=own or state,
                description=str(item.get("context") or "")[:300],
                location=str(item.get("location") or item.get("areaName") or "")[:120],
                region_code=area_code(item.get("areaCode")),
            )
        )
    return out


class Kuaidi100Adapter:
    kind = AdapterKind.KUAIDI100

    def __init__(self, config: Any | None = None) -> None:
        config = config or current_app.config
        self.base = str(config.get("KUAIDI100_URL") or "").rstrip("/")
        self.customer = str(config.get("KUAIDI100_CUSTOMER") or "")
        self.key = str(config.get("KUAIDI100_KEY") or "")
        self.secret = str(config.get("KUAIDI100_SECRET") or "")
        self.callback = str(config.get("KUAIDI100_CALLBACK_URL") or "")
        self.timeout = float(config.get("KUAIDI100_TIMEOUT_SECONDS") or 10)

    def _post(self, path: str, fields: dict[str, str]) -> dict[str, Any]:
        if not self.base:
            raise CarrierUnavailable()
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ValueError, ConnectionError) as exc:
            log.warning("kuaidi100 %s failed: %s", path, exc)
            raise CarrierUnavailable() from exc
        if not isinstance(body, dict):
            raise CarrierUnavailable()
        return body

    def quote(self, rate_fen: int) -> int:
        return rate_fen  # the aggregator bills the carrier's contract price: our rate table

    def sign_query(self, param: str) -> str:
        return md5_upper(param + self.key + self.customer)

    def sign_label(self, param: str, t: str) -> str:
        return md5_upper(param + t + self.key + self.secret)

    def book(self, request: BookingRequest) -> Booking:
        import time

        param = json.dumps(
            {
                "kuaidicom": request.carrier_code,
                "orderId": request.idempotency_key,
                "recMan": {
                    "name": request.recipient.name,
                    "mobile": request.recipient.phone,
                    "printAddr": request.recipient.address,
                },
                "sendMan": {
                    "name": request.sender.name,
                    "mobile": request.sender.phone,
                    "printAddr": request.sender.address,
                },
                "cargo": request.cargo,
                "weight": round(request.weight_g / 1000, 2),
                "count": 1,
                "serviceType": request.service_code,
                "remark": "冷链" if request.cold else "",
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        t = str(int(time.time() * 1000))
        body = self._post(
            "/label/order",
            {
                "method": "order",
                "key": self.key,
                "t": t,
                "param": param,
                "sign": self.sign_label(param, t),
            },
        )
        data = body.get("data") or {}
        number = str(data.get("kuaidinum") or "") if isinstance(data, dict) else ""
        if not body.get("success") or not number:
            log.warning("kuaidi100 booking refused: %s", body.get("message"))
            raise CarrierUnavailable()
        return Booking(number, str(data.get("taskId") or ""))

    def cancel(self, carrier_code: str, waybill_number: str, idempotency_key: str) -> bool:
        import time

        param = json.dumps(
            {
                "kuaidicom": carrier_code,
                "kuaidinum": waybill_number,
                "orderId": idempotency_key,
                "reason": "订单取消",
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        t = str(int(time.time() * 1000))
        body = self._post(
            "/label/order",
            {
                "method": "cancel",
                "key": self.key,
                "t": t,
                "param": param,
                "sign": self.sign_label(param, t),
            },
        )
        return bool(body.get("success"))

    def track(self, carrier_code: str, waybill_number: str, phone: str = "") -> list[Event]:
        param = json.dumps(
            {"com": carrier_code, "num": waybill_number, "phone": phone[-4:], "resultv2": "4"},
            separators=(",", ":"),
        )
        body = self._post(
            "/poll/query.do",
            {"customer": self.customer, "param": param, "sign": self.sign_query(param)},
        )
        if str(body.get("status")) != "200":
            if str(body.get("returnCode")) in ("500", "503"):  # no trace yet
                return []
            raise CarrierUnavailable()
        return events_from_result(body)

    def subscribe(
        self, carrier_code: str, waybill_number: str, salt: str, callback: str, phone: str = ""
    ) -> bool:
        param = json.dumps(
            {
                "company": carrier_code,
                "number": waybill_number,
                "key": self.key,
                "parameters": {
                    "callbackurl": callback,
                    "salt": salt,
                    "resultv2": "4",
                    "phone": phone[-4:],
                },
            },
            separators=(",", ":"),
        )
        body = self._post("/poll", {"schema": "json", "param": param})
        if str(body.get("returnCode")) in ("200", "501"):  # 501: already subscribed
            return True
        raise CarrierUnavailable()

    def label(self, facts: dict[str, Any]) -> bytes:
        from fulfillment.routing.documents import waybill_label

        return waybill_label(facts)


def adapter_for(kind: AdapterKind | str) -> ManualAdapter | Kuaidi100Adapter:
    if AdapterKind(kind) == AdapterKind.KUAIDI100:
        return Kuaidi100Adapter()
    return ManualAdapter()
