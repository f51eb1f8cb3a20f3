"""The API bench's first measure: latency and accuracy of `GET /api/v1/claims/match` when a
person types the date and the provider of one of their claims as they remember them."""

import random
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from api.claims.catalogue import ProviderKind
from api.core.config import Settings
from bench.api_sampling import SampledClaim, bearer
from bench.toolkit.measures import ms, percentile
from bench.volume_rows import DOCTOR_KINDS, PERSON_KINDS

MATCH_WARMUP = 50
MATCH_REQUESTS = 1_000
TARGET_MATCH_P95_MS = 10.0


@dataclass(frozen=True)
class MatchCase:
    """One claim-match request: what the person types to find the claim."""

    claim: SampledClaim
    care_date: date
    provider_text: str


def strip_accents(value: str) -> str:
    """« Hélène » → « Helene », as people often type on a phone."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typed_provider(rng: random.Random, name: str, kind: ProviderKind) -> str:
    """The provider's name the way someone types it: lower case, no accents, « dr Martin »…"""
    variants = [name.lower(), strip_accents(name)]
    if kind in PERSON_KINDS:
        last_name = name.removeprefix("Dr ").split(" ", 1)[1]
        variants.append(last_name)
        if kind in DOCTOR_KINDS:
            variants += [f"docteur {last_name}", f"dr {strip_accents(last_name).lower()}"]
    return rng.choice(variants)


def match_cases(
    rng: random.Random, claims: dict[int, list[SampledClaim]], today: date
) -> list[MatchCase]:
    """One case per policyholder: one of their claims, the date a few days off, the name typed."""
    cases = []
    for holder_claims in claims.values():
        claim = rng.choice(holder_claims)
        shift = timedelta(days=rng.randint(0, 3) * rng.choice((-1, 1)))
        care_date = min(claim.care_date + shift, today)
        typed = typed_provider(rng, claim.provider_name, claim.provider_kind)
        cases.append(MatchCase(claim, care_date, typed))
    return cases


@dataclass
class MatchResult:
    """Latency and accuracy of the claim-match requests."""

    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    hit_rate: float
    first_rate: float
    errors: int
    target_p95_ms: float = TARGET_MATCH_P95_MS
    met: bool = False


def match_once(
    client: httpx.Client, case: MatchCase, headers: dict[str, str]
) -> tuple[float, httpx.Response]:
    """One claim-match request and its duration in seconds."""
    params = {"care_date": case.care_date.isoformat(), "provider": case.provider_text}
    started = time.perf_counter()
    response = client.get("/api/v1/claims/match", params=params, headers=headers)
    return time.perf_counter() - started, response


def measure_matching(
    client: httpx.Client, cases: list[MatchCase], settings: Settings
) -> MatchResult:
    """Sequential matches, after a warm-up: latency, and whether the true claim is found."""
    tokens = {case.claim.holder_id: bearer(case.claim.holder_id, settings) for case in cases}
    for case in cases[:MATCH_WARMUP]:
        match_once(client, case, tokens[case.claim.holder_id])
    measured = cases[MATCH_WARMUP : MATCH_WARMUP + MATCH_REQUESTS]
    durations: list[float] = []
    hits = firsts = errors = 0
    for case in measured:
        duration, response = match_once(client, case, tokens[case.claim.holder_id])
        durations.append(duration)
        if response.status_code != 200:
            errors += 1
            continue
        ids = [candidate["claim"]["id"] for candidate in response.json()["candidates"]]
        hits += case.claim.claim_id in ids
        firsts += bool(ids) and ids[0] == case.claim.claim_id
    result = MatchResult(
        requests=len(measured),
        p50_ms=ms(percentile(durations, 0.50)),
        p95_ms=ms(percentile(durations, 0.95)),
        p99_ms=ms(percentile(durations, 0.99)),
        mean_ms=ms(sum(durations) / len(durations)),
        hit_rate=round(hits / len(measured), 4),
        first_rate=round(firsts / len(measured), 4),
        errors=errors,
    )
    result.met = result.p95_ms <= TARGET_MATCH_P95_MS and errors == 0
    return result
