"""Who reads which reports, and the agents' workflow recorded as events."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.accounts.models import Policyholder, StaffRole, StaffUser
from api.core.clock import local_today
from tests.factories import Factory

TODAY = local_today("Europe/Paris")
URL = "/api/v1/reports"


def file(client: TestClient, factory: Factory, holder: Policyholder, **overrides: object) -> str:
    body: dict[str, object] = {
        "care_date": (TODAY - timedelta(days=3)).isoformat(),
        "provider_name": "Ambulances Rhône Secours",
        "description": "Transport jamais effectué.",
        "anomaly_type": "not_performed",
    }
    body.update(overrides)
    response = client.post(URL, headers=factory.auth(holder), json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


@pytest.fixture
def agent(factory: Factory) -> StaffUser:
    return factory.staff(StaffRole.AGENT)


def test_policyholder_lists_only_their_reports_with_status(
    client: TestClient, factory: Factory
) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    mine = file(client, factory, me)
    file(client, factory, other)
    body = client.get(URL, headers=factory.auth(me)).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert (item["reference"], item["status"], item["status_label"]) == (mine, "received", "Reçu")
    # No internal handling details for the policyholder.
    assert "events" not in item and "assigned_to_id" not in item and "policyholder_id" not in item


def test_policyholder_cannot_list_everyone_by_filtering(
    client: TestClient, factory: Factory
) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    file(client, factory, other)
    body = client.get(URL, params={"policyholder_id": other.id}, headers=factory.auth(me)).json()
    assert body["total"] == 0


def test_another_policyholders_report_is_not_found(client: TestClient, factory: Factory) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    theirs = file(client, factory, other)
    response = client.get(f"{URL}/{theirs}", headers=factory.auth(me))
    assert response.status_code == 404
    assert response.json()["detail"] == "Ce signalement est introuvable."


@pytest.mark.parametrize("reference", ["SIG-1999-000001", "XYZ-2026-000001", "SIG-2026-1", "nope"])
def test_malformed_or_unknown_references_are_not_found(
    client: TestClient, factory: Factory, agent: StaffUser, reference: str
) -> None:
    file(client, factory, factory.policyholder())
    assert client.get(f"{URL}/{reference}", headers=factory.auth(agent)).status_code == 404


def test_agent_lists_all_reports_with_filters(
    client: TestClient, factory: Factory, agent: StaffUser
) -> None:
    a, b = factory.policyholder(), factory.policyholder()
    first = file(
        client,
        factory,
        a,
        provider_name="Dr Hélène Garnier",
        description="Une couronne jamais posée",
        anomaly_type="not_performed",
    )
    second = file(
        client,
        factory,
        b,
        provider_name="Pharmacie du Centre",
        description="Boîte facturée deux fois",
        anomaly_type="billed_twice",
    )
    headers = factory.auth(agent)

    def refs(**params: object) -> list[str]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["reference"] for item in response.json()["items"]]

    assert refs() == [second, first]  # newest first
    assert refs(sort="created_at") == [first, second]
    assert refs(provider="helene") == [first]
    assert refs(q="DEUX FOIS") == [second]
    assert refs(anomaly_type="billed_twice") == [second]
    assert refs(policyholder_id=a.id) == [first]
    assert refs(status="in_review") == []
    assert refs(created_from=TODAY.isoformat(), created_to=TODAY.isoformat()) == [second, first]
    assert refs(created_to=(TODAY - timedelta(days=2)).isoformat()) == []
    assert refs(limit=1, offset=1) == [first]
    item = client.get(URL, headers=headers).json()["items"][0]
    assert item["policyholder_id"] == b.id


def test_agent_moves_a_report_through_the_workflow(
    client: TestClient, factory: Factory, agent: StaffUser
) -> None:
    holder = factory.policyholder()
    reference = file(client, factory, holder)
    headers = factory.auth(agent)
    for target in ("in_review", "investigating", "confirmed"):
        response = client.patch(f"{URL}/{reference}", json={"status": target}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
    events = client.get(f"{URL}/{reference}", headers=headers).json()["events"]
    assert [(e["kind"], e["from_status"], e["to_status"], e["actor_id"]) for e in events] == [
        ("created", None, "received", None),
        ("status_changed", "received", "in_review", agent.id),
        ("status_changed", "in_review", "investigating", agent.id),
        ("status_changed", "investigating", "confirmed", agent.id),
    ]
    # The policyholder sees the outcome.
    mine = client.get(f"{URL}/{reference}", headers=factory.auth(holder)).json()
    assert mine["status_label"] == "Anomalie confirmée"


def test_transitions_outside_the_workflow_are_refused(
    client: TestClient, factory: Factory, agent: StaffUser
) -> None:
    reference = file(client, factory, factory.policyholder())
    headers = factory.auth(agent)
    response = client.patch(f"{URL}/{reference}", json={"status": "confirmed"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Passage impossible du statut « Reçu » au statut « Anomalie confirmée »."
    )
    again = client.patch(f"{URL}/{reference}", json={"status": "received"}, headers=headers)
    assert again.status_code == 409
    events = client.get(f"{URL}/{reference}", headers=headers).json()["events"]
    assert len(events) == 1


def test_notes_and_assignment_are_recorded(
    client: TestClient, factory: Factory, agent: StaffUser
) -> None:
    colleague = factory.staff(StaffRole.AGENT)
    reference = file(client, factory, factory.policyholder())
    headers = factory.auth(agent)
    response = client.patch(
        f"{URL}/{reference}",
        headers=headers,
        json={"note": "Trois signalements sur ce transporteur.", "assigned_to_id": colleague.id},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["assigned_to_id"] == colleague.id
    assert [(e["kind"], e["assigned_to_id"], e["note"]) for e in body["events"][1:]] == [
        ("assigned", colleague.id, None),
        ("note", None, "Trois signalements sur ce transporteur."),
    ]
    unassigned = client.patch(f"{URL}/{reference}", headers=headers, json={"unassign": True})
    assert unassigned.json()["assigned_to_id"] is None
    assert unassigned.json()["events"][-1]["kind"] == "assigned"
    assert (
        client.get(URL, params={"assigned_to_id": colleague.id}, headers=headers).json()["total"]
        == 0
    )


def test_assignment_only_to_active_agents(
    client: TestClient, factory: Factory, agent: StaffUser
) -> None:
    trainer = factory.staff(StaffRole.TRAINER)
    former = factory.staff(StaffRole.AGENT, is_active=False)
    reference = file(client, factory, factory.policyholder())
    for assignee in (trainer.id, former.id, 99999):
        response = client.patch(
            f"{URL}/{reference}", headers=factory.auth(agent), json={"assigned_to_id": assignee}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "assigned_to_id"


def test_empty_update_is_explained(client: TestClient, factory: Factory, agent: StaffUser) -> None:
    reference = file(client, factory, factory.policyholder())
    response = client.patch(f"{URL}/{reference}", headers=factory.auth(agent), json={})
    assert response.status_code == 422
    assert "Indiquez un statut, une note ou une affectation." in response.json()["detail"]


def test_trainer_cannot_read_or_change_reports(client: TestClient, factory: Factory) -> None:
    reference = file(client, factory, factory.policyholder())
    trainer = factory.auth(factory.staff(StaffRole.TRAINER))
    assert client.get(URL, headers=trainer).status_code == 403
    assert client.get(f"{URL}/{reference}", headers=trainer).status_code == 403
    response = client.patch(f"{URL}/{reference}", json={"status": "in_review"}, headers=trainer)
    assert response.status_code == 403


def test_policyholder_cannot_change_a_report(client: TestClient, factory: Factory) -> None:
    holder = factory.policyholder()
    reference = file(client, factory, holder)
    response = client.patch(
        f"{URL}/{reference}", json={"status": "unfounded"}, headers=factory.auth(holder)
    )
    assert response.status_code == 403


def test_staff_cannot_file_reports(client: TestClient, factory: Factory, agent: StaffUser) -> None:
    response = client.post(
        URL,
        headers=factory.auth(agent),
        json={"care_date": TODAY.isoformat(), "provider_name": "x", "description": "y"},
    )
    assert response.status_code == 403
