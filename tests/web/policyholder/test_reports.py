"""« Mes signalements » and a report's own page: paging, the matched provider, owner only, the
history in plain French without the agents' working papers, what happens next, complements."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Policyholder, StaffRole
from api.claims.catalogue import ProviderKind
from api.reports import decisions
from api.reports.complements import add_complement
from api.reports.history import NEXT_STEPS
from api.reports.models import Report, ReportEvent
from api.reports.schemas import ReportUpdate
from api.reports.workflow import EventKind, ReportStatus
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.helpers import csrf_token
from tests.web.markup import Element, duplicate_ids, parse, unlabelled_fields

pytestmark = pytest.mark.usefixtures("db")
NBSP = "\u00a0"


def cards(response_text: str) -> dict[str, Element]:
    """The report cards of « Mes signalements » by reference."""
    found = {}
    for item in parse(response_text).find("ol", class_="report-cards my-reports").find_all("li"):
        article = item.find("article")
        found[article.find("h2").text.removeprefix("Signalement ").strip()] = article
    return found


def decide(db: Session, report: Report, agent_id: int, **fields: object) -> None:
    decisions.update_report(
        session=db,
        reference=report.reference,
        actor_id=agent_id,
        data=ReportUpdate.model_validate(fields),
    )
    db.commit()


def test_reports_come_20_a_page_and_past_the_end_is_the_last_page(
    signed_in: TestClient, holder: Policyholder, db: Session
) -> None:
    filed = [file(db, holder.id, description=f"Séance {n} jamais faite.") for n in range(45)]
    newest_first = [r.reference for r in reversed(filed)]
    first = signed_in.get("/compte/signalements")
    assert first.template.name == "account/reports.html"
    pager = first.context["pager"]
    assert (pager.total, pager.pages, pager.per_page) == (45, 3, 20)
    assert list(cards(first.text)) == newest_first[:20]
    assert "45\u00a0signalements" in parse(first.text).find("main").text
    last = signed_in.get("/compte/signalements?page=3")
    assert list(cards(last.text)) == newest_first[40:]
    nav = parse(last.text).find("nav", class_="pagination")
    assert nav.attrs["aria-label"] == "Pages de mes signalements"
    assert nav.find("a", **{"aria-current": "page"}).text.strip() == "Page 3"
    beyond = signed_in.get("/compte/signalements?page=4", follow_redirects=False)
    assert beyond.status_code == 303
    assert beyond.headers["location"] == "/compte/signalements?page=3"
    assert signed_in.get("/compte/signalements?page=0").status_code == 422


def test_a_card_names_the_matched_provider_not_the_typed_text(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=12), "HBLD036")
    matched = file(db, holder.id, claim=claim, provider_name="c'est correct")
    loose = file(db, holder.id, provider_name="<b>M</b>")
    file(db, factory.policyholder().id, provider_name="Dr Autre")
    response = signed_in.get("/compte/signalements")
    assert "c'est correct" not in response.text and "Dr Autre" not in response.text
    assert "<b>M</b>" not in response.text
    found = cards(response.text)
    assert list(found) == [loose.reference, matched.reference]
    card = found[matched.reference]
    provider = card.find("dd", class_="report-card__provider").text
    assert " ".join(provider.split()) == "Dr Hélène Garnier (dentiste)"
    assert card.find("a").attrs["href"] == f"/compte/signalements/{matched.reference}"
    assert card.find("span", class_="badge badge--received").text == "Reçu"
    care_day = claim.care_date
    assert card.find_all("dd")[1].text.startswith(f"{care_day.day}{NBSP}")
    typed = found[loose.reference].find("span", class_="typed").text
    assert typed == "<b>M</b>"
    assert "aucun remboursement" in found[loose.reference].text
    assert duplicate_ids(parse(response.text)) == []


def test_no_reports_yet_says_how_to_make_one(signed_in: TestClient) -> None:
    text = parse(signed_in.get("/compte/signalements").text).find("main").text
    assert "aucun signalement" in text


@pytest.mark.parametrize("whose", ["theirs", "unknown", "malformed", "too long"])
def test_a_report_page_is_its_owners_only(
    signed_in: TestClient, factory: Factory, db: Session, whose: str
) -> None:
    theirs = file(db, factory.policyholder().id, description="Leur secret.")
    reference = {
        "theirs": theirs.reference,
        "unknown": f"SIG-{TODAY.year}-999999",
        "malformed": "pas-une-reference",
        "too long": "SIG-" + "9" * 60,
    }[whose]
    response = signed_in.get(f"/compte/signalements/{reference}")
    assert response.status_code == 404
    main = parse(response.text).find("main").text
    assert "Ce signalement est introuvable." in main
    assert "Leur secret." not in response.text


def test_the_report_page_shows_the_claim_what_was_declared_and_where_it_stands(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    agent = factory.staff(StaffRole.AGENT, "agnes", full_name="Agnès Fontaine")
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=12), "HBLD036")
    typed = "<script>alert(1)</script> On m'a facturé une couronne."
    report = file(
        db,
        holder.id,
        claim=claim,
        provider_name="c'est correct",
        anomaly_type="billed_more_than_performed",
        description=typed,
    )
    decide(db, report, agent.id, status="in_review", assigned_to_id=agent.id)
    decide(db, report, agent.id, note="Appeler le cabinet lundi : dossier louche.")

    response = signed_in.get(f"/compte/signalements/{report.reference}")
    assert response.status_code == 200
    assert response.template.name == "account/report.html"
    assert "<script>alert(1)</script>" not in response.text
    document = parse(response.text)
    main = document.find("main")
    assert main.find("h1").text == f"Signalement {report.reference}"
    assert main.find("p", class_="typed description").text == typed
    facts = " ".join(main.find("section", **{"aria-labelledby": "remboursement"}).text.split())
    for shown in ("Dr Hélène Garnier (dentiste)", claim.act_label, "€"):
        assert shown in facts
    declared = main.find("section", **{"aria-labelledby": "declaration"}).text
    assert "Acte facturé plus cher que l'acte réalisé" in declared
    standing = main.find("section", **{"aria-labelledby": "ou-en-est"})
    assert standing.find("span", class_="badge badge--in_review").text == "En cours d'examen"
    assert standing.find("p", class_="next-step__text").text.endswith(
        NEXT_STEPS[ReportStatus.IN_REVIEW]
    )
    history = main.find("section", **{"aria-labelledby": "historique"}).find_all("li")
    assert [line.text.split(f"{NBSP}: ", 1)[1] for line in history] == [
        "Vous avez envoyé ce signalement.",
        "Un agent a commencé à examiner votre signalement.",
    ]
    # The agents' working papers stay theirs: no note, no assignment, no name.
    for hidden in ("Appeler le cabinet", "Agnès Fontaine", "Affecté", "c'est correct"):
        assert hidden not in response.text
    assert main.find("form", action="/compte/signalements/complement")
    assert unlabelled_fields(document) == [] and duplicate_ids(document) == []


def test_what_happens_next_is_said_for_every_status() -> None:
    assert set(NEXT_STEPS) == set(ReportStatus)
    assert NEXT_STEPS[ReportStatus.RECEIVED] == (
        "Un agent va examiner votre signalement. Vous n'avez rien à faire."
    )
    for sentence in NEXT_STEPS.values():
        assert " :" not in sentence and " ;" not in sentence and "« " not in sentence


def test_a_closed_report_says_so_and_takes_no_complement(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    agent = factory.staff(StaffRole.AGENT)
    original = file(db, holder.id, description="Premier signalement.")
    report = file(db, holder.id, description="Le même, envoyé deux fois.")
    decisions.link_duplicate(
        session=db,
        reference=report.reference,
        original_reference=original.reference,
        actor_id=agent.id,
        mark_duplicate=True,
    )
    db.commit()
    main = parse(signed_in.get(f"/compte/signalements/{report.reference}").text).find("main")
    assert "est clos" in main.text
    assert not main.find_all("form", action="/compte/signalements/complement")
    assert NEXT_STEPS[ReportStatus.DUPLICATE] in main.text
    link = main.find("section", **{"aria-labelledby": "ou-en-est"}).find("a")
    assert link.attrs["href"] == f"/compte/signalements/{original.reference}"
    lines = [li.text for li in main.find("ol", class_="history").find_all("li")]
    assert lines[-1].endswith("rattaché à un autre signalement portant sur les mêmes faits.")
    assert "Rattaché au signalement" not in main.text  # the agents' note


def test_a_reopened_report_says_so(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    agent = factory.staff(StaffRole.AGENT)
    report = file(db, holder.id)
    for status in ("in_review", "unfounded", "in_review"):
        decide(db, report, agent.id, status=status)
    main = parse(signed_in.get(f"/compte/signalements/{report.reference}").text).find("main")
    lines = [li.text for li in main.find("ol", class_="history").find_all("li")]
    assert lines[-2].endswith("classé sans suite.")
    assert lines[-1].endswith("rouvert : un agent l'examine de nouveau.".replace(" :", NBSP + ":"))


def complements_of(db: Session, report: Report) -> list[str | None]:
    db.commit()  # end the read transaction: SQLite would keep showing its snapshot
    stmt = select(ReportEvent.note).where(
        ReportEvent.report_id == report.id, ReportEvent.kind == EventKind.COMPLEMENT
    )
    return list(db.scalars(stmt.order_by(ReportEvent.id)))


def test_a_complement_sent_from_the_report_page_is_added_once_and_shown_escaped(
    signed_in: TestClient, holder: Policyholder, db: Session
) -> None:
    report = file(db, holder.id)
    page_url = f"/compte/signalements/{report.reference}"
    form = parse(signed_in.get(page_url).text).find(
        "form", action="/compte/signalements/complement"
    )
    assert form.find("textarea", name="text").attrs["maxlength"] == "2000"
    typed = "<script>alert(1)</script> Le cabinet m'a rappelé : aucune couronne."
    fields = {
        "csrf_token": form.find("input", name="csrf_token").attrs["value"],
        "key": form.find("input", name="key").attrs["value"],
        "reference": form.find("input", name="reference").attrs["value"],
        "text": f"  {typed}  ",
    }
    for _ in range(2):  # a double click, or the browser sending the form again
        response = signed_in.post("/compte/signalements/complement", data=fields)
        assert response.url.path == page_url
        assert response.context["messages"] == [
            {
                "level": "success",
                "text": f"Votre complément a été ajouté au signalement {report.reference}.",
            }
        ]
    assert complements_of(db, report) == [typed]
    assert "<script>alert(1)</script>" not in response.text
    shown = parse(response.text).find("ul", class_="complements").find("span", class_="typed")
    assert shown.text == typed
    history = parse(response.text).find("ol", class_="history").text
    assert "Vous avez ajouté un complément." in history


def test_a_refused_complement_says_why(
    signed_in: TestClient, factory: Factory, holder: Policyholder, db: Session
) -> None:
    mine = file(db, holder.id)
    theirs = file(db, factory.policyholder().id)
    token = csrf_token(signed_in, f"/compte/signalements/{mine.reference}")
    too_long = f"Votre complément est trop long{NBSP}: 2000 caractères au plus."
    cases = [
        (mine.reference, "   ", "Écrivez votre complément avant de l'envoyer.", mine.reference),
        (mine.reference, "x" * 2001, too_long, mine.reference),
        (theirs.reference, "Précision.", "Ce signalement est introuvable.", ""),
    ]
    for reference, text, message, back in cases:
        response = signed_in.post(
            "/compte/signalements/complement",
            data={"csrf_token": token, "reference": reference, "text": text},
        )
        assert response.url.path == f"/compte/signalements/{back}".rstrip("/")
        assert response.context["messages"] == [{"level": "error", "text": message}]
    forged = signed_in.post(
        "/compte/signalements/complement",
        data={"reference": mine.reference, "text": "Précision."},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert complements_of(db, mine) == complements_of(db, theirs) == []


def test_complements_added_elsewhere_are_listed_oldest_first(
    signed_in: TestClient, holder: Policyholder, db: Session
) -> None:
    report = file(db, holder.id)
    for text in ("Premier détail.", "Second détail."):
        add_complement(
            session=db,
            reference=report.reference,
            policyholder_id=holder.id,
            text=text,
            idempotency_key=None,
        )
    db.commit()
    page = parse(signed_in.get(f"/compte/signalements/{report.reference}").text)
    shown = [s.text for s in page.find("ul", class_="complements").find_all("span", class_="typed")]
    assert shown == ["Premier détail.", "Second détail."]
