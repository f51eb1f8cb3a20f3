"""What agents do to a report: each change is a POST with the CSRF token, recorded as report
events with the agent as actor; a refused change leaves nothing behind."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import StaffRole, StaffUser
from api.reports.models import Report, ReportEvent
from api.reports.workflow import EventKind, ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.helpers import csrf_token


def events(db: Session, report: Report) -> list[tuple[str, int | None, str | None, str | None]]:
    db.commit()  # end the read transaction: SQLite would keep showing its snapshot
    rows = db.scalars(
        select(ReportEvent).where(ReportEvent.report_id == report.id).order_by(ReportEvent.id)
    )
    return [(e.kind.value, e.actor_id, e.to_status, e.note) for e in rows]


def reload(db: Session, report: Report) -> None:
    db.commit()
    db.refresh(report)


def act(client: TestClient, report: Report, action: str, **data: str) -> list[dict[str, str]]:
    """Post a form from the report's page; the messages shown after the redirect."""
    page = f"/agent/signalements/{report.reference}"
    token = csrf_token(client, page)
    response = client.post(f"{page}/{action}", data={**data, "csrf_token": token})
    assert response.status_code == 200, response.text
    assert response.url.path == page
    messages: list[dict[str, str]] = response.context["messages"]
    return messages


@pytest.fixture
def report(factory: Factory, db: Session) -> Report:
    holder = factory.policyholder()
    return file(db, holder.id, claim=factory.claim(holder, factory.provider(), TODAY))


def test_status_change_is_an_event_by_the_agent(
    signed_in: TestClient, db: Session, agent: StaffUser, report: Report
) -> None:
    messages = act(signed_in, report, "statut", status="in_review")
    assert messages == [
        {"level": "success", "text": "Statut modifié : « Reçu » → « En cours d'examen »."}
    ]
    reload(db, report)
    assert report.status == ReportStatus.IN_REVIEW
    assert events(db, report)[1:] == [("status_changed", agent.id, "in_review", None)]


def test_status_change_with_a_reason_adds_a_note(
    signed_in: TestClient, db: Session, agent: StaffUser, report: Report
) -> None:
    act(signed_in, report, "statut", status="duplicate", note="  Déjà signalé hier.  ")
    assert events(db, report)[1:] == [
        ("status_changed", agent.id, "duplicate", None),
        ("note", agent.id, None, "Déjà signalé hier."),
    ]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("confirmed", "Passage impossible du statut « Reçu » au statut « Anomalie confirmée »."),
        ("received", "Le signalement est déjà au statut « Reçu »."),
        ("nonsense", "Choisissez le nouveau statut."),
        ("", "Choisissez le nouveau statut."),
    ],
)
def test_a_refused_status_change_leaves_nothing(
    signed_in: TestClient, db: Session, report: Report, status: str, message: str
) -> None:
    messages = act(signed_in, report, "statut", status=status, note="ne doit pas rester")
    assert messages == [{"level": "error", "text": message}]
    reload(db, report)
    assert report.status == ReportStatus.RECEIVED
    assert len(events(db, report)) == 1


def test_notes_are_events_and_empty_ones_are_refused(
    signed_in: TestClient, db: Session, agent: StaffUser, report: Report
) -> None:
    assert (
        act(signed_in, report, "notes", note="Appeler l'assuré <lundi>.")[0]["level"] == "success"
    )
    assert act(signed_in, report, "notes", note="   ")[0] == {
        "level": "error",
        "text": "La note est vide : écrivez-la avant de l'ajouter.",
    }
    assert act(signed_in, report, "notes", note="x" * 2001)[0]["level"] == "error"
    assert events(db, report)[1:] == [("note", agent.id, None, "Appeler l'assuré <lundi>.")]
    page = signed_in.get(f"/agent/signalements/{report.reference}").text
    assert "Appeler l&#39;assuré &lt;lundi&gt;." in page


def test_assignment_to_an_agent_to_oneself_and_back_to_nobody(
    signed_in: TestClient, factory: Factory, db: Session, agent: StaffUser, report: Report
) -> None:
    colleague = factory.staff(StaffRole.AGENT, full_name="Bruno Petit")
    act(signed_in, report, "affectation", assigned_to=str(colleague.id))
    reload(db, report)
    assert report.assigned_to_id == colleague.id
    assert act(signed_in, report, "affectation", assigned_to=str(agent.id)) == [
        {"level": "success", "text": "Signalement affecté à vous-même."}
    ]
    assert act(signed_in, report, "affectation", assigned_to=str(agent.id))[0]["level"] == "error"
    assert act(signed_in, report, "affectation", assigned_to="") == [
        {"level": "success", "text": "Affectation retirée."}
    ]
    reload(db, report)
    assert report.assigned_to_id is None
    rows = db.scalars(
        select(ReportEvent).where(ReportEvent.kind == EventKind.ASSIGNED).order_by(ReportEvent.id)
    ).all()
    assert [(e.actor_id, e.assigned_to_id) for e in rows] == [
        (agent.id, colleague.id),
        (agent.id, agent.id),
        (agent.id, None),
    ]
    history = signed_in.get(f"/agent/signalements/{report.reference}").context["history"]
    assert [h.what for h in history[1:]] == [
        "Affecté à Bruno Petit",
        "Affecté à Agnès Fontaine",
        "Affectation retirée",
    ]


@pytest.mark.parametrize("value", ["trainer", "inactive", "999999", "abc"])
def test_reports_go_only_to_active_agents(
    signed_in: TestClient, factory: Factory, db: Session, report: Report, value: str
) -> None:
    if value == "trainer":
        value = str(factory.staff(StaffRole.TRAINER).id)
    elif value == "inactive":
        value = str(factory.staff(StaffRole.AGENT, is_active=False).id)
    assert act(signed_in, report, "affectation", assigned_to=value)[0]["level"] == "error"
    reload(db, report)
    assert report.assigned_to_id is None
    assert len(events(db, report)) == 1


def test_linking_a_duplicate_records_it(
    signed_in: TestClient, factory: Factory, db: Session, agent: StaffUser
) -> None:
    holder = factory.policyholder()
    claim = factory.claim(holder, factory.provider(), TODAY)
    # The same facts told again without the claim (a second open report on it is refused).
    first, second = file(db, holder.id, claim=claim), file(db, holder.id)
    messages = act(signed_in, second, "doublon", original=first.reference.lower(), mode="link")
    assert messages == [{"level": "success", "text": f"Signalement rattaché à {first.reference}."}]
    reload(db, second)
    assert (second.duplicate_of_id, second.status) == (first.id, ReportStatus.RECEIVED)
    note = f"Rattaché au signalement {first.reference} (mêmes faits signalés)."
    assert events(db, second)[1:] == [("note", agent.id, None, note)]
    context = signed_in.get(f"/agent/signalements/{first.reference}").context
    assert [r.id for r in context["related"].duplicates] == [second.id]
    # The JSON API shows the link too.
    api = signed_in.get(f"/api/v1/reports/{second.reference}", headers=factory.auth(agent))
    assert api.json()["duplicate_of"] == first.reference


def test_merging_marks_the_duplicate_and_links_it(
    signed_in: TestClient, factory: Factory, db: Session, agent: StaffUser
) -> None:
    holder = factory.policyholder()
    claim = factory.claim(holder, factory.provider(), TODAY)
    first, second = file(db, holder.id, claim=claim), file(db, holder.id)
    messages = act(signed_in, second, "doublon", original=first.reference, mode="merge")
    assert messages[0]["text"] == f"Signalement marqué comme doublon de {first.reference}."
    reload(db, second)
    assert (second.duplicate_of_id, second.status) == (first.id, ReportStatus.DUPLICATE)
    assert [e[:3] for e in events(db, second)[1:]] == [
        ("status_changed", agent.id, "duplicate"),
        ("note", agent.id, None),
    ]
    act(signed_in, second, "doublon/retrait")
    reload(db, second)
    assert second.duplicate_of_id is None
    assert events(db, second)[-1] == (
        "note",
        agent.id,
        None,
        f"Lien avec le signalement {first.reference} retiré.",
    )


def test_refused_links_leave_nothing(signed_in: TestClient, factory: Factory, db: Session) -> None:
    holder = factory.policyholder()
    first, second, third = (file(db, holder.id) for _ in range(3))
    third.duplicate_of_id = first.id
    confirmed = file(db, holder.id)
    confirmed.status = ReportStatus.CONFIRMED
    db.commit()
    cases = [
        (
            second,
            second.reference,
            "link",
            "Un signalement ne peut pas être le doublon de lui-même.",
        ),
        (second, "SIG-1999-000001", "link", "Le signalement « SIG-1999-000001 » est introuvable."),
        (second, "", "link", "Indiquez la référence du signalement d'origine."),
        (second, first.reference, "autre", "Choisissez entre rattacher et marquer comme doublon."),
        (
            second,
            third.reference,
            "link",
            f"Le signalement {third.reference} est lui-même rattaché à {first.reference} : "
            "rattachez plutôt celui-ci à ce dernier.",
        ),
        (
            confirmed,
            first.reference,
            "merge",
            "Passage impossible du statut « Anomalie confirmée » au statut "
            "« Doublon d'un autre signalement ».",
        ),
        (second, "", "retrait", "Ce signalement n'est rattaché à aucun autre."),
    ]
    for report, original, mode, message in cases:
        before = events(db, report)
        action = "doublon/retrait" if mode == "retrait" else "doublon"
        data = {} if mode == "retrait" else {"original": original, "mode": mode}
        assert act(signed_in, report, action, **data) == [{"level": "error", "text": message}]
        reload(db, report)
        assert events(db, report) == before
    assert second.duplicate_of_id is None
    assert (confirmed.duplicate_of_id, confirmed.status) == (None, ReportStatus.CONFIRMED)


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_form_without_the_session_token_changes_nothing(
    signed_in: TestClient, db: Session, report: Report, token: str | None
) -> None:
    data = (
        {"status": "in_review"} if token is None else {"status": "in_review", "csrf_token": token}
    )
    response = signed_in.post(f"/agent/signalements/{report.reference}/statut", data=data)
    assert response.status_code == 403
    assert response.template.name == "error.html"
    reload(db, report)
    assert report.status == ReportStatus.RECEIVED
    assert len(events(db, report)) == 1


def test_a_token_from_another_session_is_refused(
    signed_in: TestClient,
    client: TestClient,
    factory: Factory,
    db: Session,
    report: Report,
    app: FastAPI,
) -> None:
    other = TestClient(app)
    foreign = csrf_token(other, "/connexion")
    response = signed_in.post(
        f"/agent/signalements/{report.reference}/notes",
        data={"note": "x", "csrf_token": foreign},
    )
    assert response.status_code == 403
    assert len(events(db, report)) == 1


def test_explicit_null_note_in_the_json_api_is_no_note(
    client: TestClient, factory: Factory, agent: StaffUser, report: Report
) -> None:
    response = client.patch(
        f"/api/v1/reports/{report.reference}",
        json={"status": "in_review", "note": None},
        headers=factory.auth(agent),
    )
    assert response.status_code == 200, response.text
    assert [e["kind"] for e in response.json()["events"]] == ["created", "status_changed"]
