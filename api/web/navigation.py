"""Where each role lands after signing in, and which `next` addresses may be followed."""

from urllib.parse import urlsplit

from api.accounts.models import Role

HOME_BY_ROLE: dict[Role, str] = {
    Role.POLICYHOLDER: "/compte",
    Role.AGENT: "/agent",
    Role.TRAINER: "/trainer",
    Role.ADMIN: "/agent",
}
MAX_NEXT_LENGTH = 2000


def home_for(role: Role) -> str | None:
    return HOME_BY_ROLE.get(role)


def safe_next(value: str | None) -> str | None:
    """A path on this site, else None: never another host (open redirect)."""
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(ord(ch) < 32 for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def next_after_login(role: Role, requested: str | None) -> str | None:
    """The requested page if the role has a console, else its home (None: no console yet)."""
    home = home_for(role)
    if home is None:
        return None
    return safe_next(requested) or home
