"""Finding the claim a person means from a date and a provider typed their own way."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Policyholder
from api.claims.catalogue import ProviderKind
from api.claims.models import Claim
from tests.factories import Factory

CARE_DATE = date(2026, 3, 3)


@pytest.fixture
def holder(factory: Factory) -> Policyholder:
    return factory.policyholder()


@pytest.fixture
def claims(factory: Factory, holder: Policyholder) -> dict[str, Claim]:
    martin = factory.provider("Dr Sophie Martin", ProviderKind.GENERAL_PRACTITIONER)
    dupont = factory.provider("Dr Paul Dupont", ProviderKind.DENTIST)
    centre = factory.provider("Pharmacie du Centre", ProviderKind.PHARMACY)
    ecoles = factory.provider("Pharmacie des Écoles", ProviderKind.PHARMACY)
    lefevre = factory.provider("Julien Lefèvre", ProviderKind.PHYSIOTHERAPIST)
    return {
        "martin": factory.claim(holder, martin, CARE_DATE, "G"),
        "dupont": factory.claim(holder, dupont, CARE_DATE, "HBLD036"),
        "centre": factory.claim(holder, centre, CARE_DATE, "PH7"),
        "ecoles": factory.claim(holder, ecoles, CARE_DATE - timedelta(days=20), "PH7"),
        "lefevre": factory.claim(holder, lefevre, CARE_DATE + timedelta(days=2), "AMK"),
    }


def match(
    client: TestClient, factory: Factory, holder: Policyholder, **params: str
) -> list[dict[str, Any]]:
    response = client.get("/api/v1/claims/match", params=params, headers=factory.auth(holder))
    assert response.status_code == 200, response.text
    return response.json()["candidates"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("docteur martin", "martin"),
        ("Dr Martin", "martin"),
        ("martin", "martin"),
        ("Dr. MARTIN Sophie", "martin"),
        ("le dentiste", "dupont"),
        ("dr dupont", "dupont"),
        ("pharmacie du centre", "centre"),
        ("pharmacie du centre", "centre"),
        ("lefevre", "lefevre"),
        ("le kiné", "lefevre"),
        ("martn", "martin"),
    ],
)
def test_provider_as_people_type_it_is_ranked_first(
    client: TestClient,
    factory: Factory,
    holder: Policyholder,
    claims: dict[str, Claim],
    typed: str,
    expected: str,
) -> None:
    candidates = match(client, factory, holder, care_date="2026-03-03", provider=typed)
    assert candidates, typed
    assert candidates[0]["claim"]["id"] == claims[expected].id, typed


def test_date_a_few_days_off_still_matches(
    client: TestClient, factory: Factory, holder: Policyholder, claims: dict[str, Claim]
) -> None:
    candidates = match(client, factory, holder, care_date="2026-03-06", provider="martin")
    assert candidates[0]["claim"]["id"] == claims["martin"].id
    assert candidates[0]["days_off"] == 3
    exact = match(client, factory, holder, care_date="2026-03-03", provider="martin")[0]
    assert candidates[0]["score"] < exact["score"]


def test_far_date_or_unknown_provider_gives_no_candidate(
    client: TestClient, factory: Factory, holder: Policyholder, claims: dict[str, Claim]
) -> None:
    assert match(client, factory, holder, care_date="2026-05-20", provider="martin") == []
    assert match(client, factory, holder, care_date="2026-03-03", provider="Dr Zidane") == []


def test_date_only_lists_that_period_closest_first(
    client: TestClient, factory: Factory, holder: Policyholder, claims: dict[str, Claim]
) -> None:
    ids = [c["claim"]["id"] for c in match(client, factory, holder, care_date="2026-03-05")]
    assert set(ids) == {claims[k].id for k in ("martin", "dupont", "centre", "lefevre")}
    assert ids[0] == claims["lefevre"].id  # 0 days off beats 2 days off


def test_provider_only_searches_the_history(
    client: TestClient, factory: Factory, holder: Policyholder, claims: dict[str, Claim]
) -> None:
    candidates = match(client, factory, holder, provider="pharmacie des ecoles")
    assert candidates[0]["claim"]["id"] == claims["ecoles"].id


def test_never_offers_another_policyholders_claim(
    client: TestClient, factory: Factory, holder: Policyholder, claims: dict[str, Claim]
) -> None:
    stranger = factory.policyholder()
    assert match(client, factory, stranger, care_date="2026-03-03", provider="martin") == []


def test_needs_a_date_or_a_provider(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    for params in ({}, {"provider": "   "}):
        response = client.get("/api/v1/claims/match", params=params, headers=factory.auth(holder))
        assert response.status_code == 422
        assert response.json()["detail"] == (
            "Indiquez au moins la date des soins ou le professionnel de santé."
        )


def test_bad_date_is_explained_in_french(
    client: TestClient, factory: Factory, holder: Policyholder
) -> None:
    response = client.get(
        "/api/v1/claims/match", params={"care_date": "3 mars"}, headers=factory.auth(holder)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "care_date", "message": "Une date au format AAAA-MM-JJ est attendue."}
    ]


def test_staff_cannot_use_the_assistants_matching(client: TestClient, factory: Factory) -> None:
    from api.accounts.models import StaffRole

    agent = factory.staff(StaffRole.AGENT)
    response = client.get(
        "/api/v1/claims/match", params={"care_date": "2026-03-03"}, headers=factory.auth(agent)
    )
    assert response.status_code == 403
