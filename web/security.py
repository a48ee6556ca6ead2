"""Who may call the API and how much they may send.

On 127.0.0.1 the service is the planner's own; on any other address it needs a token,
and every /api request must then carry `Authorization: Bearer TOKEN` (the page itself and
its static files load without, then ask for the token). Request bodies are capped, and
every id a client sends is an int checked before it names a row or a folder.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_BODY = 5 * 1024 * 1024  # bytes: a Bremen-size instance is ~40 kB, a units table < 1 MB
MAX_ID = 2**62


def needs_token(host: str) -> bool:
    return host not in LOCAL_HOSTS


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: the token check for /api and the body size limit (413)."""

    def __init__(self, app: Any, token: str | None, max_body: int = MAX_BODY):
        self.app = app
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("path", "")
        if (
            self.token
            and (path == "/api" or path.startswith("/api/"))
            and not self._authorised(headers.get("authorization", ""))
        ):
            await _json(
                send,
                401,
                "a token is needed: send the header 'Authorization: Bearer "
                "TOKEN' (the token `juwe serve` printed at start)",
                extra=[(b"www-authenticate", b"Bearer")],
            )
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _json(send, 413, self._too_large())
            return
        received = 0
        started = False

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await _json(send, 413, self._too_large())

    def _authorised(self, header: str) -> bool:
        scheme, _, given = header.partition(" ")
        assert self.token is not None
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        )

    def _too_large(self) -> str:
        return (
            f"the request is larger than {self.max_body // (1024 * 1024)} MB; "
            "upload a smaller instance or table"
        )


async def _json(send: Any, status: int, message: str, extra: list | None = None) -> None:
    body = json.dumps({"message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})
