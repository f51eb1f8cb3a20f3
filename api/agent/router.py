"""The agents' review console, under /agent: agents and admins only (the rule is on the router)."""

from fastapi import APIRouter, Depends

from api.agent import actions, pages, security
from api.agent.ui import PREFIX, require_agent
from api.web.errors import PageNotFound

router = APIRouter(dependencies=[Depends(require_agent)], include_in_schema=False)
router.include_router(pages.router)
router.include_router(actions.router)
router.include_router(security.router)


@router.get(PREFIX + "/{path:path}")
def not_found(path: str) -> None:
    """Any other address under /agent: a French page, not the API's JSON."""
    raise PageNotFound("Cette page de la console n'existe pas.")
