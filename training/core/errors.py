"""Domain errors raised by services and shown to people by views, the API and the CLI."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused a change. message is for people; field names the input at fault."""

    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""

    status = 404


class Conflict(DomainError):
    """The change clashes with existing state (a duplicate, an overlap)."""

    status = 409


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403
