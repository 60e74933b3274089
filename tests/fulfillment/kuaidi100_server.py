"""A small courier aggregator speaking the 快递100-style protocol, on a loopback port, for the
carrier adapter's tests (a real HTTP server the test starts, not a mock of our code).

- ``POST /label/order`` (e-waybill): ``method`` order / cancel, ``key``, ``t``, ``param``,
  ``sign`` = upper MD5(param + t + key + secret); a repeated ``orderId`` gets the waybill issued
  first. ``hold_bookings`` makes it issue the number and then wait before answering (to kill a
  worker mid-booking).
- ``POST /poll`` (subscription): ``schema=json``, ``param`` with company, number, key and
  parameters (callbackurl, salt); ``push`` later posts ``param`` + ``sign`` = upper MD5(param +
  salt) to the callback, as the aggregator does.
- ``POST /poll/query.do`` (real-time query): ``customer``, ``param``, ``sign`` = upper
  MD5(param + key + customer).
Requests with a wrong signature or key are refused the way the aggregator refuses them.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
import urllib.request
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = {"shunfeng": "SF1", "jd": "JDVA", "yuantong": "YT", "jtexpress": "JT"}


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


class Aggregator:
    def __init__(self, customer: str = "YIPINTEST", key: str = "k100-key", secret: str = "s3cr3t"):
        self.customer, self.key, self.secret = customer, key, secret
        self.issued: dict[str, str] = {}  # orderId → waybill number
        self.booking_requests: list[str] = []  # orderIds, one per request received
        self.cancelled: list[str] = []
        self.subscriptions: dict[str, dict[str, Any]] = {}  # number → parameters
        self.traces: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.refused = 0
        self.hold_bookings = threading.Event()
        self.booking_started = threading.Event()
        self.release_bookings = threading.Event()
        self._serial = 0
        self._lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> Aggregator:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release_bookings.set()
        self.server.shutdown()
        self.server.server_close()

    # -------------------------------------------------------------------- protocol
    def _number(self, company: str) -> str:
        with self._lock:
            self._serial += 1
            serial = self._serial
        if company == "shunfeng":
            return f"SF1{serial:012d}"
        if company == "zhongtong":
            return f"73{serial:012d}"
        return f"{PREFIX.get(company, 'YT')}{serial:013d}"

    def label_order(self, form: dict[str, str]) -> dict[str, Any]:
        param, t, key = form.get("param", ""), form.get("t", ""), form.get("key", "")
        if key != self.key or form.get("sign") != md5_upper(param + t + key + self.secret):
            self.refused += 1
            return {"success": False, "code": 30002, "message": "签名错误"}
        body = json.loads(param)
        order_id = str(body.get("orderId") or "")
        if form.get("method") == "cancel":
            self.cancelled.append(str(body.get("kuaidinum")))
            return {"success": True, "code": 200, "message": "success"}
        with self._lock:
            self.booking_requests.append(order_id)
            number = self.issued.get(order_id)
            if number is None:
                number = self.issued[order_id] = self._number(str(body.get("kuaidicom")))
        if self.hold_bookings.is_set():
            self.booking_started.set()
            self.release_bookings.wait(60)
        return {
            "success": True,
            "code": 200,
            "message": "success",
            "data": {"kuaidinum": number, "kuaidicom": body.get("kuaidicom"), "taskId": order_id},
        }

    def subscribe(self, form: dict[str, str]) -> dict[str, Any]:
        body = json.loads(form.get("param", "{}"))
        if body.get("key") != self.key:
            self.refused += 1
            return {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"}
        number = str(body["number"])
        if number in self.subscriptions:
            return {"result": False, "returnCode": "501", "message": "重复订阅"}
        self.subscriptions[number] = {"company": body["company"], **body.get("parameters", {})}
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    def query(self, form: dict[str, str]) -> dict[str, Any]:
        param, customer = form.get("param", ""), form.get("customer", "")
        if customer != self.customer or form.get("sign") != md5_upper(param + self.key + customer):
            self.refused += 1
            return {"result": False, "returnCode": "601", "message": "key已过期"}
        body = json.loads(param)
        number = str(body.get("num"))
        data = self.traces.get(number)
        if not data:
            return {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
        return self._result(str(body.get("com")), number, data)

    def _result(self, company: str, number: str, data: list[dict[str, str]]) -> dict[str, Any]:
        newest_first = sorted(data, key=lambda d: d["time"], reverse=True)
        return {
            "message": "ok",
            "nu": number,
            "ischeck": "1" if newest_first[0]["statusCode"] == "3" else "0",
            "com": company,
            "status": "200",
            "condition": "F00",
            "state": newest_first[0]["statusCode"],
            "data": [{**d, "ftime": d["time"]} for d in newest_first],
        }

    # -------------------------------------------------------------------- the test's side
    def scan(
        self, number: str, time: str, state: str, context: str, area: str = "", area_name: str = ""
    ) -> None:
        self.traces[number].append(
            {
                "time": time,
                "statusCode": state,
                "context": context,
                "areaCode": area,
                "areaName": area_name,
                "location": area_name,
            }
        )

    def push(self, number: str, *, salt: str | None = None) -> tuple[int, str]:
        """Post the waybill's trace to its subscriber, signed with its salt (or ``salt``)."""
        sub = self.subscriptions[number]
        result = self._result(sub["company"], number, self.traces[number])
        param = json.dumps(
            {"status": "polling", "billstatus": "got", "message": "", "lastResult": result},
            ensure_ascii=False,
        )
        sign = md5_upper(param + (salt if salt is not None else sub["salt"]))
        data = urllib.parse.urlencode({"param": param, "sign": sign}).encode()
        request = urllib.request.Request(sub["callbackurl"], data=data)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        aggregator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                form = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                path = self.path.split("?")[0]
                routes = {
                    "/label/order": aggregator.label_order,
                    "/poll": aggregator.subscribe,
                    "/poll/query.do": aggregator.query,
                }
                if path not in routes:
                    self.send_error(404)
                    return
                answer = json.dumps(routes[path](form), ensure_ascii=False).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client died while we held the booking

        return Handler
