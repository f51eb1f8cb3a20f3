"""No input makes any route answer 5xx (issue 14).

Every route of the app, the JSON API and the pages alike, gets hostile values for each of its
declared parameters (path, query, headers, form fields, each place of a JSON body) and for the
query fields pages read by hand, sent by the role that may call it, over the test database
(run once on SQLite and once on PostgreSQL). Bad input must get a 4xx in French, never a 5xx;
every answer carries the security headers and shows markup escaped.

The world has no Rasa (its server's port is closed, its command line missing), so the one 5xx
allowed is the designed 503 of a page that needs it, saying so in French: what a trainer must
see when Rasa is down. Any other 5xx, or a 503 that is not that answer, fails.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from api.core.clock import local_today
from api.core.config import Settings
from api.core.errors import DomainError
from api.training.rasa_cli import RasaUnavailable
from api.training.serving import ServingError
from tests.hardening import hostile
from tests.hardening.conftest import Caller, World, sign_in_again
from tests.hardening.routes import READ_BY_HAND, Case, cases, other_routes, reads_query_by_hand

FORM = "application/x-www-form-urlencoded"
# Phrases of the framework's English messages: a refusal must be explained in French.
ENGLISH = (
    "Input should",
    "Field required",
    "Value error",
    "Unable to",
    "value is not",
    "There was an error",
    "Not Found",
    "Internal Server Error",
    "Method Not Allowed",
)

# The answers of a page or API call that needs the Rasa the world does not have.
RASA_DOWN: tuple[type[DomainError], ...] = (RasaUnavailable, ServingError)


def rasa_down_answer(response: httpx.Response) -> bool:
    """The designed 503 of RASA_DOWN: its code in JSON, or its French error page."""
    if response.status_code != 503:
        return False
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return response.json().get("code") in {error.code for error in RASA_DOWN}
    return any(f"<title>{error.title} –" in response.text for error in RASA_DOWN)


def path_values(world: World) -> dict[str, str]:
    return {
        "claim_id": str(world.claim_id),
        "reference": world.reference,
        "provider_id": str(world.provider_id),
        "key": world.message_key,
        "intent": "greet",
        "run_id": str(world.run_id),
        "version": world.version,
        "path": "inconnu",
    }


def form_values(world: World) -> dict[str, str]:
    """A plausible value for each form field, so the one under attack gets deep."""
    return {
        "username": "personne",
        "password": "",  # see WRONG_PASSWORD
        "next": "/agent",
        "grant_type": "password",
        "scope": "",
        "client_id": "",
        "client_secret": "",
        "status": "in_review",
        "note": "Vu avec le professionnel.",
        "assigned_to": str(world.agent_id),
        "original": world.other_reference,
        "mode": "link",
        "intent": "greet",
        "entity_0": "",
        "value_0": "",
        "entity_1": "",
        "value_1": "",
        "entity_2": "",
        "value_2": "",
        "base": "",
        "text": "bonjour à toute l'équipe",
        "old": "",
    }


def json_bodies(world: World) -> dict[str, dict[str, Any]]:
    today = local_today("Europe/Paris")
    return {
        "POST /api/v1/claims": {
            "policyholder_id": world.policyholder_id,
            "provider_id": world.provider_id,
            "act_code": "G",
            "care_date": (today - timedelta(days=2)).isoformat(),
            "quantity": 1,
            "amount_billed": 26.5,
            "amount_reimbursed": 18.55,
            "paid_date": (today - timedelta(days=1)).isoformat(),
            "third_party_payment": False,
        },
        "POST /api/v1/reports": {
            # Not attached to the world's claim: that one already has an open report.
            "claim_id": None,
            "care_date": (today - timedelta(days=5)).isoformat(),
            "provider_name": "Dr Sophie Martin",
            "description": "Je n'ai jamais eu ce rendez-vous.",
            "anomaly_type": "not_performed",
        },
        "POST /api/v1/admin/security/unlock": {"key": None, "username": "inconnu", "address": None},
        "POST /api/v1/reports/{reference}/complements": {
            "text": "J'ajoute que le cabinet était fermé ce jour-là.",
        },
        "PATCH /api/v1/reports/{reference}": {
            "status": "in_review",
            "note": "Vu.",
            "assigned_to_id": world.agent_id,
            "unassign": False,
        },
    }


@dataclass
class Sweep:
    world: World
    failures: list[str] = field(default_factory=list)
    sent: int = 0
    rasa_down: int = 0  # designed 503s of pages that need Rasa (see RASA_DOWN)

    def send(
        self,
        caller: Caller,
        case: Case,
        *,
        path: dict[str, str] | None = None,
        query: list[tuple[str, str]] | None = None,
        form: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, bytes] | None = None,
        what: str = "base",
    ) -> httpx.Response:
        values = {**path_values(self.world), **(path or {})}
        url = case.path
        for name, value in values.items():
            url = url.replace(f"{{{name}:path}}", hostile.wire(value))
            url = url.replace(f"{{{name}}}", hostile.wire(value))
        if query:
            url += "?" + hostile.query_string(query)
        sent_headers: dict[str, str | bytes] = {**caller.bearer, **(headers or {})}
        content = None
        if form is not None:
            content = hostile.query_string(list(form.items())).encode()
            sent_headers["content-type"] = FORM
        elif body is not None:
            content = body
            sent_headers["content-type"] = "application/json"
        response = caller.client.request(
            case.method, url, content=content, headers=sent_headers, follow_redirects=False
        )
        self.sent += 1
        self.check(caller, case, what, response)
        return response

    def check(self, caller: Caller, case: Case, what: str, response: httpx.Response) -> None:
        where = f"{case.label} as {caller.role}, {what}"
        if response.status_code >= 500 and rasa_down_answer(response):
            self.rasa_down += 1
        elif response.status_code >= 500:
            self.failures.append(f"{where}: {response.status_code} {response.text[:200]!r}")
        if response.headers.get("x-content-type-options") != "nosniff":
            self.failures.append(f"{where}: no security headers")
        kind = response.headers.get("content-type", "")
        if kind.startswith("application/json") and response.status_code >= 400:
            detail = str(response.json().get("detail", ""))
            if any(phrase in detail for phrase in ENGLISH):
                self.failures.append(f"{where}: not in French: {detail[:200]!r}")
        if kind.startswith("text/html") and hostile.MARKUP in response.text:
            self.failures.append(f"{where}: markup shown unescaped")

    def form_for(self, caller: Caller, case: Case) -> dict[str, str] | None:
        if not case.form:
            return None
        known = form_values(self.world)
        values = {param.name: known.get(param.name, "") for param in case.form}
        if "csrf_token" in values:
            values["csrf_token"] = caller.csrf
        return values

    def body_for(self, case: Case) -> dict[str, Any] | None:
        if case.body_model is None:
            return None
        body = json_bodies(self.world).get(case.label)
        expected = set(case.body_model.model_fields) - ASSISTANT_ONLY.get(case.label, set())
        if body is None or expected - set(body):
            self.failures.append(f"{case.label}: the sweep has no full JSON body for it")
            return None
        return body


# Routes whose hostile inputs are tested elsewhere, with why.
ATTACKED_ELSEWHERE = {
    # Changing the sweep's own password would end the sessions it attacks everything else with.
    "POST /api/v1/auth/password": "tests/accounts/test_password_input.py",
}
# Fields only the assistant's own identity may send: a policyholder sending them is refused
# (403) before anything else is read, so the sweep, signed in as people, leaves them out.
ASSISTANT_ONLY = {"POST /api/v1/reports": {"transcript", "channel"}}

# A wrong password costs a real hash (sign-in takes the same time whether the account exists or
# not): only the attacks on the username send one, the others stop at the empty password.
WRONG_PASSWORD = {"username": {"password": "pas le bon"}}
# Open to anyone, and refusing with a 401 or a redirect to the sign-in page what they are sent.
PUBLIC = {"issue_token", "login", "logout"}


def _refused(response: httpx.Response) -> bool:
    location = response.headers.get("location", "")
    return response.status_code in (401, 403) or location.startswith("/connexion")


def allowed(sweep: Sweep, case: Case) -> list[Caller]:
    """The callers the route serves (pages: the first such role; the API: every one)."""
    if case.endpoint in PUBLIC:
        return sweep.world.callers[:1]
    found = []
    for caller in sweep.world.callers:
        body = sweep.body_for(case)
        response = sweep.send(
            caller,
            case,
            form=sweep.form_for(caller, case),
            body=hostile.dumps(body) if body is not None else None,
        )
        if not _refused(response):
            found.append(caller)
    return found if case.path.startswith("/api/") else found[:1]


def attack(sweep: Sweep, caller: Caller, case: Case) -> None:
    form = sweep.form_for(caller, case)
    body = sweep.body_for(case)
    encoded = hostile.dumps(body) if body is not None else None

    def send(what: str, **changes: Any) -> None:
        options: dict[str, Any] = {"form": form, "body": encoded, **changes}
        sweep.send(caller, case, what=what, **options)

    _attack_address(send, case)
    for param in case.headers:
        for raw in (b"", b" ", b"x" * 300, "é".encode("latin-1"), b"a\x00b", b"\x7f"):
            send(f"header {param.name}={raw!r:.30}", headers={param.name: raw})
    for param in case.form:
        for value in hostile.for_parameter(param.annotation):
            assert form is not None
            changed = {**form, **WRONG_PASSWORD.get(param.name, {}), param.name: value}
            send(f"form {param.name}={value!r:.40}", form=changed)
    if body is not None:
        _attack_body(send, body)


def _attack_address(send: Callable[..., None], case: Case) -> None:
    for param in case.path_params:
        for value in hostile.for_parameter(param.annotation) + hostile.PATHS:
            send(f"path {param.name}={value!r:.40}", path={param.name: value})
    for param in case.query:
        for value in hostile.for_parameter(param.annotation):
            send(f"query {param.name}={value!r:.40}", query=[(param.name, value)])
    for value in ("a\x00b", "\ud800", "x" * 5000):
        send(f"undeclared query {value!r:.20}", query=[("inconnu", value)])


def _attack_body(send: Callable[..., None], body: dict[str, Any]) -> None:
    for at in hostile.leaves(body):
        for value in hostile.JSON_VALUES:
            send(f"json {at}={value!r:.40}", body=hostile.dumps(hostile.replaced(body, at, value)))
    for key in body:
        send(f"json without {key}", body=hostile.dumps(hostile.without(body, key)))
    for raw in hostile.WHOLE_BODIES:
        send(f"json body {raw[:20]!r}", body=raw)


def still_signed_in(sweep: Sweep) -> None:
    """A route may sign its caller out (« Se déconnecter »): sign them in again."""
    for caller in sweep.world.callers[1:]:
        if caller.client.get("/connexion", follow_redirects=False).status_code != 303:
            sign_in_again(caller)


def test_every_route_answers_any_input_without_a_server_error(
    app: FastAPI, world: World, small_workbench: Settings
) -> None:
    assert not small_workbench.rasa_bin.exists()  # why RASA_DOWN answers are the right ones
    started = time.monotonic()
    sweep = Sweep(world)
    routes = cases(app)
    unlisted = reads_query_by_hand(app) - set(READ_BY_HAND)
    assert not unlisted, f"pages reading query_params without their fields listed: {unlisted}"
    assert {"/openapi.json", "/static"} >= set(other_routes(app))
    for case in routes:
        if case.label in ATTACKED_ELSEWHERE:
            continue
        callers = allowed(sweep, case)
        if not callers:
            sweep.failures.append(f"{case.label}: no role reaches it")
        for caller in callers:
            attack(sweep, caller, case)
        still_signed_in(sweep)
    _attack_other_routes(sweep)
    elapsed = time.monotonic() - started
    print(
        f"{sweep.sent} requests on {len(routes)} routes in {elapsed:.0f} s, "
        f"{sweep.rasa_down} answered that Rasa is unavailable"
    )
    assert sweep.failures == [], "\n".join(sweep.failures[:60])
    assert len(routes) >= 50 and sweep.sent > 3000


def _attack_other_routes(sweep: Sweep) -> None:
    anonymous = sweep.world.callers[0]
    for path in ("/openapi.json", "/static/web.css"):
        case = Case("GET", path, "other")
        for value in ("a\x00b", "\ud800", "x" * 5000):
            sweep.send(anonymous, case, query=[("inconnu", value)], what=f"query {value!r:.20}")
    for value in hostile.TEXTS + hostile.PATHS:
        case = Case("GET", "/static/{name:path}", "static")
        sweep.send(anonymous, case, path={"name": value}, what=f"static {value!r:.40}")


def test_the_sweep_reaches_what_it_attacks(app: FastAPI, world: World) -> None:
    """The baseline requests get past validation (else the sweep would only test refusals)."""
    sweep = Sweep(world)
    by_label = {case.label: case for case in cases(app)}
    holder, agent, admin = world.callers[1], world.callers[2], world.callers[4]
    assert sweep.send(agent, by_label["GET /agent/signalements"]).status_code == 200
    match = by_label["GET /api/v1/claims/match"]
    today = local_today("Europe/Paris").isoformat()
    assert sweep.send(holder, match, query=[("care_date", today)]).status_code == 200
    bodies = json_bodies(world)
    for caller, label, status in [
        (holder, "POST /api/v1/reports", 201),
        (admin, "POST /api/v1/claims", 201),
        (agent, "PATCH /api/v1/reports/{reference}", 200),
    ]:
        body = json.dumps(bodies[label]).encode()
        answer = sweep.send(caller, by_label[label], body=body)
        assert answer.status_code == status, (label, answer.text)
    note = by_label["POST /agent/signalements/{reference}/notes"]
    noted = sweep.send(agent, note, form=sweep.form_for(agent, note))
    assert noted.headers["location"] == f"/agent/signalements/{world.reference}"
    assert sweep.failures == []


def test_only_the_designed_answer_of_a_missing_rasa_passes_as_unavailable() -> None:
    page = "<!doctype html><title>{} – Vigilance remboursements</title>"
    designed = httpx.Response(503, html=page.format(RasaUnavailable.title))
    assert rasa_down_answer(designed)
    assert rasa_down_answer(httpx.Response(503, json={"code": ServingError.code, "detail": "…"}))
    assert not rasa_down_answer(httpx.Response(500, html=page.format(RasaUnavailable.title)))
    assert not rasa_down_answer(httpx.Response(503, html=page.format("Erreur du serveur")))
    assert not rasa_down_answer(httpx.Response(503, json={"code": "internal", "detail": "…"}))
