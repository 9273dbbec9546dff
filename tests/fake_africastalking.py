"""A fake of Africa's Talking's messaging API (POST /version1/messaging) on 127.0.0.1, as documented at
https://developers.africastalking.com/docs/sms/sending/bulk: the apiKey header and username checked (401,
text), the form checked (400, text), 201 with SMSMessageData.Recipients; XML unless JSON is accepted.

In a test: `with FakeAfricasTalking() as fake: ... fake.url, fake.sent, fake.fail_next(2) ...`.
As a process: `python -m tests.fake_africastalking --port P [--log FILE] [--api-key K --username U]`
prints its URL once listening; POST /__fake/control with JSON scripts it as the attributes below do
({"fail_next": 2, "delay": 0.5, "hang": true, "recipient_status": 406, "padding": 70000, "down_for": 1,
"reset": true}). Every message it sends is recorded, and with a log file appended as one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

USERNAME = "infoline"
API_KEY = "at-api-key-0123456789abcdef"
MESSAGING = "/version1/messaging"
CONTROL = "/__fake/control"
NO_AUTH = "The supplied authentication is invalid"
STATUS_WORDS = {
    **{100: "Processed", 101: "Success", 102: "Queued"},
    **{401: "RiskHold", 402: "InvalidSenderId", 403: "InvalidPhoneNumber", 404: "UnsupportedNumberType"},
    **{405: "InsufficientBalance", 406: "UserInBlacklist", 407: "CouldNotRoute", 409: "DoNotDisturbRejection"},
    **{500: "InternalServerError", 501: "GatewayError", 502: "RejectedByGateway"},
}
PHONE = re.compile(r"\+?[0-9]{7,15}")
MAX_BODY = 1024 * 1024
# A hung request holds its thread at most this long (or until the fake stops): no test waits forever.
HANG_SECONDS = 60.0


class FakeAfricasTalking:
    """The fake API; its attributes script how it answers the next requests."""

    def __init__(self, *, port: int = 0, username: str = USERNAME, api_key: str = API_KEY, log: Path | None = None):
        self.username, self.api_key, self.log, self.port = username, api_key, log, port
        self.cost = "KES 0.8000"
        self.lock = threading.Lock()
        self.sent: list[dict[str, str]] = []  # the messages sent: the form's fields and the headers checked
        self.calls = 0  # requests to the messaging path, answered or not
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self._wake = threading.Event()
        self.reset()

    def reset(self) -> None:
        """Answer normally from now on."""
        self.failures, self.fail_status, self.delay, self.hang = 0, 500, 0.0, False
        self.recipient_status: int | None = None  # a per-recipient failure (e.g. 406) for every number
        self.padding = 0  # characters of padding in a valid 201 (past a client's cap, or just within it)
        self.message_id = ""  # every accepted message's messageId, when set (a broken gateway's)

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next count requests with this HTTP status (nothing sent)."""
        self.failures, self.fail_status = count, status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeAfricasTalking:
        """Listen (again, on the same port once it has one)."""
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self), bind_and_activate=False)
        server.daemon_threads, server.request_queue_size = True, 256
        server.server_bind()
        server.server_activate()
        self.port, self._server, self._wake = server.server_address[1], server, threading.Event()
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Refuse connections: stop listening, drop open ones, release hung requests."""
        server, self._server = self._server, None
        self._wake.set()
        if server:
            server.shutdown()
            server.server_close()
        with self.lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()

    def __enter__(self) -> FakeAfricasTalking:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def control(self, orders: dict) -> float:
        """Apply a control request's orders (the subprocess form's attributes); the seconds to go down for."""
        if orders.get("reset"):
            self.reset()
        if "fail_next" in orders:
            self.fail_next(int(orders["fail_next"]), int(orders.get("fail_status", 500)))
        self.delay = float(orders.get("delay", self.delay))
        self.hang = bool(orders.get("hang", self.hang))
        self.recipient_status = orders.get("recipient_status", self.recipient_status)
        self.padding = int(orders.get("padding", self.padding))
        return float(orders.get("down_for", 0))

    def go_down_for(self, seconds: float) -> None:
        """Refuse connections for seconds, then listen again on the same port (from another thread)."""

        def down_and_up() -> None:
            self.stop()
            time.sleep(seconds)
            self.start()

        threading.Thread(target=down_and_up, daemon=True).start()

    def answer(self, headers, body: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for one POST to the messaging path."""
        with self.lock:
            self.calls += 1
            failing, self.failures = self.failures > 0, max(self.failures - 1, 0)
        if failing:
            return self.fail_status, "text/plain", b"Internal Server Error"
        if self.hang:
            self._wake.wait(HANG_SECONDS)
            return 500, "text/plain", b"hung"
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        fields = dict(form)
        if headers.get("apiKey") != self.api_key or fields.get("username") != self.username:
            return 401, "text/plain", NO_AUTH.encode()
        if (headers.get("Content-Type") or "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return 400, "text/plain", b"Content-Type must be application/x-www-form-urlencoded"
        missing = [name for name in ("username", "to", "message") if not fields.get(name)]
        if missing or len(fields) != len(form):
            return 400, "text/plain", f"Request is missing or repeats a form field {missing}".encode()
        recipients = [self._recipient(number.strip(), fields, headers) for number in fields["to"].split(",")]
        if self.delay:
            time.sleep(self.delay)  # sent, then slow to say so: a client that gives up may send it twice
        return 201, *self._encoded(recipients, headers.get("Accept") or "")

    def _recipient(self, number: str, fields: dict[str, str], headers) -> dict:
        status = self.recipient_status or (101 if PHONE.fullmatch(number) else 403)
        if status not in (100, 101, 102):
            return {"statusCode": status, "number": number, "status": STATUS_WORDS.get(status, "Failed"),
                    "cost": "0", "messageId": "None"}  # fmt: skip
        entry = {"statusCode": status, "number": number, "status": STATUS_WORDS[status], "cost": self.cost,
                 "messageId": self.message_id or "ATXid_" + uuid.uuid4().hex}  # fmt: skip
        record = {name: fields[name] for name in ("username", "message", "from", "linkId") if name in fields}
        record |= {"to": number, "messageId": entry["messageId"], "fields": ",".join(sorted(fields))}
        record |= {"accept": headers.get("Accept") or "", "content_type": headers.get("Content-Type") or ""}
        with self.lock:
            self.sent.append(record)
            if self.log:
                with self.log.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record) + "\n")
        return entry

    def _encoded(self, recipients: list[dict], accept: str) -> tuple[str, bytes]:
        sent = [entry for entry in recipients if entry["statusCode"] in (100, 101, 102)]
        total = f"{self.cost.split()[0]} {0.8 * len(sent):.4f}" if sent else "0"
        data = {"Message": f"Sent to {len(sent)}/{len(recipients)} Total Cost: {total}", "Recipients": recipients}
        if self.padding:
            data["Padding"] = "x" * self.padding
        if "application/json" in accept:
            return "application/json", json.dumps({"SMSMessageData": data}).encode()
        # AT answers XML to a client that does not ask for JSON.
        items = "".join(f"<Recipient><number>{e['number']}</number><messageId>{e['messageId']}</messageId>"
                        f"<status>{e['status']}</status></Recipient>" for e in recipients)  # fmt: skip
        return "application/xml", f"<AfricasTalkingResponse><SMSMessageData><Recipients>{items}</Recipients>" \
            "</SMSMessageData></AfricasTalkingResponse>".encode()  # fmt: skip


def _handler_for(fake: FakeAfricasTalking) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as AT's servers
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

        def setup(self) -> None:
            super().setup()
            with fake.lock:
                fake._connections.add(self.connection)
                if fake._server is None:  # accepted just before a stop: refused like the rest
                    self.connection.shutdown(socket.SHUT_RDWR)

        def finish(self) -> None:
            with fake.lock:
                fake._connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True  # the body is left unread
                return self._reply(413, "text/plain", b"too large")
            body = self.rfile.read(length)
            if self.path == CONTROL:
                down_for = fake.control(json.loads(body or b"{}"))
                self._reply(200, "application/json", b"{}")
                # Only once answered: going down must not cut its own answer off.
                return down_for and fake.go_down_for(down_for)
            if self.path != MESSAGING:
                return self._reply(404, "text/plain", b"Not Found")
            self._reply(*fake.answer(self.headers, body))

        def _reply(self, status: int, content_type: str, body: bytes) -> None:
            with contextlib.suppress(OSError):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    return Handler


def main() -> None:
    """Run the fake until killed, printing its URL once it listens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--api-key", default=API_KEY)
    parser.add_argument("--username", default=USERNAME)
    args = parser.parse_args()
    fake = FakeAfricasTalking(port=args.port, username=args.username, api_key=args.api_key, log=args.log)
    fake.start()
    print(fake.url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it quietly
        threading.Event().wait()


if __name__ == "__main__":
    main()
