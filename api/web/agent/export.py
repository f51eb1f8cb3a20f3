"""The filtered report list as CSV for French Excel: UTF-8 with a BOM, `;`, streamed.

A cell a spreadsheet would read as a formula (=, +, -, @, tab, carriage return first) gets a
leading apostrophe: policyholders type the descriptions and provider names.
"""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from api.accounts.models import StaffUser
from api.reports.listing import ReportFilters, SortKey, iter_reports
from api.reports.models import Report, format_reference
from api.reports.workflow import ANOMALY_LABELS, STATUS_LABELS
from api.web.agent.comparison import identifier_label
from api.web.formatting import date_fr, datetime_fr, decimal_fr

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_SIZE = 1000
HEADER = (
    "Référence",
    "Reçu le",
    "Statut",
    "Type d'anomalie",
    "Date des soins (déclarée)",
    "Professionnel (tel que saisi)",
    "Remboursement",
    "Professionnel (enregistré)",
    "Identifiant du professionnel",
    "Acte facturé",
    "Date des soins (facturée)",
    "Montant facturé (€)",
    "Montant remboursé (€)",
    "Assuré (numéro)",
    "Agent affecté",
    "Doublon de",
    "Description",
    "Données personnelles effacées le",
)


def neutralise(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _row(report: Report, names: dict[int, str], originals: dict[int, str], tz: str) -> list[str]:
    claim = report.claim
    cells = [
        report.reference,
        datetime_fr(report.created_at, tz),
        STATUS_LABELS[report.status],
        ANOMALY_LABELS[report.anomaly_type],
        date_fr(report.care_date),
        report.provider_name,
        str(claim.id) if claim else "",
        claim.provider.name if claim else "",
        identifier_label(claim.provider.identifier) if claim else "",
        claim.act_label if claim else "",
        date_fr(claim.care_date) if claim else "",
        decimal_fr(claim.amount_billed) if claim else "",
        decimal_fr(claim.amount_reimbursed) if claim else "",
        "" if report.policyholder_id is None else str(report.policyholder_id),
        names.get(report.assigned_to_id, "") if report.assigned_to_id else "",
        originals.get(report.duplicate_of_id, "") if report.duplicate_of_id else "",
        report.description,
        datetime_fr(report.purged_at, tz) if report.purged_at else "",
    ]
    return [neutralise(cell) for cell in cells]


def _originals(session: Session, batch: list[Report]) -> dict[int, str]:
    wanted = {r.duplicate_of_id for r in batch if r.duplicate_of_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Report.id, Report.created_at).where(Report.id.in_(wanted)))
    return {rid: format_reference(created.year, rid) for rid, created in rows}


def csv_lines(
    factory: sessionmaker[Session],
    *,
    readable: ColumnElement[bool],
    filters: ReportFilters,
    sort: SortKey,
    timezone: str,
) -> Iterator[str]:
    """The export, a batch of rows at a time, from a session of its own (the request's session
    is closed once the response starts)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    yield BOM + buffer.getvalue()
    with factory() as session:
        names = dict(session.execute(select(StaffUser.id, StaffUser.full_name)).all())
        batches = iter_reports(
            session=session, readable=readable, filters=filters, sort=sort, batch_size=BATCH_SIZE
        )
        for batch in batches:
            buffer.seek(0)
            buffer.truncate()
            originals = _originals(session, batch)
            writer.writerows(_row(report, names, originals, timezone) for report in batch)
            yield buffer.getvalue()
            session.expunge_all()
