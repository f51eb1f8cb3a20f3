"""How urgent a report is: the score that orders the agents' queue, and why, in French.

Insurers prioritise clusters, not single oddities. A report's score multiplies five factors:

    score = 100 × anomaly × cluster × stake × confirmed × recency

- anomaly: the weight of the declared anomaly type (ANOMALY_WEIGHTS: an act never performed or
  a provider the person does not know weigh 1.0, a double billing 0.8, an act billed more than
  performed 0.7, anything else 0.4);
- cluster = 1 + 0.5 × (P − 1), P the number of distinct policyholders who reported the provider
  (independent reports make a cluster; 1 when the provider is not identified);
- stake = 1 + log10(1 + A / 100), A the euros at stake (the sum billed on the provider's reported
  claims): 100 € adds 0.3, 1 000 € adds 1.04, 10 000 € adds 2;
- confirmed = 1 + 0.5 × C, C the provider's reports already confirmed by an agent (« fondé »);
- recency = 2 ** (−age / 14), age in days since the report was filed (halved every 14 days).

Everything here is pure: it reads no database, so the formula is tested on its own
(`api.reports.priority` ranks the queue with it).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from api.reports.workflow import AnomalyType

ANOMALY_WEIGHTS: dict[AnomalyType, float] = {
    AnomalyType.NOT_PERFORMED: 1.0,
    AnomalyType.UNKNOWN_PROVIDER: 1.0,
    AnomalyType.BILLED_TWICE: 0.8,
    AnomalyType.BILLED_MORE_THAN_PERFORMED: 0.7,
    AnomalyType.OTHER: 0.4,
}
# The anomaly as the « why » text names it.
ANOMALY_REASONS: dict[AnomalyType, str] = {
    AnomalyType.NOT_PERFORMED: "acte non réalisé",
    AnomalyType.UNKNOWN_PROVIDER: "professionnel inconnu de l'assuré",
    AnomalyType.BILLED_TWICE: "acte facturé deux fois",
    AnomalyType.BILLED_MORE_THAN_PERFORMED: "acte facturé plus cher que l'acte réalisé",
    AnomalyType.OTHER: "autre anomalie",
}
HALF_LIFE_DAYS = 14
CLUSTER_STEP = 0.5
CONFIRMED_STEP = 0.5
STAKE_UNIT_EUROS = 100
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


@dataclass(frozen=True)
class PriorityInputs:
    """What a report's score is computed from: the report itself and its provider's record."""

    anomaly_type: AnomalyType
    age_days: float
    # Distinct policyholders who reported the provider (at least 1: this report's author).
    policyholders: int = 1
    # The sum billed on the provider's reported claims, in euros.
    amount_at_stake: Decimal = Decimal(0)
    # The provider's reports already confirmed by an agent.
    confirmed: int = 0


def provider_factor(policyholders: int, amount_at_stake: Decimal, confirmed: int) -> float:
    """What the provider's record multiplies its reports' scores by: cluster × stake ×
    confirmed (1 for a provider reported once, on nothing billed, never confirmed)."""
    cluster = 1 + CLUSTER_STEP * (max(policyholders, 1) - 1)
    stake = 1 + math.log10(1 + float(max(amount_at_stake, Decimal(0))) / STAKE_UNIT_EUROS)
    return cluster * stake * (1 + CONFIRMED_STEP * max(confirmed, 0))


def weighted_score(anomaly: AnomalyType, factor: float, age_days: float) -> float:
    return 100 * ANOMALY_WEIGHTS[anomaly] * factor * 2 ** (-max(age_days, 0.0) / HALF_LIFE_DAYS)


def score(inputs: PriorityInputs) -> float:
    """The report's priority: higher first (see the module's docstring for the formula)."""
    factor = provider_factor(inputs.policyholders, inputs.amount_at_stake, inputs.confirmed)
    return weighted_score(inputs.anomaly_type, factor, inputs.age_days)


def _count(count: int, singular: str, plural_form: str) -> str:
    return f"{count:,}".replace(",", NARROW_NBSP) + NBSP + (singular if count < 2 else plural_form)


def _euros(amount: Decimal) -> str:
    units, cents = f"{amount.quantize(Decimal('0.01')):,}".split(".")
    return f"{units.replace(',', NARROW_NBSP)},{cents}{NBSP}€"


def _age(days: float) -> str:
    whole = int(days)
    if whole == 0:
        return "aujourd'hui"
    if whole == 1:
        return "hier"
    return f"il y a {_count(whole, 'jour', 'jours')}"


def provider_reasons(inputs: PriorityInputs) -> tuple[list[str], list[str]]:
    """What the provider's record says: (cluster and money, confirmations)."""
    if inputs.policyholders > 1:
        holders = _count(inputs.policyholders, "assuré différent", "assurés différents")
        first = [f"{holders} signalent ce professionnel"]
    else:
        first = ["un seul assuré signale ce professionnel"]
    if inputs.amount_at_stake > 0:
        first.append(f"{_euros(inputs.amount_at_stake)} en jeu")
    confirmed = ("signalement déjà confirmé", "signalements déjà confirmés")
    last = [_count(inputs.confirmed, *confirmed)] if inputs.confirmed else []
    return first, last


def reasons(inputs: PriorityInputs) -> list[str]:
    """Why the report ranks where it does, factor by factor, in the agents' words."""
    first, last = provider_reasons(inputs)
    return [*first, ANOMALY_REASONS[inputs.anomaly_type], _age(inputs.age_days), *last]


def why(inputs: PriorityInputs) -> str:
    """« 4 assurés différents signalent ce professionnel · 1 230,50 € en jeu · … »."""
    return f"{NBSP}· ".join(reasons(inputs))
