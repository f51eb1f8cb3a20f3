"""A report's page: its fields, the claim next to the declaration, the conversation, the
history, related reports; text typed by policyholders always escaped."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.claims.catalogue import ProviderKind
from api.core.text import NBSP
from api.reports.complements import add_complement
from api.reports.models import ReportEvent
from api.reports.workflow import EventKind, ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.markup import duplicate_ids, parse, unlabelled_fields

SCRIPT = "<script>alert('x')</script>"


def test_the_page_shows_the_declaration_the_claim_and_the_differences(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder(first_name="Camille", last_name="Bernard")
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=12), "HBLD036")
    report = file(
        db,
        holder.id,
        claim=claim,
        care_date=TODAY - timedelta(days=10),
        provider_name="le cabinet dentaire Bellecour",
        anomaly_type="billed_more_than_performed",
        description="Je n'ai eu qu'un détartrage.",
    )
    response = signed_in.get(f"/agent/signalements/{report.reference}")
    assert response.status_code == 200
    assert response.template.name == "agent/report.html"
    context = response.context
    assert context["report"].id == report.id
    assert context["claim"].id == claim.id
    assert context["policyholder"].display_name == "Camille Bernard"
    rows = {row.label: row for row in context["comparison"]}
    assert rows["Date des soins"].differs and rows["Date des soins"].gap == "2\u00a0jours d'écart"
    assert rows["Professionnel de santé"].differs  # « Bellecour » names nobody here
    assert rows["Identifiant du professionnel"].recorded == f"RPPS {dentist.identifier}"
    assert "couronne" in rows["Acte"].recorded
    assert rows["Montant facturé"].recorded == "550,00\u00a0€"
    assert not rows["Même acte, même jour, même professionnel"].differs
    assert context["transitions"] == [
        ("in_review", "En cours d'examen"),
        ("duplicate", "Doublon d'un autre signalement"),
    ]
    page = parse(response.text)
    highlighted = [mark.text for mark in page.find_all("mark")]
    gap = (
        "Pose d'une couronne dentaire céramométallique (HBLD036) facturé 550,00\u00a0€, "
        "l'assuré déclare avoir reçu moins\u00a0: «\u00a0Je n'ai eu qu'un détartrage.\u00a0»."
    )
    assert highlighted == ["2\u00a0jours d'écart", "Nom différent", gap]
    assert len(page.select_class("tr", "differs")) == 3
    assert page.find("h1").text.startswith(f"Signalement {report.reference}")


def test_a_line_billed_twice_is_flagged(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    physio = factory.provider("Cabinet Saint-Jean", ProviderKind.PHYSIOTHERAPIST)
    day = TODAY - timedelta(days=9)
    claim = factory.claim(holder, physio, day, "AMK")
    factory.claim(holder, physio, day, "AMK")
    report = file(db, holder.id, claim=claim, provider_name="kiné Saint-Jean")
    context = signed_in.get(f"/agent/signalements/{report.reference}").context
    twice = {row.label: row for row in context["comparison"]}[
        "Même acte, même jour, même professionnel"
    ]
    assert twice.differs and twice.gap == "Facturé plusieurs fois\u00a0?"
    assert twice.recorded.startswith("1\u00a0autre ligne\u00a0: n°\u00a0")


def test_policyholder_text_is_escaped_everywhere(
    signed_in: TestClient, factory: Factory, db: Session, agent: StaffUser
) -> None:
    holder = factory.policyholder(first_name="<b>Eve</b>")
    provider = factory.provider(f"Dr {SCRIPT}")
    claim = factory.claim(holder, provider, TODAY - timedelta(days=2))
    at = datetime.now(UTC)
    report = file(
        db,
        holder.id,
        claim=claim,
        provider_name=f"<img src=x onerror=alert(1)>{SCRIPT}",
        description=f"{SCRIPT} rien reçu",
        transcript=[
            {"sender": "user", "text": f"{SCRIPT}<iframe src=//evil>", "timestamp": at.isoformat()},
            {"sender": "bot", "text": "Merci.", "timestamp": at.isoformat()},
        ],
    )
    response = signed_in.get(f"/agent/signalements/{report.reference}")
    html = response.text
    assert "<script>" not in html and "<iframe" not in html and "<img src=x" not in html
    assert "<b>Eve</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; rien reçu" in html
    page = parse(html)
    assert page.find("p", class_="typed description").text == f"{SCRIPT} rien reçu"
    turns = page.find("ol", class_="transcript").find_all("li")
    assert [t.find("p").text for t in turns] == [f"{SCRIPT}<iframe src=//evil>", "Merci."]
    assert page.find_all("script") == []
    # The provider's registered name is escaped too (and in the list and the provider page).
    assert f"Dr {SCRIPT}" in page.find("table", class_="comparison").text
    listing = signed_in.get("/agent/signalements").text
    assert "<script>" not in listing and "&lt;script&gt;" in listing
    provider_page = signed_in.get(f"/agent/professionnels/{provider.id}").text
    assert "<script>" not in provider_page
    assert parse(provider_page).find("h1").text == f"Dr {SCRIPT}"


def test_every_field_has_a_label_and_ids_are_unique(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    claim = factory.claim(holder, factory.provider(), TODAY)
    earlier = file(db, holder.id, claim=claim)
    earlier.status = ReportStatus.UNFOUNDED  # closed: the claim can be reported again
    db.commit()
    report = file(db, holder.id, claim=claim)
    for path in (f"/agent/signalements/{report.reference}", "/agent/signalements", "/agent"):
        page = parse(signed_in.get(path).text)
        assert unlabelled_fields(page) == [], path
        assert duplicate_ids(page) == [], path
        assert page.find("html").attrs["lang"] == "fr"


def test_a_report_without_claim_still_shows_the_declaration(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    report = file(db, factory.policyholder().id, provider_name="Ambulances du Rhône")
    response = signed_in.get(f"/agent/signalements/{report.reference}")
    assert response.context["comparison"] == []
    assert (
        "aucun remboursement"
        in parse(response.text).find("section", aria_labelledby="remboursement").text
    )


def test_history_names_who_did_what(
    signed_in: TestClient, factory: Factory, db: Session, agent: StaffUser
) -> None:
    report = file(db, factory.policyholder().id, channel="assistant")
    history = signed_in.get(f"/agent/signalements/{report.reference}").context["history"]
    assert [(h.who, h.what) for h in history] == [
        ("L'assuré", "Signalement déposé par l'assistant en ligne")
    ]


def test_related_reports_on_the_same_claim_and_provider(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    me, other = factory.policyholder(), factory.policyholder()
    provider = factory.provider("Dr Paul Roux")
    claim = factory.claim(me, provider, TODAY - timedelta(days=4))
    earlier = file(db, me.id, claim=claim)
    earlier.status = ReportStatus.UNFOUNDED  # closed: the claim can be reported again
    db.commit()
    report = file(db, me.id, claim=claim)
    elsewhere = file(db, other.id, claim=factory.claim(other, provider, TODAY - timedelta(days=6)))
    unrelated = file(db, other.id, claim=factory.claim(other, factory.provider(), TODAY))
    related = signed_in.get(f"/agent/signalements/{report.reference}").context["related"]
    assert [r.id for r in related.same_claim] == [earlier.id]
    assert [r.id for r in related.same_provider] == [elsewhere.id]
    assert related.same_provider_total == 1
    assert unrelated.id not in {r.id for r in related.same_provider}
    page = parse(signed_in.get(f"/agent/signalements/{report.reference}").text)
    section = page.find("section", aria_labelledby="lies")
    groups = [th.text.split(" (")[0] for th in section.find_all("th", scope="rowgroup")]
    assert groups == ["Même paiement", "Même professionnel"]
    buttons = [b.text for b in section.find_all("button")]
    # The report is the newer of each pair: it becomes the duplicate, the older stays original.
    assert buttons == [
        f"Marquer ce signalement comme doublon de l'original {earlier.reference}",
        f"Marquer {elsewhere.reference} comme doublon de l'original (celui-ci)",
    ]


def test_reports_without_claim_are_related_by_the_provider_name_typed(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    report = file(db, factory.policyholder().id, provider_name="Ambulances du Rhône")
    same = file(db, factory.policyholder().id, provider_name="ambulances du rhone")
    file(db, factory.policyholder().id, provider_name="Taxi Bleu")
    related = signed_in.get(f"/agent/signalements/{report.reference}").context["related"]
    assert [r.id for r in related.same_provider] == [same.id]


def test_a_final_status_offers_no_transition(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    report = file(db, factory.policyholder().id)
    report.status = ReportStatus.CONFIRMED
    db.commit()
    response = signed_in.get(f"/agent/signalements/{report.reference}")
    assert response.context["transitions"] == []
    assert "statut final" in parse(response.text).find("section", aria_labelledby="traitement").text


def test_the_conversation_says_who_attached_it(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    at = datetime.now(UTC).isoformat()
    turns = [
        {"sender": "user", "text": "Je veux signaler.", "timestamp": at},
        {"sender": "bot", "text": "Votre signalement est classé.", "timestamp": at},
    ]
    by_assistant = file(db, holder.id, transcript=turns)
    direct = file(db, holder.id, provider_name="Taxi Bleu", via_assistant=False)
    # Filed before the API checked who attached a transcript: anyone could have written it.
    legacy = file(db, holder.id, provider_name="Ambulances du Rhône", transcript=turns)
    legacy.via_assistant = None
    db.commit()

    def conversation(reference: str) -> tuple[str, list[str]]:
        page = parse(signed_in.get(f"/agent/signalements/{reference}").text)
        section = page.find("section", aria_labelledby="conversation")
        who = [span.text for span in section.find_all("span", class_="turn__who")]
        return section.find_all("p")[0].text, who

    said, who = conversation(by_assistant.reference)
    assert said.startswith("Conversation jointe par le service de l'assistant en ligne")
    assert who == ["Assuré", "Assistant"]
    said, who = conversation(direct.reference)
    assert said == (
        f"Signalement déposé directement par l'assuré, par l'API{NBSP}: "
        "aucune conversation n'y est jointe."
    )
    assert who == []
    said, who = conversation(legacy.reference)
    assert said.startswith(f"Provenance non vérifiée{NBSP}:")
    assert who == ["Assuré", "Attribué à l'assistant (non vérifié)"]


def test_history_shows_complements_and_automatic_changes(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    report = file(db, holder.id)
    add_complement(
        session=db,
        reference=report.reference,
        policyholder_id=holder.id,
        text=f"{SCRIPT} facture retrouvée",
        idempotency_key=None,
    )
    # What the migration that closed repeated reports wrote (no agent acted).
    db.add_all(
        [
            ReportEvent(
                report_id=report.id,
                kind=EventKind.STATUS_CHANGED,
                from_status=ReportStatus.RECEIVED,
                to_status=ReportStatus.DUPLICATE,
            ),
            ReportEvent(report_id=report.id, kind=EventKind.NOTE, note="Clos automatiquement."),
        ]
    )
    db.commit()
    response = signed_in.get(f"/agent/signalements/{report.reference}")
    history = response.context["history"]
    assert [(h.who, h.what, h.note) for h in history[1:]] == [
        ("L'assuré", "Complément de l'assuré", f"{SCRIPT} facture retrouvée"),
        ("Traitement automatique", "Statut « Reçu » → « Doublon d'un autre signalement »", None),
        ("Traitement automatique", "Note", "Clos automatiquement."),
    ]
    assert "<script>" not in response.text
    lines = parse(response.text).find("ol", class_="history").find_all("li")
    assert lines[1].find("p").text == f"{SCRIPT} facture retrouvée"
