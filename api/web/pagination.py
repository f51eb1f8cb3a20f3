"""Page links that keep the current filters: « Précédente 1 … 4 5 6 … 40 Suivante »."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

AROUND = 2


@dataclass(frozen=True)
class PageLink:
    text: str
    url: str | None  # None: a gap (« … »)
    current: bool = False
    label: str = ""  # read by screen readers before the text


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    total: int
    links: list[PageLink]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.page * self.per_page)


def url_with(request: Request, **changes: str | int | None) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


def query_string(values: Mapping[str, str]) -> str:
    return urlencode([(k, v) for k, v in values.items() if v])


def make_pager(*, page: int, per_page: int, total: int, url: Callable[[int], str]) -> Pager:
    last = max(1, -(-total // per_page))
    page = min(max(page, 1), last)
    links: list[PageLink] = []
    if last > 1:
        if page > 1:
            links.append(PageLink("Précédente", url(page - 1), label="Page"))
        shown = sorted({1, last, *range(max(1, page - AROUND), min(last, page + AROUND) + 1)})
        previous = 0
        for number in shown:
            if number - previous > 1:
                links.append(PageLink("…", None))
            links.append(PageLink(str(number), url(number), current=number == page, label="Page"))
            previous = number
        if page < last:
            links.append(PageLink("Suivante", url(page + 1), label="Page"))
    return Pager(page=page, per_page=per_page, total=total, links=links)
