"""The model server the Rasa replicas pull from (`models: url:` in their endpoints.yml).

    GET /internal/model?replica=<name>
    Authorization: Bearer $MODEL_SERVER_TOKEN
    If-None-Match: <the ETag of the model the replica runs>

Answers 304 when the replica already runs the model in service (without reading the file),
200 with the file, its `ETag` (sha256), `filename` and `Content-Length` otherwise, 404 when
nothing is in service or MODEL_DISTRIBUTION is not `pull`. A replica that runs a previous model
also gets a 304 while another replica loads the new one (one at a time: a loading Rasa answers
nothing). Every pull is recorded. Not part of the public API (no /api/v1 prefix, not in the
OpenAPI schema).
"""

import hmac
import re

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings
from api.core.db import begin_write, utcnow
from api.core.errors import InvalidInput, NotAuthenticated, NotFound
from api.training import artifacts, pulls

MODEL_PATH = "/internal/model"
REPLICA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

router = APIRouter(include_in_schema=False)


def _check_token(settings: Settings, authorization: str | None) -> None:
    expected = settings.model_server_token
    scheme, _, given = (authorization or "").partition(" ")
    if (
        expected is None
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(given.strip().encode(), expected.get_secret_value().encode())
    ):
        raise NotAuthenticated("Jeton du serveur de modèles absent ou invalide.")


def entity_tags(header: str | None) -> list[str]:
    """The opaque tags of an If-None-Match header (quoted or not, weak or not)."""
    tags = []
    for part in (header or "").split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag:
            tags.append(tag)
    return tags


def etag(sha256: str) -> str:
    return f'"{sha256}"'


@router.get(MODEL_PATH)
def pull_model(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if settings.model_distribution != "pull":
        raise NotFound("Les modèles ne sont pas distribués par le service (MODEL_DISTRIBUTION).")
    _check_token(settings, request.headers.get("authorization"))
    replica = request.query_params.get("replica", "")
    if not REPLICA_NAME.match(replica):
        raise InvalidInput(
            "Paramètre replica absent ou invalide\u00a0: lettres sans accent, chiffres, "
            "points, tirets ou soulignés, 63 caractères au plus.",
            field="replica",
        )
    tags = entity_tags(request.headers.get("if-none-match"))
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        begin_write(session)
        answer = pulls.answer_pull(session=session, name=replica, tags=tags, now=utcnow())
        session.commit()
    served = answer.served
    if served is None:
        raise NotFound("Aucun modèle n'est en service.")
    headers = {"ETag": etag(served.sha256), "Cache-Control": "no-cache"}
    if answer.outcome == "current":
        return Response(status_code=304, headers=headers)
    if answer.outcome == "wait":  # keep the model it runs for now: another one is loading
        return Response(status_code=304, headers={**headers, "ETag": etag(tags[0])})
    headers.update(
        {
            "filename": served.file_name,
            "Content-Length": str(served.size_bytes),
            "Content-Disposition": f'attachment; filename="{served.file_name}"',
        }
    )
    return StreamingResponse(
        artifacts.content(factory, served), media_type="application/gzip", headers=headers
    )
