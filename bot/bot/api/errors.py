"""Errors of the backend client: the API's error codes, and the backend being unreachable."""

from __future__ import annotations


class BackendError(Exception):
    """The backend answered with an error body `{"error", "detail"}`."""

    def __init__(self, status: int, code: str, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after

    @property
    def not_found(self) -> bool:
        """The object is gone or was never the customer's (the backend serves only their own)."""
        return self.status == 404

    @property
    def route_missing(self) -> bool:
        """The endpoint itself does not exist on this backend (an older deployment)."""
        # Starlette's own answer for an unknown route; the backend's NotFound errors say "Not found".
        return (self.code, self.detail) in {
            ("NotFound", "Not Found"),
            ("MethodNotAllowed", "Method Not Allowed"),
        }


class BackendUnavailable(Exception):
    """The backend could not be reached or answered 5xx."""
