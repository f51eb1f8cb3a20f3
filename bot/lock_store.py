"""A Redis lock store for Rasa whose ticket steps are atomic: one turn at a time per conversation.

Name it in `endpoints.yml` (`lock_store: {type: bot.lock_store.AtomicRedisLockStore, url, …}`,
settings in `bot/lock_settings.py`). Rasa's `RedisLockStore` reads and writes its ticket list
with GET then SET, so two servers can both take a conversation; here each step (take a ticket,
ask whether it is one's turn, renew, release) is one Lua script (`bot/lock_scripts.py`) timed by
Redis `TIME` alone.

A message takes a ticket (its arrival order at Redis) and goes in when its ticket heads the
queue. Every ticket is a lease of `lock_lifetime`: the holder renews it from a background task
while its turn runs (at most `max_hold_time`), a waiter renews it each time it checks, so only a
replica that died stops renewing, and its tickets are dropped once their lease runs out. A waiter
blocks on its own wake-up list (BLPOP), pushed by the script that makes it the head, so a handoff
costs two round trips instead of Rasa's poll of up to a second. All of it goes through
`redis.asyncio`: the event loop never waits for Redis. Redis unreachable or slow: `LockError`
within `socket_timeout`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError

from bot.lock_scripts import SCRIPTS
from bot.lock_settings import LockSettings, LockStoreConfigError

logger = logging.getLogger(__name__)

# A timed wait on the client side ends this long after the head's lease, so that the expiry is
# seen at once (Redis checks BLPOP timeouts only about every 100 ms, at its default `hz`).
_PAST_DEADLINE = 0.003


def conversation_ref(conversation_id: str) -> str:
    """A name for logs and errors: conversation ids hold the policyholder's id."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:12]


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, each step atomic; see the module's docstring."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **options: Any) -> None:
        if endpoint_config is not None:
            if options:
                raise LockStoreConfigError("Give either an endpoint_config or settings.")
            settings = LockSettings.parse(endpoint_config.url, endpoint_config.kwargs)
        else:
            settings = LockSettings.parse(options.pop("host", None), options)
        self.settings = settings
        self.key_prefix = f"{settings.key_prefix}:lock:" if settings.key_prefix else "lock:"
        self._sync: Redis[bytes] | None = None
        self._async: AsyncRedis[bytes] | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        super().__init__()

    # The path Rasa takes: `async with lock_store.lock(conversation_id)`.

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Wait for this message's turn, hold it while the body runs, then hand it on.

        `lock_lifetime` is the lease (default: the store's); `wait_time_in_seconds` caps the
        time between two checks of a waiter (wake-ups come at once anyway).
        """
        lease = self._lease_ms(lock_lifetime)
        hold = int(self.settings.max_hold_time * 1000)
        ticket, turn, value = await self._enter(conversation_id, lease, hold)
        try:
            if turn:
                now = value
            else:
                now = await self._wait_turn(
                    conversation_id, ticket, value, lease, hold, wait_time_in_seconds
                )
            turn_over = asyncio.Event()
            keeper = asyncio.create_task(
                self._keep(conversation_id, ticket, lease, now + hold, turn_over),
                name=f"lock-renewal-{conversation_ref(conversation_id)}",
            )
            expires = (now + min(lease, hold)) / 1000
            try:
                yield TicketLock(conversation_id, deque([Ticket(ticket, expires)]))
            finally:
                turn_over.set()
                keeper.cancel()
        finally:
            # Even when the caller is cancelled, the release goes through.
            await asyncio.shield(self._spawn(self._release(conversation_id, ticket)))

    async def _enter(self, conversation_id: str, lease: int, hold: int) -> tuple[int, bool, int]:
        """Take a ticket: (ticket, whether it is already its turn, Redis ms or head's lease)."""
        entering = self._spawn(self._run("enter", conversation_id, lease, hold))
        try:
            raw_ticket, turn, value = await asyncio.shield(entering)
        except asyncio.CancelledError:
            # The script may have run: give its ticket back as soon as it answers, or that
            # ticket would hold up the conversation for a whole lifetime. (Shielded, the
            # cancellation also takes effect at once: redis-py 4.6 can swallow one.)
            entering.add_done_callback(partial(self._give_back, conversation_id))
            raise
        return int(raw_ticket), bool(turn), int(value)

    def _give_back(self, conversation_id: str, entering: asyncio.Task[Any]) -> None:
        if not entering.cancelled() and entering.exception() is None:
            self._spawn(self._release(conversation_id, int(entering.result()[0])))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A task kept referenced until it ends (the loop itself keeps only weak ones)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _wait_turn(
        self, conversation_id: str, ticket: int, head_left: int, lease: int, hold: int, cap: float
    ) -> int:
        """Block until `ticket` heads the queue; return Redis' time (ms) when it does."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.settings.max_wait_time
        wake_key = f"{self._base(conversation_id)}:w:{ticket}"
        while True:
            left = give_up - loop.time()
            if left <= 0:
                raise LockError(
                    f"Waited more than {self.settings.max_wait_time} s for the turn of "
                    f"conversation {conversation_ref(conversation_id)}."
                )
            # Renew one's own lease three times per lifetime; Redis must answer before
            # `socket_timeout`, and Redis may end a BLPOP up to 100 ms late.
            block = max(0.01, min(lease / 3000, cap, left, self.settings.socket_timeout / 2))
            head_deadline = head_left / 1000 + _PAST_DEADLINE
            await self._sleep_until_woken(wake_key, block, head_deadline)
            status, value = await self._run("poll", conversation_id, ticket, lease, hold)
            if status == 1:
                return int(value)
            if status == -1:
                raise LockError(
                    f"The ticket of conversation {conversation_ref(conversation_id)} expired "
                    "while it waited (this process did not renew it within lock_lifetime)."
                )
            head_left = int(value)

    async def _sleep_until_woken(self, key: str, block: float, head_deadline: float) -> None:
        client = self._client()
        wait = client.blpop([key], timeout=round(block, 3) or 0.01)
        try:
            if head_deadline >= block:
                await wait
            else:
                # The head did not renew its lease (it died or reached max_hold_time): check
                # again right after its lease ends. The cancelled BLPOP closes its connection.
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(wait, head_deadline)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error

    async def _keep(
        self, conversation_id: str, ticket: int, lease: int, hold_until: int, over: asyncio.Event
    ) -> None:
        """Renew the holder's lease three times per lifetime until `max_hold_time`."""
        ref = conversation_ref(conversation_id)
        while True:
            await asyncio.sleep(lease / 3000)
            try:
                left = await self._run("renew", conversation_id, ticket, lease, hold_until)
            except LockError as error:
                logger.warning("Could not renew the lock of conversation %s: %s", ref, error)
                continue
            if over.is_set():
                # redis-py 4.6 can swallow a cancellation (its connection check runs under
                # `async_timeout(0)`): the turn ended meanwhile, there is nothing to report.
                return
            if left < 0:
                logger.error("The lock of conversation %s ran out during its turn.", ref)
                return
            if left < lease:
                logger.warning(
                    "The turn of conversation %s exceeds max_hold_time (%s s): its lock "
                    "lapses in %d ms.",
                    ref,
                    self.settings.max_hold_time,
                    left,
                )
                return

    async def _release(self, conversation_id: str, ticket: int) -> None:
        try:
            await self._run("release", conversation_id, ticket)
        except LockError as error:
            # The turn is done: failing it now would only make the client send it again.
            # The ticket is no longer renewed, so it lapses within lock_lifetime.
            logger.warning(
                "Could not release the lock of conversation %s (it lapses by itself): %s",
                conversation_ref(conversation_id),
                error,
            )

    # Rasa's other entry points (its base `lock()` and helpers), synchronous like Rasa's.

    def issue_ticket(self, conversation_id: str, lock_lifetime: float | None = None) -> int:
        """Take a ticket, not renewed: it lives `lock_lifetime` like one of Rasa's."""
        lease = self._lease_ms(lock_lifetime)
        hold = int(self.settings.max_hold_time * 1000)
        return int(self._run_sync("enter", conversation_id, lease, hold)[0])

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return int(self._run_sync("settle", conversation_id)) > 0

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._run_sync("release", conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # The release deletes every key of the conversation once its queue is empty.
        self.finish_serving(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        self._run_sync("settle", conversation_id)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """A snapshot of the queue (deadlines in seconds by Redis' clock), for inspection."""
        flat = self._run_sync("inspect", conversation_id)
        if not flat:
            return None
        pairs = zip(flat[::2], flat[1::2], strict=True)
        tickets = deque(Ticket(int(t), float(deadline) / 1000) for t, deadline in pairs)
        return TicketLock(conversation_id, tickets)

    def delete_lock(self, conversation_id: str) -> None:
        """Drop every ticket of the conversation (an operator's reset)."""
        self._log_deletion(conversation_id, bool(self._run_sync("delete", conversation_id)))

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError(
            "AtomicRedisLockStore never writes a whole ticket list: each step is its own "
            "atomic script (issue_ticket, finish_serving, lock())."
        )

    # Plumbing.

    def _lease_ms(self, lock_lifetime: float | None) -> int:
        seconds = self.settings.lock_lifetime if lock_lifetime is None else lock_lifetime
        return max(500, int(seconds * 1000))

    def _base(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _keys(self, conversation_id: str) -> tuple[list[str], str]:
        base = self._base(conversation_id)
        return [f"{base}:q", f"{base}:e", f"{base}:s"], f"{base}:w:"

    def _client(self) -> AsyncRedis[bytes]:
        # A redis.asyncio client belongs to one event loop (a test may run several).
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            self._async = AsyncRedis(**self.settings.redis_options())
            self._async_loop = loop
        return self._async

    async def _run(self, script: str, conversation_id: str, *args: Any) -> Any:
        keys, wake = self._keys(conversation_id)
        try:
            return await SCRIPTS[script].run_async(self._client(), keys, [wake, *args])
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error

    def _run_sync(self, script: str, conversation_id: str, *args: Any) -> Any:
        if self._sync is None:
            self._sync = Redis(**self.settings.redis_options())
        keys, wake = self._keys(conversation_id)
        try:
            return SCRIPTS[script].run(self._sync, keys, [wake, *args])
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error

    def _unavailable(self, error: BaseException) -> LockError:
        where = f"{self.settings.host}:{self.settings.port}"
        return LockError(f"The Redis lock store at {where} failed: {type(error).__name__}: {error}")
