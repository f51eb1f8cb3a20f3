"""The lock store's Redis scripts: each step of a ticket is one atomic script.

Keys of one conversation (`base` = `<prefix>:lock:<conversation id>`):
  `<base>:q`      sorted set, the queue: member = score = ticket number (arrival order)
  `<base>:e`      sorted set, the leases: member = ticket, score = deadline (Redis ms)
  `<base>:s`      the ticket counter, seeded from Redis `TIME` in microseconds when absent
  `<base>:w:<n>`  list: the wake-up of ticket n, pushed when it becomes the head

The head of the queue holds the lock. Every script reads Redis `TIME` (the one clock of every
replica), first drops the tickets whose lease ran out, and last pushes a wake-up to the new head
if the head changed, then sets every key to expire 1 s after the latest lease (a conversation
without tickets has no key at all). Seeding the counter from the clock keeps ticket numbers
increasing even when the keys expired in between (more than one ticket per microsecond would be
needed to reuse one), so a late release can never remove someone else's ticket.
"""

from __future__ import annotations

import hashlib
from typing import Any

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import NoScriptError

_PRELUDE = """
local q, e, s = KEYS[1], KEYS[2], KEYS[3]
local wake = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function head()
  return redis.call('ZRANGE', q, 0, 0)[1]
end

local function lease_left(ticket)
  return tonumber(redis.call('ZSCORE', e, ticket)) - now
end

local function drop_expired()
  for _, ticket in ipairs(redis.call('ZRANGEBYSCORE', e, '-inf', now)) do
    redis.call('ZREM', q, ticket)
    redis.call('ZREM', e, ticket)
    redis.call('DEL', wake .. ticket)
  end
end

local function finish(before, me)
  local after = head()
  if not after then
    redis.call('DEL', q, e, s)
    return
  end
  if after ~= before and after ~= me then
    redis.call('RPUSH', wake .. after, '1')
    redis.call('PEXPIRE', wake .. after, lease_left(after) + 1000)
  end
  local latest = redis.call('ZRANGE', e, -1, -1, 'WITHSCORES')
  local ttl = tonumber(latest[2]) - now + 1000
  redis.call('PEXPIRE', q, ttl)
  redis.call('PEXPIRE', e, ttl)
  redis.call('PEXPIRE', s, ttl)
end
"""

# ARGV: wake prefix, lease ms, longest hold ms -> {ticket, 1, now} or {ticket, 0, head's lease}
ENTER = """
local lease, hold = tonumber(ARGV[2]), tonumber(ARGV[3])
local before = head()
drop_expired()
if redis.call('EXISTS', s) == 0 then
  redis.call('SET', s, clock[1] .. string.format('%06d', tonumber(clock[2])))
end
local me = string.format('%d', redis.call('INCR', s))
redis.call('ZADD', q, me, me)
local first = head() == me
redis.call('ZADD', e, now + (first and math.min(lease, hold) or lease), me)
finish(before, me)
if first then
  return {me, 1, now}
end
return {me, 0, lease_left(head())}
"""

# ARGV: wake prefix, ticket, lease ms, longest hold ms
# -> {1, now} (it is this ticket's turn), {0, head's lease left} or {-1, 0} (ticket lost)
POLL = """
local me, lease, hold = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local before = head()
drop_expired()
if not redis.call('ZSCORE', q, me) then
  finish(before, nil)
  return {-1, 0}
end
if head() == me then
  redis.call('ZADD', e, now + math.min(lease, hold), me)
  redis.call('DEL', wake .. me)
  finish(before, me)
  return {1, now}
end
redis.call('ZADD', e, now + lease, me)
finish(before, me)
return {0, lease_left(head())}
"""

# ARGV: wake prefix, ticket, lease ms, hold deadline (Redis ms) -> lease left ms, or -1 if lost
RENEW = """
local me, lease, hold_until = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local before = head()
drop_expired()
if head() ~= me then
  finish(before, nil)
  return -1
end
local deadline = math.min(now + lease, hold_until)
redis.call('ZADD', e, deadline, me)
finish(before, me)
return deadline - now
"""

# ARGV: wake prefix, ticket -> 1 if the ticket was still there, else 0
RELEASE = """
local me = ARGV[2]
local before = head()
local removed = redis.call('ZREM', q, me)
redis.call('ZREM', e, me)
redis.call('DEL', wake .. me)
drop_expired()
finish(before, me)
return removed
"""

# ARGV: wake prefix -> number of live tickets
SETTLE = """
local before = head()
drop_expired()
finish(before, nil)
return redis.call('ZCARD', q)
"""

# ARGV: wake prefix -> {ticket, deadline, ...} in queue order (read only)
INSPECT = """
local out = {}
for _, ticket in ipairs(redis.call('ZRANGE', q, 0, -1)) do
  out[#out + 1] = ticket
  out[#out + 1] = redis.call('ZSCORE', e, ticket)
end
return out
"""

# ARGV: wake prefix -> number of keys deleted
DELETE = """
local n = 0
for _, ticket in ipairs(redis.call('ZRANGE', q, 0, -1)) do
  n = n + redis.call('DEL', wake .. ticket)
end
return n + redis.call('DEL', q, e, s)
"""


class Script:
    """A Lua script run by its SHA1, loaded into Redis on first use (and after a restart)."""

    def __init__(self, body: str) -> None:
        self.source = _PRELUDE + body
        self.sha = hashlib.sha1(self.source.encode(), usedforsecurity=False).hexdigest()

    def run(self, client: Redis[bytes], keys: list[str], args: list[Any]) -> Any:
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            client.script_load(self.source)
            return client.evalsha(self.sha, len(keys), *keys, *args)

    async def run_async(self, client: AsyncRedis[bytes], keys: list[str], args: list[Any]) -> Any:
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await client.script_load(self.source)
            return await client.evalsha(self.sha, len(keys), *keys, *args)


SCRIPTS = {
    name: Script(body)
    for name, body in {
        "enter": ENTER,
        "poll": POLL,
        "renew": RENEW,
        "release": RELEASE,
        "settle": SETTLE,
        "inspect": INSPECT,
        "delete": DELETE,
    }.items()
}
