"""Domain errors raised by services and shown to people by views, the API and the CLI."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A rule refused a change. message is for people; field names the input at fault.

    A refusal may carry several problems (each a message and its field, or None for the
    input as a whole), so that a form shows every mistake at once, each beside its field;
    message and field are then the first problem's.
    """

    status = 422

    def __init__(
        self, message: str, field: str | None = None, *,
        more: Sequence[tuple[str, str | None]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems: list[tuple[str, str | None]] = [(message, field), *more]

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """The messages of the problems that name a field, by field."""
        errors: dict[str, list[str]] = {}
        for message, field in self.problems:
            if field:
                errors.setdefault(field, []).append(message)
        return errors

    @property
    def full_message(self) -> str:
        """Every problem's message, one after the other."""
        return " ".join(message for message, _field in self.problems)

    def renamed(self, names: dict[str, str]) -> DomainError:
        """The same refusal with its fields renamed (e.g. the API's names for a form's)."""
        (message, field), *more = [(m, names.get(f, f) if f else f) for m, f in self.problems]
        return type(self)(message, field, more=more)


class Problems:
    """The problems found while checking one input, to refuse it once with all of them."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str | None]] = []

    def add(self, message: str, field: str | None = None) -> None:
        self.found.append((message, field))

    def add_error(self, error: DomainError) -> None:
        """Keep every problem of a refusal raised by a check that refuses on its own."""
        self.found.extend(error.problems)

    def has(self, field: str) -> bool:
        """Whether a problem was already found with field (a later check relying on it is moot)."""
        return any(found == field for _message, found in self.found)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_any(self, kind: type[DomainError] = DomainError) -> None:
        """Refuse with every problem found, if any."""
        if self.found:
            (message, field), *more = self.found
            raise kind(message, field, more=more)


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""

    status = 404


class Conflict(DomainError):
    """The change clashes with existing state (a duplicate, an overlap)."""

    status = 409


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403


class Gone(DomainError):
    """The thing existed but its contents were deleted on purpose (a retention period, an erasure)."""

    status = 410
