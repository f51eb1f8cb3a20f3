"""The policyholder's account site under /compte: policyholders only (the rule is on the router)."""

from fastapi import APIRouter, Depends

from api.core.errors import NotFound
from api.web.policyholder import pages, submissions
from api.web.policyholder.ui import PREFIX, require_policyholder

router = APIRouter(dependencies=[Depends(require_policyholder)], include_in_schema=False)
router.include_router(pages.router)
router.include_router(submissions.router)


@router.get(PREFIX + "/{path:path}")
def not_found(path: str) -> None:
    raise NotFound("Cette page de votre compte n'existe pas.")
