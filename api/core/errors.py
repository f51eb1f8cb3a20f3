"""The one family of errors, and the French JSON error bodies every client receives.

A use case raises a `DomainError` subclass wherever it is called from; the address decides how
it reads: a JSON body under /api (``{"detail": "<phrase en français>", "code": "<slug>"}``, plus
``errors``, one entry per invalid field), a French error page titled `title` elsewhere
(api/web/errors.py), or a message on the page a posted form returns to (api/web/outcomes.py).
"""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException


class DomainError(Exception):
    status_code = 400
    code = "bad_request"
    # The title of the French error page when a page raises it.
    title = "Requête incorrecte"
    # Extra response headers (Retry-After of a 429).
    headers: dict[str, str] | None = None

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # More members of the error body (what a client needs to act on it), and headers.
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"
    title = "Connexion requise"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    title = "Accès refusé"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    title = "Page introuvable"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    title = "Demande impossible"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"
    title = "Requête incorrecte"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"
    title = "Trop de demandes"


HTTP_MESSAGES = {
    400: "Requête incorrecte.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    413: "Requête trop volumineuse.",
    415: "Type de contenu non pris en charge.",
    429: "Trop de requêtes : merci de réessayer dans un instant.",
}

VALIDATION_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "string_too_short": "Ce texte est trop court (au moins {min_length} caractère(s)).",
    "string_too_long": "Ce texte est trop long (au plus {max_length} caractères).",
    "string_type": "Un texte est attendu.",
    "string_pattern_mismatch": "Le format n'est pas valide.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "decimal_parsing": "Un montant est attendu.",
    "decimal_type": "Un montant est attendu.",
    "decimal_max_places": "Au plus {decimal_places} chiffres après la virgule.",
    "decimal_max_digits": "Ce montant est trop grand.",
    "decimal_whole_digits": "Ce montant est trop grand.",
    "float_parsing": "Un nombre est attendu.",
    "bool_parsing": "Une valeur vrai ou faux est attendue.",
    "bool_type": "Une valeur vrai ou faux est attendue.",
    "date_from_datetime_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_type": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_inexact": "Une date sans heure est attendue.",
    "datetime_parsing": "Une date et une heure au format ISO 8601 sont attendues.",
    "datetime_from_date_parsing": "Une date et une heure au format ISO 8601 sont attendues.",
    "datetime_type": "Une date et une heure au format ISO 8601 sont attendues.",
    "timezone_aware": "L'heure doit préciser son fuseau horaire.",
    "enum": "Valeur non reconnue : valeurs possibles {expected}.",
    "literal_error": "Valeur non reconnue : valeurs possibles {expected}.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "greater_than_equal": "La valeur doit être supérieure ou égale à {ge}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "less_than_equal": "La valeur doit être inférieure ou égale à {le}.",
    "too_long": "Trop d'éléments (au plus {max_length}).",
    "too_short": "Pas assez d'éléments (au moins {min_length}).",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "extra_forbidden": "Ce champ n'est pas accepté.",
    "finite_number": "Un nombre fini est attendu.",
    "int_parsing_size": "Ce nombre est trop grand.",
    "string_unicode": "Ce texte contient des caractères invalides.",
    "float_type": "Un nombre est attendu.",
    "decimal_finite_number": "Un montant fini est attendu.",
}
# Error types raised by the project's own validators, whose messages are already French.
OUR_OWN = frozenset({"value_error", "assertion_error"})


def error_body(
    message: str, code: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": message, "code": code}
    if errors:
        body["errors"] = errors
    return body


def _field_name(location: tuple[int | str, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _translate(error: dict[str, Any]) -> str:
    template = VALIDATION_MESSAGES.get(error["type"])
    if template is None and error["type"] in OUR_OWN:
        # Our own validators raise ValueError with a French message.
        message = str(error.get("msg", "Valeur invalide."))
        return message.removeprefix("Value error, ") or "Valeur invalide."
    if template is None:  # a check of pydantic's not translated above: never its English
        return "Valeur invalide."
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template.split(":")[0].rstrip(" .") + "."


def validation_errors(exc: RequestValidationError | ValidationError) -> list[dict[str, str]]:
    return [
        {"field": _field_name(tuple(err.get("loc", ()))), "message": _translate(dict(err))}
        for err in exc.errors()
    ]


def error_response(exc: DomainError) -> JSONResponse:
    """The JSON answer for a domain error (also returned directly by a route that must keep
    its transaction, which a raised error would roll back)."""
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        {**error_body(exc.message, exc.code, errors), **exc.extra},
        status_code=exc.status_code,
        headers=headers or None,
    )


def http_error_response(exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own refusals (no such route, method not allowed), as the API's JSON."""
    message = HTTP_MESSAGES.get(exc.status_code, "Erreur lors du traitement de la requête.")
    return JSONResponse(
        error_body(message, f"http_{exc.status_code}"),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        summary = "Requête invalide : " + " ; ".join(
            f"{e['field']} : {e['message']}" for e in errors
        )
        return JSONResponse(error_body(summary, "invalid_input", errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return http_error_response(exc)
