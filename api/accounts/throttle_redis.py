"""The sign-in throttle in Redis, shared by every API process of the cluster.

Each counter is a hash (`f` failures, `l` last failure, `u` locked until, in ms; `k`/`i` the
account) that expires once it no longer matters. Every operation is one Lua script, so it is
atomic; the count script applies `throttle.count_attempt` step by step (the shared tests run
the same cases on both backends).
"""

from functools import lru_cache
from typing import Any

import redis

from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind
from api.accounts.throttle import (
    MAX_DOUBLINGS,
    MAX_LISTED,
    Counted,
    Lock,
    Rules,
    Subject,
    Throttle,
)

COUNT = """
local key = KEYS[1]
local now, threshold, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local first, ceiling, max_doublings = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local v = redis.call('HMGET', key, 'f', 'l', 'u')
local failures, last, locked = tonumber(v[1]) or 0, tonumber(v[2]), tonumber(v[3])
if locked and locked > now then
  return {0, failures, locked}
end
local quiet = last
if locked and (not quiet or locked > quiet) then quiet = locked end
if not quiet or now - quiet > window then failures = 0 end
failures = failures + 1
local started = -1
if failures >= threshold then
  local lock = first * 2 ^ math.min(failures - threshold, max_doublings)
  started = math.floor(now + math.min(lock, ceiling))
  redis.call('HSET', key, 'u', string.format('%d', started))
end
redis.call('HSET', key, 'f', failures, 'l', now)
if ARGV[7] ~= '' then redis.call('HSET', key, 'k', ARGV[7], 'i', ARGV[8]) end
local horizon = now
if started > horizon then horizon = started end
redis.call('PEXPIRE', key, horizon - now + window + 1000)
return {1, failures, started}
"""

TAKE_BACK = """
local v = redis.call('HMGET', KEYS[1], 'f', 'u')
if not v[1] then return 0 end
local failures = tonumber(v[1]) - 1
if failures < 0 then failures = 0 end
redis.call('HSET', KEYS[1], 'f', failures)
if tonumber(ARGV[1]) >= 0 and tonumber(v[2]) == tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'u')
end
return 1
"""

CLEAR = """
local v = redis.call('HMGET', KEYS[1], 'f', 'u', 'k', 'i')
redis.call('DEL', KEYS[1])
return v
"""


@lru_cache
def client_for(url: str) -> redis.Redis:
    """One connection pool per process and URL (short timeouts: sign-in must not hang)."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _account(kind: Any, account_id: Any) -> AccountRef | None:
    kind_text, id_text = _text(kind), _text(account_id)
    if not kind_text or not id_text or not id_text.isdigit():
        return None
    return AccountRef(AccountKind(kind_text), int(id_text))


class RedisThrottle(Throttle):
    def __init__(self, client: redis.Redis, rules: Rules, *, prefix: str) -> None:
        super().__init__(rules)
        self.client = client
        self.prefix = f"{prefix}signin:"
        self._count = client.register_script(COUNT)
        self._take_back = client.register_script(TAKE_BACK)
        self._clear = client.register_script(CLEAR)

    def _key(self, subject: Subject) -> str:
        return self.prefix + subject.key

    def count(self, subject: Subject, *, account: AccountRef | None, now: float) -> Counted:
        rule = self.rules.for_scope(subject.scope)
        args = [
            _ms(now),
            rule.threshold,
            _ms(rule.window_s),
            _ms(rule.first_lock_s),
            _ms(rule.max_lock_s),
            MAX_DOUBLINGS,
            account.kind.value if account else "",
            account.id if account else "",
        ]
        allowed, failures, locked = self._count(keys=[self._key(subject)], args=args)
        until = int(locked) / 1000 if int(locked) >= 0 else None
        return Counted(bool(allowed), int(failures), until)

    def take_back(self, subject: Subject, counted: Counted) -> None:
        started = _ms(counted.locked_until) if counted.locked_until is not None else -1
        self._take_back(keys=[self._key(subject)], args=[started])

    def clear(self, subject: Subject, *, now: float) -> Lock | None:
        failures, locked, kind, account_id = self._clear(keys=[self._key(subject)])
        until = int(locked) / 1000 if locked is not None else None
        if until is None or until <= now:
            return None
        return Lock(subject, int(failures or 0), until, _account(kind, account_id))

    def locks(self, *, now: float) -> list[Lock]:
        found: list[Lock] = []
        keys = [
            _text(key) or "" for key in self.client.scan_iter(match=self.prefix + "*", count=1000)
        ]
        pipeline = self.client.pipeline(transaction=False)
        for key in keys:
            pipeline.hmget(key, "f", "u", "k", "i")
        for key, (failures, locked, kind, account_id) in zip(keys, pipeline.execute(), strict=True):
            subject = Subject.from_key(key.removeprefix(self.prefix))
            if subject is None or locked is None or int(locked) / 1000 <= now:
                continue
            until = int(locked) / 1000
            found.append(Lock(subject, int(failures or 0), until, _account(kind, account_id)))
        found.sort(key=lambda lock: lock.locked_until, reverse=True)
        return found[:MAX_LISTED]
