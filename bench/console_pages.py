"""The agents' console pages the bench times, signed in as an agent: the report list under
several filters, sorts and deep pages, a few other pages, and the CSV export."""

import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select

from bench.console_data import AGENT_PASSWORD, AGENT_USERNAME, STAFF, hot_provider_id
from bench.toolkit.measures import ms, percentile
from bench.toolkit.server import local_client
from bench.volume import REPORT

WARMUP = 3
LIST = "/agent/signalements"


def signed_in_client(base_url: str) -> httpx.Client:
    """A client holding an agent's session, as a browser after /connexion."""
    client = local_client(base_url, timeout=60, follow_redirects=True)
    page = client.get("/connexion")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "pas de jeton CSRF sur /connexion"
    answer = client.post(
        "/connexion",
        data={"username": AGENT_USERNAME, "password": AGENT_PASSWORD, "csrf_token": token[1]},
    )
    if answer.status_code != 200 or "/agent" not in str(answer.url):
        raise RuntimeError(f"connexion impossible : {answer.status_code}")
    return client


@dataclass
class Measure:
    """How long one page took over its requests, and how many reports it said it found."""

    name: str
    path: str
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    rows_matched: str


def timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    """One GET and its duration in seconds; anything but 200 fails the bench."""
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} → {response.status_code}")
    return elapsed, response


def measure(
    client: httpx.Client, name: str, path: str, requests: int
) -> tuple[Measure, list[float]]:
    """`requests` timed GETs of a page after a warm-up, and their durations."""
    for _ in range(WARMUP):
        _elapsed, response = timed_get(client, path)
    durations = [timed_get(client, path)[0] for _ in range(requests)]
    found = re.search(r"([\d\u202f]+)\u00a0signalements?,", response.text)
    return (
        Measure(
            name=name,
            path=path,
            requests=requests,
            p50_ms=ms(percentile(durations, 0.5), 1),
            p95_ms=ms(percentile(durations, 0.95), 1),
            max_ms=ms(max(durations), 1),
            rows_matched=found[1].replace("\u202f", " ") if found else "0",
        ),
        durations,
    )


def list_cases(engine: Engine, reports: int, today: date) -> list[tuple[str, str]]:
    """The report list's cases: a name and the address that shows it."""
    with engine.connect() as connection:
        hot_provider = hot_provider_id(connection)
        some_agent = connection.scalar(
            select(STAFF.c.id).where(STAFF.c.username == "bench-agent-3")
        )
    last_page = -(-reports // 25)
    month_ago = (today - timedelta(days=30)).isoformat()
    care_from, care_to = today - timedelta(days=200), today - timedelta(days=110)
    year_ago = (today - timedelta(days=365)).isoformat()
    return [
        ("Première page, les plus récents", LIST),
        (f"Dernière page (page {last_page})", f"{LIST}?page={last_page}"),
        ("Page 2 000, les plus anciens d'abord", f"{LIST}?sort=created_at&page=2000"),
        ("Statut « Reçu »", f"{LIST}?status=received"),
        ("Statut « Reçu », page 1 000", f"{LIST}?status=received&page=1000"),
        ("Statut + tri par date des soins", f"{LIST}?status=in_review&sort=-care_date"),
        ("Tri par date des soins, page 2 000", f"{LIST}?sort=care_date&page=2000"),
        ("Reçus ces 30 derniers jours", f"{LIST}?received_from={month_ago}"),
        (
            "Soins sur 3 mois + type d'anomalie",
            f"{LIST}?care_from={care_from.isoformat()}&care_to={care_to.isoformat()}"
            "&anomaly_type=billed_twice",
        ),
        ("Professionnel saisi « martin »", f"{LIST}?provider=martin"),
        ("Texte libre « couronne »", f"{LIST}?q=couronne"),
        ("Texte libre rare « introuvable »", f"{LIST}?q=introuvable"),
        ("Affectés à moi", f"{LIST}?assigned=me"),
        (f"Affectés à l'agent {some_agent}", f"{LIST}?assigned={some_agent}"),
        ("Non affectés, page 500", f"{LIST}?assigned=none&page=500"),
        ("Professionnel enregistré", f"{LIST}?provider_id={hot_provider}"),
        ("100 par page, page 500", f"{LIST}?per_page=100&page=500"),
        (
            "Tout combiné",
            f"{LIST}?status=unfounded&anomaly_type=not_performed&received_from={year_ago}"
            f"&provider=dr&q=jamais&sort=-care_date&assigned={some_agent}",
        ),
    ]


def other_pages(engine: Engine) -> list[tuple[str, str]]:
    """The console's other pages: the dashboard, the newest report, the hot provider's page."""
    with engine.connect() as connection:
        report = connection.execute(
            select(REPORT.c.id, REPORT.c.created_at).order_by(REPORT.c.id.desc()).limit(1)
        ).one()
        hot_provider = hot_provider_id(connection)
    reference = f"SIG-{report.created_at.year}-{report.id:06d}"
    return [
        ("Tableau de bord", "/agent"),
        ("Page d'un signalement", f"/agent/signalements/{reference}"),
        ("Fiche d'un professionnel très signalé", f"/agent/professionnels/{hot_provider}"),
    ]


def measure_export(client: httpx.Client) -> dict[str, Any]:
    """The whole CSV export, streamed: its size, the first byte's delay and the total time."""
    started = time.perf_counter()
    size = 0
    lines = 0
    with client.stream("GET", "/agent/signalements.csv") as response:
        first_byte = None
        for chunk in response.iter_bytes():
            first_byte = first_byte or time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
    return {
        "rows": lines - 1,
        "megabytes": round(size / 1e6, 1),
        "first_byte_ms": ms(first_byte or 0, 1),
        "total_s": round(time.perf_counter() - started, 2),
    }
