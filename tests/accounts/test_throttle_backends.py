"""The sign-in throttle's rule, the same on both backends (database and Redis): growing
locks, nothing counted while locked, a pause that starts over, exact counts under
concurrency."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.accounts.auth_sessions import AccountRef
from api.accounts.models import AccountKind
from api.accounts.throttle import (
    Counted,
    Rule,
    Rules,
    Subject,
    account_subject,
    address_subject,
)
from tests.accounts.conftest import RULES, Store

SECRET = "test-throttle-secret"
CAMILLE = account_subject("camille", secret=SECRET)
ADDRESS = address_subject("203.0.113.7", secret=SECRET)
ACCOUNT = AccountRef(AccountKind.POLICYHOLDER, 42)
T0 = 1_800_000_000.0


def count(store: Store, now: float, subject: Subject = CAMILLE) -> Counted:
    with store.request() as throttle:
        return throttle.count(subject, account=ACCOUNT, now=now)


def test_from_the_fifth_failure_the_lock_doubles_up_to_fifteen_minutes(store: Store) -> None:
    outcomes = [count(store, T0 + i) for i in range(4)]
    assert [(c.allowed, c.failures, c.locked_until) for c in outcomes] == [
        (True, 1, None),
        (True, 2, None),
        (True, 3, None),
        (True, 4, None),
    ]
    now = T0 + 4
    locks = []
    for _ in range(8):
        counted = count(store, now)
        assert counted.allowed and counted.locked_until is not None
        locks.append(round(counted.locked_until - now))
        refused = count(store, now + 1)
        assert not refused.allowed
        assert refused.locked_until == pytest.approx(counted.locked_until)
        assert refused.retry_after(now + 1) == locks[-1] - 1
        now = counted.locked_until + 1
    assert locks == [30, 60, 120, 240, 480, 900, 900, 900]


def test_nothing_is_counted_while_locked(store: Store) -> None:
    for i in range(5):
        count(store, T0 + i)
    for i in range(20):
        assert not count(store, T0 + 5 + i).allowed
    after = count(store, T0 + 4 + 31)
    assert (after.allowed, after.failures) == (True, 6)


def test_a_pause_longer_than_the_window_starts_over(store: Store) -> None:
    for i in range(3):
        count(store, T0 + i)
    assert count(store, T0 + 2 + 900).failures == 4  # a pause of exactly the window: still on
    assert count(store, T0 + 902 + 901).failures == 1
    # After a lock, the pause counts from the lock's end.
    julien = account_subject("julien", secret=SECRET)
    for i in range(4):
        count(store, T0 + i, julien)
    locked = count(store, T0 + 4, julien)
    assert locked.locked_until == pytest.approx(T0 + 34)
    assert count(store, T0 + 34 + 900, julien).failures == 6
    second_lock_end = T0 + 934 + 60
    assert count(store, second_lock_end + 901, julien).failures == 1


def test_each_address_has_its_own_higher_threshold(store: Store) -> None:
    for i in range(29):
        assert count(store, T0 + i, ADDRESS).locked_until is None
    assert count(store, T0 + 29, ADDRESS).locked_until == pytest.approx(T0 + 59)
    assert count(store, T0 + 30).failures == 1  # the account's counter is another one


def test_taking_back_a_count_undoes_it_and_the_lock_it_started(store: Store) -> None:
    for i in range(4):
        count(store, T0 + i)
    fifth = count(store, T0 + 4)
    assert fifth.locked_until is not None
    with store.request() as throttle:
        throttle.take_back(CAMILLE, fifth)
    again = count(store, T0 + 5)
    assert (again.allowed, again.failures) == (True, 5)


def test_clearing_forgets_the_counter_and_tells_the_lock_it_held(store: Store) -> None:
    for i in range(5):
        count(store, T0 + i)
    with store.request() as throttle:
        lock = throttle.clear(CAMILLE, now=T0 + 6)
        assert throttle.clear(ADDRESS, now=T0 + 6) is None
    assert lock is not None
    assert (lock.subject, lock.failures, lock.account) == (CAMILLE, 5, ACCOUNT)
    assert lock.locked_until == pytest.approx(T0 + 34)
    assert count(store, T0 + 7).failures == 1


def test_only_counters_locked_now_are_listed_longest_first(store: Store) -> None:
    for i in range(6):
        count(store, T0 + 40 * i)  # the sixth, after the first lock, locks for 60 s
    for i in range(30):
        with store.request() as throttle:
            throttle.count(ADDRESS, account=None, now=T0 + 200 + i)
    other = account_subject("julien", secret=SECRET)
    count(store, T0, other)  # one failure: not locked
    with store.request() as throttle:
        locks = throttle.locks(now=T0 + 231)
        later = throttle.locks(now=T0 + 300)
    # The account's second lock (60 s from T0 + 200) outlasts the address's first (30 s).
    assert [(lock.subject, lock.failures) for lock in locks] == [(CAMILLE, 6), (ADDRESS, 30)]
    assert locks[0].account == ACCOUNT and locks[1].account is None
    assert locks[0].locked_until == pytest.approx(T0 + 260)
    assert later == []


def test_concurrent_attempts_are_counted_exactly(store: Store) -> None:
    store.rules = Rules(
        account=Rule(threshold=1000, window_s=900, first_lock_s=30, max_lock_s=900),
        address=RULES.address,
    )
    now = time.time()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _i: count(store, now), range(40)))
    assert sorted(c.failures for c in outcomes) == list(range(1, 41))


def test_concurrent_attempts_cannot_slip_past_the_lock(store: Store) -> None:
    now = time.time()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _i: count(store, now), range(20)))
    allowed = [c for c in outcomes if c.allowed]
    assert sorted(c.failures for c in allowed) == [1, 2, 3, 4, 5]
    assert sum(1 for c in allowed if c.locked_until is not None) == 1
