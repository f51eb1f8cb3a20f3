from pydantic import BaseModel

from api.accounts.models import Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    id: int
    role: Role
    display_name: str
