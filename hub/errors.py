"""Domain errors. They know nothing of HTTP or GraphQL; the transport maps `code` to
`extensions.code` and `field` to `extensions.field`.

One language per audience: `message` is for API clients and operators (English); `zh`, where
an error reaches HR officers (a screening workbook, the console, a report), says the same in
Chinese. Codes stay English for machines."""


class HubError(Exception):
    code = "BAD_REQUEST"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        zh: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.zh = zh
        # Machine-readable facts beside the code (e.g. `earliest` for REPAIR_NOT_ELIGIBLE).
        self.extra = extra or {}

    @property
    def for_officers(self) -> str:
        """The message as an HR officer reads it: Chinese where the error has it."""
        return self.zh or self.message


class InvalidInput(HubError):
    code = "BAD_USER_INPUT"


class InvalidIdentifier(InvalidInput):
    code = "INVALID_IDENTIFIER"


class NotFound(HubError):
    code = "NOT_FOUND"


class Forbidden(HubError):
    code = "FORBIDDEN"


class Unauthenticated(HubError):
    code = "UNAUTHENTICATED"


class Unsupported(HubError):
    code = "NOT_SUPPORTED"


class ConfigurationError(HubError):
    code = "CONFIGURATION_ERROR"


class PurposeRequired(HubError):
    code = "PURPOSE_REQUIRED"


class Conflict(HubError):
    """The item is not in a state that allows the step (an objection already answered)."""

    code = "CONFLICT"


class RepairNotEligible(HubError):
    code = "REPAIR_NOT_ELIGIBLE"


class CursorExpired(HubError):
    """A change-feed cursor older than the feed's retention: resync from a snapshot."""

    code = "CURSOR_EXPIRED"
