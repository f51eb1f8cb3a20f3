"""The trainers' workbench, under /trainer: trainers and admins only (the rule is on the router)."""

from fastapi import APIRouter, Depends

from api.core.errors import NotFound
from api.web.trainer import example_pages, model_submissions, pages, statistics, submissions
from api.web.trainer.ui import PREFIX, require_trainer

router = APIRouter(dependencies=[Depends(require_trainer)], include_in_schema=False)
router.include_router(pages.router)
router.include_router(example_pages.router)
router.include_router(submissions.router)
router.include_router(statistics.router)
router.include_router(model_submissions.router)


@router.get(PREFIX + "/{path:path}")
def not_found(path: str) -> None:
    """Any other address under /trainer: a French page, not the API's JSON."""
    raise NotFound("Cette page de l'atelier n'existe pas.")
