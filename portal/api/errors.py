"""ApiError and its kinds: what a call to the TI API can fail with, free of gql and requests."""

from __future__ import annotations


class ApiError(Exception):
    """A call to the TI API failed; `.code` is the upstream error code when there was one.

    `.data` holds whatever data came back beside the error (partial results), else None;
    `.field` the root field the error is about, when the answer said.
    """

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        data: dict | None = None,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class BadCredentials(ApiError):
    """Wrong email or password (never says which, nor whether the email exists)."""


class AccountDisabled(ApiError):
    """The account exists and the password was right, but the account is disabled."""


class TooManyAttempts(ApiError):
    """Too many failed logins for this email recently."""


class PasswordResetRequired(ApiError):
    """The learner must choose a new password before signing in."""


class TokenExpired(ApiError):
    """The learner's authToken is unknown, expired or revoked: they must sign in again."""


class BadInput(ApiError):
    """An argument was refused, or the document did not validate upstream."""


class NotFound(ApiError):
    """An id or slug the API does not know."""


class Forbidden(ApiError):
    """The learner may not do or see this."""


class RateLimited(ApiError):
    """The API's point budget is spent for now; `.retry_after` is in seconds (or None)."""

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        retry_after: float | None = None,
        data: dict | None = None,
        field: str | None = None,
    ):
        super().__init__(message, code, data=data, field=field)
        self.retry_after = retry_after


class Unavailable(ApiError):
    """The API cannot be used right now: down, too slow, a 5xx, a garbled answer, bad config."""


# errors[0].extensions.code -> kind. Codes not listed here give a plain ApiError.
KINDS_BY_CODE: dict[str, type[ApiError]] = {
    "INVALID_CREDENTIALS": BadCredentials,
    "ACCOUNT_DISABLED": AccountDisabled,
    "TOO_MANY_ATTEMPTS": TooManyAttempts,
    "PASSWORD_RESET_REQUIRED": PasswordResetRequired,
    "UNAUTHENTICATED": TokenExpired,
    "BAD_USER_INPUT": BadInput,
    "GRAPHQL_VALIDATION_FAILED": BadInput,
    "GRAPHQL_PARSE_FAILED": BadInput,
    "NOT_FOUND": NotFound,
    "FORBIDDEN": Forbidden,
    "RATE_LIMITED": RateLimited,
    # A missing or wrong API key is the portal's configuration, not the learner's doing.
    "UNAUTHORIZED": Unavailable,
}

__all__ = [
    "ApiError",
    "AccountDisabled",
    "BadCredentials",
    "BadInput",
    "Forbidden",
    "NotFound",
    "PasswordResetRequired",
    "RateLimited",
    "TokenExpired",
    "TooManyAttempts",
    "Unavailable",
    "KINDS_BY_CODE",
]
