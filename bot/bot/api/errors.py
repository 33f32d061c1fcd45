"""Errors of the backend client: the API's error codes, and the backend being unreachable."""

from __future__ import annotations


class BackendError(Exception):
    """The backend answered with an error body `{"error", "detail"}`."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class BackendUnavailable(Exception):
    """The backend could not be reached or answered 5xx."""
