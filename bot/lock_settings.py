"""The lock store's settings, read from `endpoints.yml` exactly like Rasa's redis lock store.

Every value may come as a string (`${VAR}` in `endpoints.yml`); a value that does not fit, a
non-alphanumeric key prefix or an unknown setting is refused with a clear error instead of being
ignored (Rasa's own store only warns about a bad prefix and then shares the default keys).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa.core.constants import DEFAULT_LOCK_LIFETIME
from rasa.core.lock_store import LOCK_LIFETIME
from rasa.shared.exceptions import RasaException

DEFAULT_SOCKET_TIMEOUT = 3.0
_PREFIX = re.compile(r"[A-Za-z0-9]+")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class LockStoreConfigError(RasaException, ValueError):
    """The `lock_store` section of `endpoints.yml` cannot be used as written."""


@dataclass(frozen=True)
class LockSettings:
    """Where Redis is, how long to wait for it, and how long a ticket lives."""

    host: str = "localhost"
    port: int = 6379
    db: int = 1
    username: str | None = None
    password: str | None = None
    use_ssl: bool = False
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_ca_certs: str | None = None
    # Keys are `<key_prefix>:lock:<conversation id>:…` (`lock:<conversation id>:…` without one).
    key_prefix: str | None = None
    # Longest wait for one Redis reply (and for connecting): then `LockError`.
    socket_timeout: float = DEFAULT_SOCKET_TIMEOUT
    # Lease of a ticket: how long a replica that died keeps blocking the conversation.
    # Live holders and waiters renew theirs, so it can be short.
    lock_lifetime: float = float(LOCK_LIFETIME)
    # Longest turn that keeps the lock: then the lock lapses and the next message goes in.
    max_hold_time: float = float(DEFAULT_LOCK_LIFETIME)
    # Longest wait for one's turn: then `LockError` (the message is refused, not reordered).
    max_wait_time: float = float(DEFAULT_LOCK_LIFETIME)

    @classmethod
    def parse(cls, host: str | None, options: Mapping[str, Any]) -> LockSettings:
        """Settings from the endpoint's `url` (the host) and its other keys."""
        known = {field.name for field in dataclasses.fields(cls)} - {"host"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise LockStoreConfigError(
                f"Unknown lock_store setting(s) {', '.join(unknown)}; "
                f"accepted: url, {', '.join(sorted(known))}."
            )
        values: dict[str, Any] = {"host": _host(host)}
        for name, raw in options.items():
            if raw is not None:
                values[name] = _CONVERTERS[name](name, raw)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.key_prefix and not _PREFIX.fullmatch(self.key_prefix):
            raise LockStoreConfigError(
                f"lock_store key_prefix must be ASCII letters and digits only, "
                f"got {self.key_prefix!r}."
            )
        if not 0 < self.port < 65536 or self.db < 0:
            raise LockStoreConfigError("lock_store port must be 1–65535 and db ≥ 0.")
        minimums = {
            "socket_timeout": 0.5,
            "lock_lifetime": 0.5,
            "max_hold_time": 0.1,
            "max_wait_time": 0.1,
        }
        for name, minimum in minimums.items():
            if getattr(self, name) < minimum:
                raise LockStoreConfigError(
                    f"lock_store {name} must be at least {minimum} s, got {getattr(self, name)}."
                )

    def redis_options(self) -> dict[str, Any]:
        """Keyword arguments for `redis.Redis` and `redis.asyncio.Redis`."""
        return {
            "host": self.host,
            "port": self.port,
            "db": self.db,
            "username": self.username,
            "password": self.password,
            "ssl": self.use_ssl,
            "ssl_certfile": self.ssl_certfile,
            "ssl_keyfile": self.ssl_keyfile,
            "ssl_ca_certs": self.ssl_ca_certs,
            "socket_timeout": self.socket_timeout,
            "socket_connect_timeout": self.socket_timeout,
        }


def _host(value: Any) -> str:
    if value is None or value == "":
        return "localhost"
    if not isinstance(value, str) or "://" in value or "/" in value:
        raise LockStoreConfigError(
            f"lock_store url is the Redis host name (as for Rasa's redis lock store), "
            f"got {value!r}; give port, db, password… as their own keys."
        )
    return value


def _integer(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise LockStoreConfigError(f"lock_store {name} must be a whole number, got {raw!r}.")
    try:
        return int(str(raw).strip())
    except ValueError:
        raise LockStoreConfigError(
            f"lock_store {name} must be a whole number, got {raw!r}."
        ) from None


def _seconds(name: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise LockStoreConfigError(f"lock_store {name} must be in seconds, got {raw!r}.")
    try:
        return float(str(raw).strip())
    except ValueError:
        raise LockStoreConfigError(f"lock_store {name} must be in seconds, got {raw!r}.") from None


def _boolean(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise LockStoreConfigError(f"lock_store {name} must be true or false, got {raw!r}.")


def _text(name: str, raw: Any) -> str:
    if not isinstance(raw, str | int):
        raise LockStoreConfigError(f"lock_store {name} must be text, got {raw!r}.")
    return str(raw)


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "port": _integer,
    "db": _integer,
    "username": _text,
    "password": _text,
    "use_ssl": _boolean,
    "ssl_certfile": _text,
    "ssl_keyfile": _text,
    "ssl_ca_certs": _text,
    "key_prefix": _text,
    "socket_timeout": _seconds,
    "lock_lifetime": _seconds,
    "max_hold_time": _seconds,
    "max_wait_time": _seconds,
}
