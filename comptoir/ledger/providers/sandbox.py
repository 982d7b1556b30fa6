"""The loopback payment sandbox: a small stdlib HTTP server speaking the Stripe-style protocol
that ``stripe.StripeProvider`` speaks (payment intents, refunds, payouts, signed webhooks).

It can be told what to do with the next write requests (``POST /_sandbox/script``):

* ``ok`` — succeed at once (the default when the script is empty);
* ``decline`` — 402 ``card_declined`` / ``payout_failed`` (replayed for the same key, like Stripe);
* ``error`` — 500 (not stored: a retry with the same key is executed);
* ``timeout`` — execute and store the request, then answer after ``timeout_seconds`` (the client
  has given up: its retry with the same key gets the stored answer, never a second object);
* ``pending_success`` / ``pending_failure`` — answer ``pending``/``processing``; the outcome is
  confirmed asynchronously by a signed webhook event after ``async_delay`` seconds or on
  ``POST /_sandbox/settle``.

Other control endpoints: ``GET /_sandbox/requests`` (every API request received: method, path,
idempotency key, form parameters), ``GET /_sandbox/events`` (signed events: payload + header),
``POST /_sandbox/config`` (``webhook_url``, ``async_delay``, ``timeout_seconds``),
``POST /_sandbox/reset``. ``manage.py payment_sandbox`` runs it standalone; the embedded
default starts one in-process on a free loopback port (``ensure_local_sandbox``)."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import signing

logger = logging.getLogger(__name__)

_PREFIX = {"payment_intent": "pi", "refund": "re", "payout": "po"}
_PATHS = {"/v1/payment_intents": "payment_intent", "/v1/refunds": "refund", "/v1/payouts": "payout"}


def _unix_now() -> float:
    """Webhook timestamps are real Unix time (the provider's clock, not the movable one)."""
    from comptoir.core.clock import wall_now

    return wall_now().timestamp()


@dataclass
class SandboxState:
    secret_key: str
    webhook_secret: str
    webhook_url: str = ""
    async_delay: float = 0.5
    timeout_seconds: float = 3.0
    script: list[str] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, str] = field(default_factory=dict)  # object id → final status
    lock: threading.RLock = field(default_factory=threading.RLock)


def _nest(params: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in params.items():
        value = values[-1]
        if "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


class SandboxServer:
    """``server = SandboxServer(...).start()``; ``server.url``; ``server.stop()``."""

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_url: str = "",
    ) -> None:
        self.state = SandboxState(
            secret_key=secret_key, webhook_secret=webhook_secret, webhook_url=webhook_url
        )
        state = self.state
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("sandbox: " + format, *args)

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                if path == "/_sandbox/requests":
                    with state.lock:
                        return self._send(200, list(state.requests))
                if path == "/_sandbox/events":
                    with state.lock:
                        return self._send(200, list(state.events))
                if not outer._authorised(self.headers.get("Authorization", "")):
                    return self._send(401, _error("authentication_error", "Invalid API key."))
                parts = path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == "v1":
                    with state.lock:
                        obj = state.objects.get(parts[2])
                    if obj is not None:
                        return self._send(200, obj)
                return self._send(404, _error("resource_missing", "No such object."))

            def do_POST(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                raw = self._body()
                if path.startswith("/_sandbox/"):
                    return self._send(*outer._control(path, raw))
                kind = _PATHS.get(path)
                if kind is None:
                    return self._send(404, _error("resource_missing", "Unknown endpoint."))
                if not outer._authorised(self.headers.get("Authorization", "")):
                    return self._send(401, _error("authentication_error", "Invalid API key."))
                params = _nest(urllib.parse.parse_qs(raw.decode(), keep_blank_values=True))
                key = self.headers.get("Idempotency-Key", "")
                status, body, delay = outer._write(kind, path, key, params)
                if delay:
                    time.sleep(delay)
                self._send(status, body)

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._timer_stop = threading.Event()

    # --- lifecycle --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="payment-sandbox", daemon=True
        )
        self._thread.start()
        threading.Thread(
            target=self._settle_loop, name="payment-sandbox-async", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._timer_stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        threading.Thread(
            target=self._settle_loop, name="payment-sandbox-async", daemon=True
        ).start()
        self._httpd.serve_forever()

    # --- behaviour --------------------------------------------------------------------------
    def _authorised(self, header: str) -> bool:
        return secrets.compare_digest(header, f"Bearer {self.state.secret_key}")

    def _write(
        self, kind: str, path: str, key: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], float]:
        state = self.state
        fingerprint = json.dumps([path, params], sort_keys=True)
        with state.lock:
            state.requests.append(
                {"method": "POST", "path": path, "idempotency_key": key, "params": params}
            )
            if key and key in state.idempotency:
                stored_fp, status, body = state.idempotency[key]
                if stored_fp != fingerprint:
                    return (
                        400,
                        _error(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters.",
                        ),
                        0,
                    )
                return status, body, 0
            mode = state.script.pop(0) if state.script else "ok"
            if mode == "error":
                return 500, _error("api_error", "Sandbox: internal error (scripted)."), 0
            if mode == "decline":
                code = "card_declined" if kind != "payout" else "payout_failed"
                status, body = 402, _error(code, f"Sandbox: {kind} declined (scripted).")
            else:
                status, body = 200, self._create(kind, params, mode)
            if key:
                state.idempotency[key] = (fingerprint, status, body)
            delay = state.timeout_seconds if mode == "timeout" else 0
            return status, body, delay

    def _create(self, kind: str, params: dict[str, Any], mode: str) -> dict[str, Any]:
        state = self.state
        object_id = f"{_PREFIX[kind]}_sbx_{secrets.token_hex(8)}"
        pending = mode in {"pending_success", "pending_failure"}
        final = {
            "payment_intent": "succeeded",
            "refund": "succeeded",
            "payout": "paid",
        }[kind]
        failed = {
            "payment_intent": "requires_payment_method",
            "refund": "failed",
            "payout": "failed",
        }[kind]
        waiting = {"payment_intent": "processing", "refund": "pending", "payout": "pending"}[kind]
        obj: dict[str, Any] = {
            "id": object_id,
            "object": kind,
            "amount": int(params.get("amount", 0)),
            "currency": str(params.get("currency", "eur")),
            "status": waiting if pending else final,
            "metadata": params.get("metadata", {}),
            "created": int(_unix_now()),
        }
        if kind == "refund":
            obj["payment_intent"] = params.get("payment_intent", "")
        if kind == "payout":
            obj["destination"] = params.get("destination", "")
        state.objects[object_id] = obj
        if pending:
            state.pending[object_id] = final if mode == "pending_success" else failed
            obj["_settle_at"] = _unix_now() + state.async_delay
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def settle(self, *, only_due: bool = False) -> list[dict[str, Any]]:
        """Confirm pending objects (all, or only those due): one signed event each."""
        now = _unix_now()
        emitted = []
        with self.state.lock:
            for object_id, final in list(self.state.pending.items()):
                obj = self.state.objects[object_id]
                if only_due and obj.get("_settle_at", 0) > now:
                    continue
                del self.state.pending[object_id]
                obj["status"] = final
                obj.pop("_settle_at", None)
                suffix = {
                    "succeeded": "succeeded",
                    "paid": "paid",
                    "failed": "failed",
                    "requires_payment_method": "payment_failed",
                }[final]
                emitted.append(self._event(f"{obj['object']}.{suffix}", obj))
        for event in emitted:
            self._deliver(event)
        return emitted

    def _event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "id": f"evt_sbx_{secrets.token_hex(8)}",
            "object": "event",
            "type": event_type,
            "created": int(_unix_now()),
            "data": {"object": dict(obj)},
        }
        payload = json.dumps(event, sort_keys=True)
        signed = {
            "id": event["id"],
            "type": event_type,
            "payload": payload,
            "signature": signing.sign(payload.encode(), secret=self.state.webhook_secret),
        }
        self.state.events.append(signed)
        return signed

    def _deliver(self, event: dict[str, Any]) -> None:
        url = self.state.webhook_url
        if not url:
            return
        request = urllib.request.Request(
            url,
            data=event["payload"].encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                signing.SIGNATURE_HEADER: event["signature"],
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except Exception as exc:  # the platform will learn the outcome on a retry or a resend
            logger.warning("sandbox: webhook %s to %s failed: %s", event["id"], url, exc)

    def _settle_loop(self) -> None:
        while not self._timer_stop.wait(0.2):
            try:
                self.settle(only_due=True)
            except Exception:  # pragma: no cover
                logger.exception("sandbox: settle loop failed")

    def _control(self, path: str, raw: bytes) -> tuple[int, Any]:
        state = self.state
        try:
            body = json.loads(raw.decode() or "{}")
        except ValueError:
            return 400, _error("invalid_request_error", "JSON expected.")
        if path == "/_sandbox/script":
            modes = [str(m) for m in body.get("modes", [])]
            allowed = {"ok", "decline", "error", "timeout", "pending_success", "pending_failure"}
            if not set(modes) <= allowed:
                return 400, _error("invalid_request_error", f"modes: {sorted(allowed)}")
            with state.lock:
                state.script.extend(modes)
            return 200, {"script": list(state.script)}
        if path == "/_sandbox/config":
            with state.lock:
                if "webhook_url" in body:
                    state.webhook_url = str(body["webhook_url"])
                if "async_delay" in body:
                    state.async_delay = float(body["async_delay"])
                if "timeout_seconds" in body:
                    state.timeout_seconds = float(body["timeout_seconds"])
            return 200, {"ok": True}
        if path == "/_sandbox/settle":
            return 200, self.settle()
        if path == "/_sandbox/reset":
            with state.lock:
                state.script.clear()
                state.objects.clear()
                state.idempotency.clear()
                state.requests.clear()
                state.events.clear()
                state.pending.clear()
            return 200, {"ok": True}
        return 404, _error("resource_missing", "Unknown control endpoint.")


def _error(code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "type": "api_error" if code == "api_error" else "invalid_request_error",
            "code": code,
            "message": message,
        }
    }


_local_lock = threading.Lock()
_local: SandboxServer | None = None


def ensure_local_sandbox() -> SandboxServer:
    """The process's own sandbox on a free loopback port (the embedded default)."""
    global _local
    from django.conf import settings

    with _local_lock:
        if _local is None:
            site = str(getattr(settings, "SITE_URL", "")).rstrip("/")
            _local = SandboxServer(
                secret_key=str(settings.PAYMENT_PROVIDER_SECRET_KEY),
                webhook_secret=str(settings.PAYMENT_PROVIDER_WEBHOOK_SECRET),
                webhook_url=f"{site}/api/v1/payments/webhooks/sandbox" if site else "",
            ).start()
            logger.info("payment sandbox listening on %s", _local.url)
        return _local
