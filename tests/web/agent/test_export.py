"""The CSV export: for French Excel, filtered like the list, formulas neutralised, streamed."""

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import true
from sqlalchemy.orm import Session

from api.reports.listing import ReportFilters, SortKey, iter_reports
from api.reports.models import Report
from api.web.agent.export import HEADER, neutralise
from tests.factories import Factory
from tests.web.agent.helpers import TODAY, file, utc

EXPORT = "/agent/signalements.csv"


def rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_export_is_a_csv_for_french_excel(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    provider = factory.provider("Dr Hélène Garnier")
    claim = factory.claim(holder, provider, TODAY - timedelta(days=12), "HBLD036")
    report = file(
        db,
        holder.id,
        claim=claim,
        description="Couronne jamais posée ; « vraiment »\nDeuxième ligne",
        created_at=utc(TODAY, 8, 5),
    )
    response = signed_in.get(EXPORT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="signalements-{TODAY.isoformat()}.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    table = rows(response.content.decode("utf-8-sig"))
    assert table[0] == list(HEADER)
    line = dict(zip(HEADER, table[1], strict=True))
    assert line["Référence"] == report.reference
    assert line["Statut"] == "Reçu"
    assert line["Professionnel (enregistré)"] == "Dr Hélène Garnier"
    assert line["Identifiant du professionnel"] == f"RPPS {provider.identifier}"
    assert line["Montant facturé (€)"] == "550,00"
    assert line["Date des soins (facturée)"] == (TODAY - timedelta(days=12)).strftime("%d/%m/%Y")
    assert line["Description"] == "Couronne jamais posée ; « vraiment »\nDeuxième ligne"
    assert len(table) == 2


def test_export_is_filtered_and_sorted_like_the_list(
    signed_in: TestClient, factory: Factory, db: Session
) -> None:
    holder = factory.policyholder()
    older = file(db, holder.id, description="ambulance", created_at=utc(TODAY, 1))
    newer = file(db, holder.id, description="ambulance", created_at=utc(TODAY, 2))
    file(db, holder.id, description="autre chose", created_at=utc(TODAY, 3))
    body = signed_in.get(EXPORT, params={"q": "ambulance", "sort": "created_at"}).text
    assert [r[0] for r in rows(body.lstrip("\ufeff"))[1:]] == [older.reference, newer.reference]
    page = signed_in.get("/agent/signalements", params={"q": "ambulance", "sort": "created_at"})
    assert page.context["export_url"] == "/agent/signalements.csv?q=ambulance&sort=created_at"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_would_run_as_formulas_are_neutralised(
    signed_in: TestClient, factory: Factory, db: Session, start: str
) -> None:
    typed = f'{start}HYPERLINK("http://evil.example","clic")'
    file(db, factory.policyholder().id, description=typed, provider_name=f"{start}1+1")
    body = signed_in.get(EXPORT).content.decode("utf-8-sig")
    line = dict(zip(HEADER, rows(body)[1], strict=True))
    assert line["Description"] == f"'{typed}"
    assert line["Professionnel (tel que saisi)"] == f"'{start}1+1"


def test_neutralise_leaves_ordinary_text_alone() -> None:
    assert neutralise("Dr Martin") == "Dr Martin"
    assert neutralise("") == ""
    assert neutralise("=1+1") == "'=1+1"
    # Filing strips surrounding blanks, but a tab or carriage return first is neutralised too.
    assert neutralise("\t=1+1") == "'\t=1+1"
    assert neutralise("\r=1+1") == "'\r=1+1"


def test_an_export_with_bad_filters_is_refused(signed_in: TestClient) -> None:
    response = signed_in.get(EXPORT, params={"received_from": "hier"})
    assert response.status_code == 400
    assert response.template.name == "error.html"


def test_reports_are_read_batch_by_batch_in_order(factory: Factory, db: Session) -> None:
    holder = factory.policyholder()
    same_time = utc(TODAY, 6)
    made = [file(db, holder.id, created_at=same_time) for _ in range(5)]
    made.append(file(db, holder.id, created_at=utc(TODAY, 7)))
    orders: list[tuple[SortKey, list[Report]]] = [
        ("-created_at", [made[5], *reversed(made[:5])]),
        ("created_at", made),
    ]
    for sort, expected in orders:
        batches = list(
            iter_reports(
                session=db, readable=true(), filters=ReportFilters(), sort=sort, batch_size=2
            )
        )
        assert [len(b) for b in batches] == [2, 2, 2]
        assert [r.id for b in batches for r in b] == [r.id for r in expected]
