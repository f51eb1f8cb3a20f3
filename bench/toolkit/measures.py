"""Figures from samples, computed the same way by every benchmark."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0–1); NaN for an empty sample."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(seconds: float, digits: int = 2) -> float:
    """Seconds as milliseconds, rounded for a report."""
    return round(seconds * 1000, digits)
