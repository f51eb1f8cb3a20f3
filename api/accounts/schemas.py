from pydantic import BaseModel

from api.accounts.models import Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class Me(BaseModel):
    id: int
    role: Role
    display_name: str
