"""Every route of the app with what it reads: declared parameters (walked in FastAPI's
dependency tree, sub-dependencies included) and the query fields a page reads by hand."""

import inspect
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from api.web.agent.filters import FIELDS as AGENT_LIST_FIELDS
from api.web.trainer.forms import ENTITY_ROWS

ANNOTATION_FIELDS = (
    "intent",
    *(f"{kind}_{i}" for i in range(ENTITY_ROWS) for kind in ("entity", "value")),
)
# Pages that read `request.query_params` themselves (lenient forms): the fields they read.
READ_BY_HAND: dict[str, tuple[str, ...]] = {
    "report_list": (*AGENT_LIST_FIELDS, "page"),
    "export_reports": (*AGENT_LIST_FIELDS, "page"),
    "inbox": ("intent", "confidence", "since", "until"),
    "message_preview": ANNOTATION_FIELDS,
    "intent_page": ("modifier",),
    "example_preview": ("text", "old"),
    "pull_model": ("replica",),
}


@dataclass
class Param:
    name: str
    annotation: Any = str


@dataclass
class Case:
    method: str
    path: str  # the template, « /api/v1/reports/{reference} »
    endpoint: str
    path_params: list[Param] = field(default_factory=list)
    query: list[Param] = field(default_factory=list)
    headers: list[Param] = field(default_factory=list)
    form: list[Param] = field(default_factory=list)
    body_model: type[BaseModel] | None = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _walk(dependant: Dependant, case: Case, seen: set[tuple[str, str]]) -> None:
    groups = (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
        ("body", dependant.body_params),
    )
    for kind, fields in groups:
        for model_field in fields:
            if (kind, model_field.alias) in seen:
                continue
            seen.add((kind, model_field.alias))
            param = Param(model_field.alias, model_field.field_info.annotation)
            if kind == "path":
                case.path_params.append(param)
            elif kind == "query":
                case.query.append(param)
            elif kind == "header":
                case.headers.append(param)
            elif isinstance(model_field.field_info, params.Form):
                case.form.append(param)
            else:
                annotation = model_field.field_info.annotation
                assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
                case.body_model = annotation
    for sub in dependant.dependencies:
        _walk(sub, case, seen)


def cases(app: FastAPI) -> list[Case]:
    """One case per method of every FastAPI route (the JSON API, the pages, /docs)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(context.methods or ()):
            case = Case(method, str(context.path), route.endpoint.__name__)
            _walk(context.dependant, case, set())
            case.query += [Param(name) for name in READ_BY_HAND.get(case.endpoint, ())]
            found.append(case)
    return found


def reads_query_by_hand(app: FastAPI) -> set[str]:
    """Endpoints whose code reads `request.query_params` (each must be listed above)."""
    return {
        route.endpoint.__name__
        for context in iter_route_contexts(app.routes)
        if isinstance(route := context.original_route, APIRoute)
        and "query_params" in inspect.getsource(route.endpoint)
    }


def other_routes(app: FastAPI) -> list[str]:
    """Paths of the routes that are not FastAPI's (the OpenAPI document, static files)."""
    return [
        str(context.path)
        for context in iter_route_contexts(app.routes)
        if not isinstance(context.original_route, APIRoute)
    ]
