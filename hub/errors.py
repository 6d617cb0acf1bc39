"""Domain errors. They know nothing of HTTP or GraphQL; the transport maps `code` to
`extensions.code` and `field` to `extensions.field`."""


class HubError(Exception):
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
