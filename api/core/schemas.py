"""Shapes shared by every domain's JSON."""

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, Field, PlainSerializer

T = TypeVar("T")

# Amounts travel as JSON numbers with two decimals (25.5 → 25.5), stored as exact decimals.
Amount = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
AmountIn = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), decimal_places=2)]


# A database identifier in a path: out-of-range numbers are refused before any query.
DbId = Annotated[int, Path(gt=0, lt=2**31)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
