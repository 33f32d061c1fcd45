"""The error contract: `{"error": "<CodeName>", "detail": "<human text>"}` with a correct status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class ErrorBody(BaseModel):
    """Every non-2xx answer (except 422, which keeps FastAPI's shape)."""

    error: str
    detail: str


class AppError(Exception):
    """Base of every expected error; the class name is the machine-readable code."""

    status_code: int = 400
    default_detail: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        if status_code is not None:
            self.status_code = status_code
        self.headers = headers
        super().__init__(self.detail)

    @property
    def code(self) -> str:
        """The `error` field: the class name, e.g. `InsufficientBalance`."""
        return type(self).__name__


class NotFound(AppError):
    """A resource does not exist (or is not visible to the caller)."""

    status_code = 404
    default_detail = "Not found"


class Conflict(AppError):
    """The request clashes with the current state (duplicate name, wrong status)."""

    status_code = 409
    default_detail = "Conflict"


class BadRequest(AppError):
    """A well-formed request that breaks a business rule."""

    status_code = 400


class NotAuthenticated(AppError):
    """No or invalid credentials."""

    status_code = 401
    default_detail = "Not authenticated"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PermissionDenied(AppError):
    """Authenticated, but not allowed."""

    status_code = 403
    default_detail = "Not allowed"


class RateLimited(AppError):
    """Too many requests; Retry-After says when to come back."""

    status_code = 429
    default_detail = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    """A dependency (database, Redis) is down; try again shortly."""

    status_code = 503
    default_detail = "Service temporarily unavailable, try again shortly"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})


def _body(code: str, detail: str) -> dict[str, Any]:
    return {"error": code, "detail": detail}


def _status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return "Error"


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(_body(exc.code, exc.detail), status_code=exc.status_code, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _status_code_name(exc.status_code)
    return JSONResponse(
        _body(_status_code_name(exc.status_code), detail),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # 422 keeps FastAPI's shape (detail is a list of errors) and adds the code.
    errors = []
    for err in exc.errors():
        item = {k: v for k, v in err.items() if k in ("type", "loc", "msg", "input")}
        if "ctx" in err:
            item["ctx"] = {k: str(v) for k, v in err["ctx"].items()}
        if isinstance(item.get("input"), bytes):
            item["input"] = item["input"].decode("utf-8", "replace")
        errors.append(item)
    return JSONResponse({"error": "ValidationError", "detail": errors}, status_code=422)


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return True
    if isinstance(exc, InterfaceError | OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    text = type(exc).__name__
    return text in {
        "ConnectionRefusedError",
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "ConnectionError",
        "TimeoutError",
        "AdminShutdownError",
        "ConnectionFailureError",
    } or isinstance(exc, ConnectionError | OSError)


def _unavailable(request: Request, exc: BaseException) -> JSONResponse:
    log.warning("dependency_unavailable", error=type(exc).__name__, path=request.url.path)
    return JSONResponse(
        _body("ServiceUnavailable", ServiceUnavailable.default_detail),
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _infrastructure_error(request: Request, exc: Exception) -> JSONResponse:
    # Database or Redis unreachable: 503 so clients retry; any other error of these types is a bug.
    if _is_connection_error(exc) or (exc.__cause__ is not None and _is_connection_error(exc.__cause__)):
        return _unavailable(request, exc)
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return JSONResponse(_body("InternalError", "Internal server error"), status_code=500)


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    if _is_connection_error(exc):
        return _unavailable(request, exc)
    log.exception("unhandled_error", path=request.url.path)
    return JSONResponse(_body("InternalError", "Internal server error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that keep every error in the contract's shape."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # Handlers for specific classes answer without re-raising (unlike the catch-all below, which
    # Starlette re-raises after answering so the server logs it).
    for exc_type in (DBAPIError, RedisError, OSError, TimeoutError):
        app.add_exception_handler(exc_type, _infrastructure_error)
    app.add_exception_handler(Exception, _unhandled_error)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting our error body for the given statuses."""
    return {s: {"model": ErrorBody, "description": _status_code_name(s)} for s in statuses}
