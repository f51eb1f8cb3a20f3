"""A policyholder's payments: listing, filtering, reading one, recording one."""

from datetime import date, timedelta

from fastapi.testclient import TestClient

from api.accounts.models import StaffRole
from api.claims.catalogue import ProviderKind
from api.core.clock import local_today
from tests.factories import Factory

TODAY = local_today("Europe/Paris")


def test_claim_json_has_the_contract_fields(client: TestClient, factory: Factory) -> None:
    holder = factory.policyholder()
    dentist = factory.provider("Dr Paul Dupont", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, date(2026, 3, 3), "HBJD001")
    body = client.get(f"/api/v1/claims/{claim.id}", headers=factory.auth(holder)).json()
    assert body["id"] == claim.id
    assert body["care_date"] == "2026-03-03"
    assert body["provider"] == {
        "id": dentist.id,
        "name": "Dr Paul Dupont",
        "kind": "dentist",
        "kind_label": "dentiste",
        "identifier": dentist.identifier,
        "city": "Lyon",
    }
    assert body["act"] == {
        "code": "HBJD001",
        "label": "Détartrage et polissage des dents (HBJD001)",
    }
    assert body["amount_billed"] == 43.38
    assert body["amount_reimbursed"] == 26.03


def test_list_shows_only_own_claims_newest_first(client: TestClient, factory: Factory) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    gp = factory.provider()
    mine = [factory.claim(me, gp, TODAY - timedelta(days=d)) for d in (30, 2, 10)]
    factory.claim(other, gp, TODAY - timedelta(days=1))
    body = client.get("/api/v1/claims", headers=factory.auth(me)).json()
    assert body["total"] == 3
    assert [c["id"] for c in body["items"]] == [mine[1].id, mine[2].id, mine[0].id]


def test_policyholder_cannot_widen_the_list_to_someone_else(
    client: TestClient, factory: Factory
) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    factory.claim(other, factory.provider(), TODAY)
    body = client.get(f"/api/v1/claims?policyholder_id={other.id}", headers=factory.auth(me)).json()
    assert body["total"] == 0


def test_filters_by_dates_and_provider_text(client: TestClient, factory: Factory) -> None:
    me = factory.policyholder()
    pharmacy = factory.provider("Pharmacie des Écoles", ProviderKind.PHARMACY)
    gp = factory.provider()
    factory.claim(me, pharmacy, date(2026, 2, 1), "PH7")
    inside = factory.claim(me, pharmacy, date(2026, 3, 1), "PH7")
    factory.claim(me, gp, date(2026, 3, 2))
    body = client.get(
        "/api/v1/claims",
        headers=factory.auth(me),
        params={"date_from": "2026-02-15", "date_to": "2026-03-31", "provider": "ecoles"},
    ).json()
    assert [c["id"] for c in body["items"]] == [inside.id]


def test_provider_filter_ignores_case_and_accents(client: TestClient, factory: Factory) -> None:
    me = factory.policyholder()
    claim = factory.claim(me, factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST), TODAY)
    factory.claim(me, factory.provider(), TODAY)
    for typed in ("HELENE", "hélène garnier", "Garnier"):
        body = client.get(
            "/api/v1/claims", headers=factory.auth(me), params={"provider": typed}
        ).json()
        assert [c["id"] for c in body["items"]] == [claim.id], typed


def test_reversed_date_range_is_explained(client: TestClient, factory: Factory) -> None:
    response = client.get(
        "/api/v1/claims",
        headers=factory.auth(factory.policyholder()),
        params={"date_from": "2026-03-01", "date_to": "2026-02-01"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "La date de début doit précéder la date de fin."


def test_pagination(client: TestClient, factory: Factory) -> None:
    me, gp = factory.policyholder(), factory.provider()
    for d in range(5):
        factory.claim(me, gp, TODAY - timedelta(days=d))
    page = client.get("/api/v1/claims?limit=2&offset=2", headers=factory.auth(me)).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (5, 2, 2, 2)


def test_another_policyholders_claim_is_not_found(client: TestClient, factory: Factory) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    theirs = factory.claim(other, factory.provider(), TODAY)
    response = client.get(f"/api/v1/claims/{theirs.id}", headers=factory.auth(me))
    assert response.status_code == 404
    assert response.json()["detail"] == "Ce remboursement est introuvable."
    # The same answer as for a claim that does not exist at all.
    assert client.get("/api/v1/claims/999999", headers=factory.auth(me)).json() == response.json()


def test_agent_reads_any_claim(client: TestClient, factory: Factory) -> None:
    claim = factory.claim(factory.policyholder(), factory.provider(), TODAY)
    agent = factory.staff(StaffRole.AGENT)
    assert client.get(f"/api/v1/claims/{claim.id}", headers=factory.auth(agent)).status_code == 200


def _new_claim(holder_id: int, provider_id: int, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "policyholder_id": holder_id,
        "provider_id": provider_id,
        "act_code": "HBJD001",
        "care_date": (TODAY - timedelta(days=3)).isoformat(),
        "amount_billed": "43.38",
        "amount_reimbursed": "26.03",
    }
    body.update(overrides)
    return body


def test_admin_records_a_claim_labelled_from_the_catalogue(
    client: TestClient, factory: Factory
) -> None:
    holder = factory.policyholder()
    dentist = factory.provider("Dr Paul Dupont", ProviderKind.DENTIST)
    admin = factory.staff(StaffRole.ADMIN)
    response = client.post(
        "/api/v1/claims",
        headers=factory.auth(admin),
        json=_new_claim(holder.id, dentist.id, act_code="hbjd001"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["act"]["label"] == "Détartrage et polissage des dents (HBJD001)"
    assert body["paid_date"] == TODAY.isoformat()
    listed = client.get("/api/v1/claims", headers=factory.auth(holder)).json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]


def test_recording_a_claim_is_admin_only(client: TestClient, factory: Factory) -> None:
    holder, gp = factory.policyholder(), factory.provider()
    for account in (holder, factory.staff(StaffRole.AGENT), factory.staff(StaffRole.TRAINER)):
        response = client.post(
            "/api/v1/claims", headers=factory.auth(account), json=_new_claim(holder.id, gp.id)
        )
        assert response.status_code == 403
        assert response.json()["detail"] == "Votre compte ne permet pas cette action."


def test_recording_a_claim_refuses_bad_input(client: TestClient, factory: Factory) -> None:
    holder, gp = factory.policyholder(), factory.provider()
    admin = factory.auth(factory.staff(StaffRole.ADMIN))
    cases = {
        "act_code": (_new_claim(holder.id, gp.id, act_code="XXX"), "Ce code d'acte est inconnu."),
        "care_date": (
            _new_claim(holder.id, gp.id, care_date=(TODAY + timedelta(days=1)).isoformat()),
            "La date des soins ne peut pas être dans le futur.",
        ),
        "policyholder_id": (_new_claim(999, gp.id), "Cet assuré est introuvable."),
        "provider_id": (_new_claim(holder.id, 999), "Ce professionnel de santé est introuvable."),
    }
    for field, (body, message) in cases.items():
        response = client.post("/api/v1/claims", headers=admin, json=body)
        assert response.status_code == 422, field
        assert response.json()["errors"] == [{"field": field, "message": message}]
    too_much = _new_claim(holder.id, gp.id, amount_reimbursed="50.00")
    response = client.post("/api/v1/claims", headers=admin, json=too_much)
    assert response.status_code == 422
    assert "ne peut pas dépasser le montant facturé" in response.json()["detail"]
    assert client.get("/api/v1/claims", headers=factory.auth(holder)).json()["total"] == 0
