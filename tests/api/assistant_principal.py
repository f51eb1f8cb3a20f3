"""The assistant's service identity, until its own token reaches the API: every policyholder
token is taken as the assistant acting on that policyholder's behalf (`via_assistant=True`)."""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI

from api.accounts.deps import SettingsDep, get_principal, oauth2_scheme
from api.accounts.service import Principal
from api.core.db import SessionDep


def _as_assistant(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    principal = get_principal(session, settings, token)
    if not principal.is_policyholder:
        return principal
    return dataclasses.replace(principal, via_assistant=True)


@contextmanager
def acting_as_assistant(app: FastAPI) -> Iterator[None]:
    app.dependency_overrides[get_principal] = _as_assistant
    try:
        yield
    finally:
        app.dependency_overrides.pop(get_principal, None)
