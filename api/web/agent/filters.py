"""The report list's query string, read leniently: a bad value is reported next to its field
and ignored, the other filters still apply."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

from api.core.clock import local_day_end, local_midnight
from api.reports.listing import ReportFilters, SortKey
from api.reports.workflow import ANOMALY_LABELS, STATUS_LABELS, AnomalyType, ReportStatus

PER_PAGE_CHOICES = (25, 50, 100)
TEXT_MAX = 200
# Deeper than this, narrow the filters instead (and the JSON API caps its offset alike).
MAX_OFFSET = 1_000_000
DB_ID_MAX = 2**31
ASSIGNED_NONE = "none"
ASSIGNED_ME = "me"

SORT_LABELS: dict[SortKey, str] = {
    "-created_at": "Reçus : les plus récents d'abord",
    "created_at": "Reçus : les plus anciens d'abord",
    "-care_date": "Date des soins : la plus récente d'abord",
    "care_date": "Date des soins : la plus ancienne d'abord",
}
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)
FIELDS = (
    "q",
    "status",
    "anomaly_type",
    "received_from",
    "received_to",
    "care_from",
    "care_to",
    "provider",
    "provider_id",
    "claim_id",
    "assigned",
    "sort",
    "per_page",
)
BAD_DATE = "Date invalide : utilisez le format AAAA-MM-JJ."


@dataclass
class ListQuery:
    filters: ReportFilters
    sort: SortKey
    page: int
    per_page: int
    # The values as typed, to fill the form again (and to build the export link).
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class _Reader:
    def __init__(self, params: Mapping[str, str]) -> None:
        self.values = {name: params.get(name, "").strip() for name in FIELDS}
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        value = self.values[name]
        if len(value) > TEXT_MAX:
            self.errors[name] = f"Au plus {TEXT_MAX} caractères."
            return None
        return value or None

    def day(self, name: str) -> date | None:
        value = self.values[name]
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = BAD_DATE
            return None

    def db_id(self, name: str) -> int | None:
        value = self.values[name]
        if not value:
            return None
        if value.isdigit() and 0 < int(value) < DB_ID_MAX:
            return int(value)
        self.errors[name] = "Identifiant invalide."
        return None

    def choice(self, name: str, labels: Mapping[Any, str]) -> str | None:
        value = self.values[name]
        if value and value not in labels:
            self.errors[name] = "Valeur non reconnue."
            return None
        return value or None

    def date_range(self, start: str, end: str) -> tuple[date | None, date | None]:
        first, last = self.day(start), self.day(end)
        if first and last and first > last:
            self.errors[end] = "Cette date doit suivre la date de début."
            return first, None
        return first, last


def parse_list_query(params: Mapping[str, str], *, agent_id: int, timezone: str) -> ListQuery:
    read = _Reader(params)
    status = read.choice("status", STATUS_LABELS)
    anomaly = read.choice("anomaly_type", ANOMALY_LABELS)
    received_from, received_to = read.date_range("received_from", "received_to")
    care_from, care_to = read.date_range("care_from", "care_to")
    assigned, unassigned = _assigned(read, agent_id)
    filters = ReportFilters(
        status=ReportStatus(status) if status else None,
        anomaly_type=AnomalyType(anomaly) if anomaly else None,
        # The agent's days in French time, not UTC's; a bound beyond the calendar is no bound.
        received_from=local_midnight(received_from, timezone) if received_from else None,
        received_before=local_day_end(received_to, timezone) if received_to else None,
        care_date_from=care_from,
        care_date_to=care_to,
        provider=read.text("provider"),
        provider_id=read.db_id("provider_id"),
        claim_id=read.db_id("claim_id"),
        text=read.text("q"),
        assigned_to_id=assigned,
        unassigned=unassigned,
    )
    sort: SortKey = next((key for key in SORT_KEYS if key == read.values["sort"]), "-created_at")
    per_page = next((n for n in PER_PAGE_CHOICES if str(n) == read.values["per_page"]), 25)
    raw_page = params.get("page", "1").strip()
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < DB_ID_MAX else 1
    page = min(page, MAX_OFFSET // per_page)
    return ListQuery(filters, sort, page, per_page, read.values, read.errors)


def _assigned(read: _Reader, agent_id: int) -> tuple[int | None, bool]:
    value = read.values["assigned"]
    if not value:
        return None, False
    if value == ASSIGNED_NONE:
        return None, True
    if value == ASSIGNED_ME:
        return agent_id, False
    return read.db_id("assigned"), False
