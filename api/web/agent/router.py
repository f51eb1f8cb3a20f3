"""The agents' review console, under /agent: agents and admins only (the rule is on the router)."""

from fastapi import APIRouter, Depends

from api.core.errors import NotFound
from api.web.agent import pages, security, submissions
from api.web.agent.ui import PREFIX, require_agent

router = APIRouter(dependencies=[Depends(require_agent)], include_in_schema=False)
router.include_router(pages.router)
router.include_router(submissions.router)
router.include_router(security.router)


@router.get(PREFIX + "/{path:path}")
def not_found(path: str) -> None:
    """Any other address under /agent: a French page, not the API's JSON."""
    raise NotFound("Cette page de la console n'existe pas.")
