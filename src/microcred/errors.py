"""The project's one exception root.

``MicrocredError(user_message, *, detail=None, code=...)``: ``user_message`` is safe to
show to a user (it names what was wrong and where); ``detail`` is for logs only.
Adapters (web, CLI) map these to a problem response or an exit code in one place.
"""

from __future__ import annotations


class MicrocredError(Exception):
    """A problem the user can act on. Raised by every layer; never a traceback for users."""

    code: str = "error"

    def __init__(self, user_message: str, *, detail: str | None = None, code: str | None = None):
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.user_message
