"""The request body cap: ``413`` with a problem body, by Content-Length and by counting.

A request that declares a larger body is refused before the app sees it. A body without a
length (chunked) is counted as it is read: past the cap, reading raises ``UploadTooLarge``
and whatever the app then answers is replaced by the 413, so no route can turn it into
something else.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microcred.web.errors import UploadTooLarge, error_response, problem


def too_large_message(limit: int) -> str:
    return f"The request is larger than the limit of {limit:,} bytes ({limit / 1e6:g} MB)."


class BodyLimit:
    """ASGI middleware capping HTTP request bodies at ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = too_large_message(self.max_bytes)
        if "app" in scope:  # a browser's form gets the error page, the API a problem
            response = error_response(Request(scope), 413, message, code=UploadTooLarge.code)
        else:
            response = problem(413, message, code=UploadTooLarge.code)
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise UploadTooLarge(too_large_message(self.max_bytes))
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app's own answer is replaced by the 413 (sent once)
                if not started:
                    started = True
                    await self._reject(scope, receive, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except UploadTooLarge:
            if started:
                raise
            started = True
            await self._reject(scope, receive, send)
