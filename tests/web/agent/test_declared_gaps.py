"""Issue 18: the report page sets what the policyholder declares against what was billed and
paid, says the discrepancy in words, and shows the matched provider before the typed text."""

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.claims.catalogue import ProviderKind
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file
from tests.web.markup import parse

NBSP = "\u00a0"


def gap(client: TestClient, reference: str) -> str:
    """The « Écart déclaré » sentence of the report's page."""
    page = parse(client.get(f"/agent/signalements/{reference}").text)
    text: str = page.find("p", class_="declared-gap").text
    return text.removeprefix(f"Écart déclaré{NBSP}: ")


def test_an_act_never_performed_against_a_billed_ambulance(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    ambulance = factory.provider("Ambulances du Rhône", ProviderKind.MEDICAL_TRANSPORT)
    claim = factory.claim(holder, ambulance, TODAY - timedelta(days=5), "AMB")
    claim.amount_billed = Decimal("61.75")
    db.commit()
    report = file(
        db, holder.id, claim=claim, provider_name="ambulance", anomaly_type="not_performed"
    )
    response = signed_in.get(f"/agent/signalements/{report.reference}")
    expected = (
        f"Transport en ambulance (AMB) facturé 61,75{NBSP}€, "
        "l'assuré déclare n'avoir reçu aucun transport."
    )
    assert gap(signed_in, report.reference) == expected
    act = {row.label: row for row in response.context["comparison"]}["Acte"]
    # Never « Aucun » where the person says the act never happened.
    assert act.differs and act.gap == expected
    assert act.stated.startswith(f"Acte non réalisé{NBSP}: ")
    table = parse(response.text).find("table", class_="comparison")
    act_row = next(tr for tr in table.find_all("tr") if tr.find("th").text == "Acte")
    assert act_row.find_all("td")[-1].text == expected  # highlighted, not « Aucun »


def test_an_act_billed_more_than_received_quotes_what_the_person_says(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    dentist = factory.provider("Dr Hélène Garnier", ProviderKind.DENTIST)
    claim = factory.claim(holder, dentist, TODAY - timedelta(days=8), "HBLD036")
    report = file(
        db,
        holder.id,
        claim=claim,
        anomaly_type="billed_more_than_performed",
        description="Un simple détartrage.",
    )
    assert gap(signed_in, report.reference) == (
        f"Pose d'une couronne dentaire céramométallique (HBLD036) facturé 550,00{NBSP}€, "
        f"l'assuré déclare avoir reçu moins{NBSP}: «{NBSP}Un simple détartrage.{NBSP}»."
    )


def test_a_double_billing_names_the_other_claim(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    physio = factory.provider("Cabinet Saint-Jean", ProviderKind.PHYSIOTHERAPIST)
    day = TODAY - timedelta(days=9)
    claim = factory.claim(holder, physio, day, "AMK")
    twin = factory.claim(holder, physio, day, "AMK")
    factory.claim(factory.policyholder(), physio, day, "AMK")  # someone else's: not a twin
    report = file(db, holder.id, claim=claim, anomaly_type="billed_twice")
    sentence = gap(signed_in, report.reference)
    assert f"facturé aussi ce jour-là{NBSP}: n°{NBSP}{twin.id} (" in sentence
    assert sentence.count("n°") == 1
    alone = factory.claim(holder, physio, day - timedelta(days=1), "AMK")
    lonely = file(db, holder.id, claim=alone, anomaly_type="billed_twice")
    assert "aucune autre ligne du même acte" in gap(signed_in, lonely.reference)


def test_an_unknown_provider_names_the_provider_billed(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    provider = factory.provider("Dr Paul Roux")
    claim = factory.claim(holder, provider, TODAY - timedelta(days=3))
    report = file(db, holder.id, claim=claim, anomaly_type="unknown_provider")
    assert gap(signed_in, report.reference) == (
        f"Consultation du médecin généraliste (G) facturé 30,00{NBSP}€ par Dr Paul Roux "
        f"(médecin généraliste, RPPS {provider.identifier}), "
        "l'assuré déclare ne pas connaître ce professionnel."
    )
    rows = {
        row.label: row
        for row in signed_in.get(f"/agent/signalements/{report.reference}").context["comparison"]
    }
    assert rows["Professionnel de santé"].differs


def test_other_anomalies_and_reports_without_claim_say_so(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    claim = factory.claim(holder, factory.provider(), TODAY - timedelta(days=3))
    other = file(db, holder.id, claim=claim, anomaly_type="other")
    assert "l'assuré signale une autre anomalie (voir sa description)" in gap(
        signed_in, other.reference
    )
    bare = file(db, holder.id, provider_name="M")
    assert gap(signed_in, bare.reference) == (
        "L'assuré n'a rattaché aucun remboursement à ce signalement"
        f"{NBSP}: rien à comparer, seule sa déclaration est disponible."
    )


def test_the_matched_provider_comes_before_the_typed_text(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    provider = factory.provider("Dr Paul Roux")
    claim = factory.claim(holder, provider, TODAY - timedelta(days=3))
    report = file(db, holder.id, claim=claim, provider_name="c'est correct")
    registered = f"Dr Paul Roux (médecin généraliste, RPPS {provider.identifier})"
    page = parse(signed_in.get(f"/agent/signalements/{report.reference}").text)
    facts = page.find("dl", class_="facts")
    shown = dict(
        zip(
            [dt.text for dt in facts.find_all("dt")],
            [dd.text for dd in facts.find_all("dd")],
            strict=True,
        )
    )
    assert shown["Professionnel"].index(registered) < shown["Professionnel"].index(
        f"Saisi par l'assuré{NBSP}: «{NBSP}c'est correct{NBSP}»"
    )
    for path in ("/agent/signalements", f"/agent/professionnels/{provider.id}"):
        listing = parse(signed_in.get(path).text).find("table", class_="reports").text
        assert listing.index("Dr Paul Roux") < listing.index("c'est correct"), path
        assert f"RPPS {provider.identifier}" in listing, path
