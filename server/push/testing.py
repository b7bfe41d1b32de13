"""A local mock Web Push service on 127.0.0.1, for tests and `scripts/bench-push`.

It plays the part of FCM/Mozilla/Apple: each subscription it hands out has its own P-256 key
pair and auth secret (made here, like a browser would), and every message it receives is
decrypted with `http_ece` (aes128gcm) and recorded with its headers and VAPID claims. A
subscription can be told to answer 410 (gone), 404, 403, or 429/500 a number of times
before accepting, or to redirect elsewhere (`location`), to exercise the sender's error
handling. `before_request` lets a test act at an exact point of a run (kill the sender
before the Nth message): returning False drops that request unanswered and unrecorded, as a
connection that broke before the push service took the message. Loopback only.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Behaviour:
    """How a subscription's endpoint answers: `status` after `fail_times` failures."""

    status: int = 201
    fail_status: int = 429
    fail_times: int = 0
    retry_after: str | None = None
    location: str | None = None  # sent as Location (with a 3xx `status`)


@dataclass
class Receiver:
    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    behaviour: Behaviour
    failures_sent: int = 0


@dataclass
class Delivery:
    """One POST the service received."""

    token: str
    status: int
    at: float
    headers: dict[str, str]
    payload: dict[str, Any] | None
    vapid_claims: dict[str, Any] | None
    vapid_valid: bool
    problem: str | None = None


@dataclass
class MockPushService:
    """Start with `with MockPushService() as service:`; `service.subscription()` gives a
    PushSubscription-like dict whose endpoint points here."""

    record_payloads: bool = True
    decrypt: bool = True
    receivers: dict[str, Receiver] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    accepted: int = 0
    #: Messages accepted per subscription token (kept even without record_payloads).
    accepted_per_token: dict[str, int] = field(default_factory=dict)
    #: Called with each request's token before it is handled; False drops the request.
    before_request: Callable[[str], bool] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the mock push service is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def subscription(
        self,
        behaviour: Behaviour | None = None,
        private_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict[str, Any]:
        """A new subscription (endpoint + keys) as `PushSubscription.toJSON()` gives it."""
        token = secrets.token_urlsafe(16)
        key = private_key or ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        with self._lock:
            self.receivers[token] = Receiver(token, key, auth, behaviour or Behaviour())
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.base_url}/push/{token}",
            "expirationTime": None,
            "keys": {"p256dh": _b64url(public), "auth": _b64url(auth)},
        }

    def deliveries_for(self, subscription: dict[str, Any]) -> list[Delivery]:
        token = str(subscription["endpoint"]).rsplit("/", 1)[-1]
        with self._lock:
            return [d for d in self.deliveries if d.token == token]

    def accepted_deliveries(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.status == 201]

    # --- server ------------------------------------------------------------------------------

    def __enter__(self) -> MockPushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real push services do

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                hook = service.before_request
                if hook is not None and not hook(self.path.rsplit("/", 1)[-1]):
                    self.close_connection = True  # no answer, nothing recorded
                    return
                status, headers = service._receive(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: tests read `deliveries`

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _receive(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str]]:
        token = path.rsplit("/", 1)[-1]
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            receiver = self.receivers.get(token)
            if receiver is None:
                status, reply = 404, {}
            elif receiver.failures_sent < receiver.behaviour.fail_times:
                receiver.failures_sent += 1
                status = receiver.behaviour.fail_status
                reply = (
                    {"Retry-After": receiver.behaviour.retry_after}
                    if receiver.behaviour.retry_after is not None
                    else {}
                )
            else:
                status, reply = receiver.behaviour.status, {}
                if receiver.behaviour.location is not None:
                    reply = {"Location": receiver.behaviour.location}
        payload: dict[str, Any] | None = None
        claims: dict[str, Any] | None = None
        valid = False
        problem = None
        if receiver is not None and status == 201 and self.decrypt:
            try:
                plain = http_ece.decrypt(
                    body,
                    private_key=receiver.private_key,
                    auth_secret=receiver.auth,
                    version="aes128gcm",
                )
                payload = json.loads(plain) if self.record_payloads else None
                claims, valid = _check_vapid(lowered.get("authorization", ""))
            except Exception as exc:  # a broken message is recorded, never fatal
                problem = f"{type(exc).__name__}: {exc}"
                status = 400
        delivery = Delivery(
            token=token,
            status=status,
            at=time.monotonic(),
            headers=lowered if self.record_payloads else {},
            payload=payload,
            vapid_claims=claims,
            vapid_valid=valid,
            problem=problem,
        )
        with self._lock:
            if status == 201:
                self.accepted += 1
                self.accepted_per_token[token] = self.accepted_per_token.get(token, 0) + 1
            if self.record_payloads or status != 201:
                self.deliveries.append(delivery)
        return status, reply


def _check_vapid(header: str) -> tuple[dict[str, Any] | None, bool]:
    """The JWT claims of a `vapid t=...,k=...` Authorization header and whether it verifies."""
    if not header.lower().startswith("vapid "):
        return None, False
    parts = dict(item.strip().split("=", 1) for item in header[6:].split(",") if "=" in item)
    token = parts.get("t", "")
    try:
        claims = json.loads(_b64url_decode(token.split(".")[1]))
        return claims, bool(Vapid02.verify(header))
    except Exception:
        return None, False
