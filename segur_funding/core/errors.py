"""Errors that carry a message a user can read (in French) and a stable code for the API."""


class DomainError(Exception):
    """A refusal the user must see: an illegal move, bad input, a rule that forbids the action.

    `code` is stable (API clients and tests match on it); `message` is French and shown as is.
    """

    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """Input that cannot be processed at all: malformed, out of range, unreadable."""

    code = "INVALID_INPUT"
