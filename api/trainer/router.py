"""The trainers' workbench, under /trainer: trainers and admins only (the rule is on the router)."""

from fastapi import APIRouter, Depends

from api.trainer import actions, model_actions, pages, statistics
from api.trainer.ui import PREFIX, require_trainer
from api.web.errors import PageNotFound

router = APIRouter(dependencies=[Depends(require_trainer)], include_in_schema=False)
router.include_router(pages.router)
router.include_router(actions.router)
router.include_router(statistics.router)
router.include_router(model_actions.router)


@router.get(PREFIX + "/{path:path}")
def not_found(path: str) -> None:
    """Any other address under /trainer: a French page, not the API's JSON."""
    raise PageNotFound("Cette page de l'atelier n'existe pas.")
