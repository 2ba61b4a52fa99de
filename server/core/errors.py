"""Domain errors with a stable machine code; the web edge maps them to HTTP and pages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `code` is stable and machine-readable; `message` is for people."""

    status = 400
    code = "invalid"
    # True when what the request wrote before the refusal (an audit entry of it) must be kept.
    keeps_writes = False

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        field: str | None = None,
        status: int | None = None,
        details: dict | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field
        self.details = details or {}


class ValidationError(DomainError):
    status = 400
    code = "invalid"


class Unauthorized(DomainError):
    status = 401
    code = "login_required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
