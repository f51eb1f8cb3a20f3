"""The trainers' statistics page: what the assistant heard over the last 30 days."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.accounts.deps import SettingsDep
from api.core.clock import local_today
from api.core.db import SessionDep
from api.events.statistics import LOW_CONFIDENCE, PERIOD_DAYS, conversation_statistics
from api.web.trainer.ui import PREFIX, TrainerPageDep, page

router = APIRouter(prefix=PREFIX)

BAR_STEP = 5


def bar(count: int, largest: int) -> int:
    """Width of a bar in percent of the largest, by steps of 5 (the CSS has those classes)."""
    if count == 0 or largest == 0:
        return 0
    return max(BAR_STEP, round(count * 100 / largest / BAR_STEP) * BAR_STEP)


@router.get("/statistiques")
def statistics_page(
    request: Request, session: SessionDep, settings: SettingsDep, trainer: TrainerPageDep
) -> Response:
    figures = conversation_statistics(
        session=session, last_day=local_today(settings.timezone), timezone=settings.timezone
    )
    busiest = max((d.messages for d in figures.days), default=0)
    top_intent = max((n for _, n in figures.intents), default=0)
    context = {
        "active": "statistics",
        "figures": figures,
        "period_days": PERIOD_DAYS,
        "low_confidence_percent": round(LOW_CONFIDENCE * 100),
        "day_rows": [(d, bar(d.messages, busiest)) for d in reversed(figures.days)],
        "intent_rows": [(name, n, bar(n, top_intent)) for name, n in figures.intents],
    }
    return page(request, "trainer/statistics.html", context)
