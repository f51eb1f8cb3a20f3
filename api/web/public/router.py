"""The public pages: anyone may open them, signed in or not (no role rule on this router).

Every route here is listed in PUBLIC_ROUTES, which tests/web/public checks against the router:
a route added here without being declared public fails the tests."""

from fastapi import APIRouter

from api.web.public import pages, submissions
from api.web.public.ui import (
    ACCESSIBILITY_PATH,
    FORGOT_PATH,
    FORGOT_SENT_PATH,
    HOME_PATH,
    PRIVACY_PATH,
    RESET_PATH,
)

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(submissions.router)

PUBLIC_ROUTES = frozenset(
    {
        ("GET", HOME_PATH),
        ("GET", ACCESSIBILITY_PATH),
        ("GET", PRIVACY_PATH),
        ("GET", FORGOT_PATH),
        ("POST", FORGOT_PATH),
        ("GET", FORGOT_SENT_PATH),
        ("GET", RESET_PATH),
        ("POST", RESET_PATH),
    }
)
