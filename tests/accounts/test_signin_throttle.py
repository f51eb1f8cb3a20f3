"""Sign-in throttling through the API and the sign-in page: growing locks whatever the
password, the same answers whether or not the account exists, unlocking by an admin, the
audit, exact counts under concurrent requests, and one throttle for several API instances."""

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.accounts.models import AccountKind, SecurityEventKind, StaffRole, ThrottleScope
from tests.accounts.conftest import Clock
from tests.accounts.helpers import counters, events, sign_in
from tests.factories import PASSWORD, Factory
from tests.web.helpers import login

NBSP = "\u00a0"


def _wrong_attempts(
    client: TestClient, clock: Clock, username: str, times: int, *, right_password_too: bool
) -> tuple[list[int], list[int]]:
    """Wrong passwords one after the other, each lock waited out (and a second more: a pause
    of exactly the window still counts); (statuses, locks met)."""
    statuses, waits = [], []
    for _ in range(times):
        response = sign_in(client, username, "wrong password")
        statuses.append(response.status_code)
        if response.status_code == 429:
            wait = int(response.headers["retry-after"])
            waits.append(wait)
            if right_password_too:
                assert sign_in(client, username).status_code == 429
            clock.advance(wait + 1)
    return statuses, waits


def test_ninety_wrong_passwords_meet_growing_locks_until_an_admin_unlocks(
    client: TestClient, factory: Factory, clock: Clock, db: Session
) -> None:
    holder = factory.policyholder("camille")
    admin = factory.staff(StaffRole.ADMIN)
    statuses, waits = _wrong_attempts(client, clock, "camille", 90, right_password_too=True)
    assert statuses == [401] * 4 + [429] * 86
    assert waits == [30, 60, 120, 240, 480] + [900] * 81

    # The 91st locks again; the right password is refused too, with a French message.
    assert sign_in(client, "camille", "wrong password").status_code == 429
    refused = sign_in(client, "camille")
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "too_many_attempts"
    assert body["detail"].startswith("Trop de tentatives de connexion. Par sécurité, réessayez")
    assert f"dans 15{NBSP}minutes (à partir de " in body["detail"]
    assert "adresse" not in body["detail"] and "identifiant" not in body["detail"]
    assert int(refused.headers["retry-after"]) == 900

    # An admin lifts the lock. (The address never reached its own threshold: each wait of
    # 15 minutes is a pause long enough for its counter to start over.)
    unlocked = client.post(
        "/api/v1/admin/security/unlock", json={"username": "camille"}, headers=factory.auth(admin)
    )
    assert unlocked.json() == {"unlocked": True}
    assert sign_in(client, "camille").status_code == 200

    locks = events(db, SecurityEventKind.SIGNIN_LOCKED)
    assert len(locks) == 87
    assert {(e.scope, e.account_kind, e.account_id) for e in locks} == {
        (ThrottleScope.ACCOUNT, AccountKind.POLICYHOLDER, holder.id)
    }
    assert all(e.address_hash and e.username_hash is None for e in locks)
    assert [e.failures for e in locks[:3]] == [5, 6, 7]
    [unlock] = events(db, SecurityEventKind.SIGNIN_UNLOCKED)
    assert (unlock.scope, unlock.admin_id, unlock.account_id) == (
        ThrottleScope.ACCOUNT,
        admin.id,
        holder.id,
    )
    stored = json.dumps(
        [[str(v) for v in row] for row in db.execute(text("SELECT * FROM security_event"))]
    )
    for secret in ("camille", "wrong password", PASSWORD, "testclient"):
        assert secret not in stored


def test_an_unknown_username_meets_the_same_answers(
    client: TestClient, factory: Factory, clock: Clock, db: Session
) -> None:
    factory.policyholder("camille")
    known = _wrong_attempts(client, clock, "camille", 8, right_password_too=False)
    unknown = _wrong_attempts(client, clock, "personne", 8, right_password_too=False)
    assert known == unknown == ([401] * 4 + [429] * 4, [30, 60, 120, 240])
    locks = events(db, SecurityEventKind.SIGNIN_LOCKED)
    assert [e.account_id is None for e in locks] == [False] * 4 + [True] * 4
    assert all(e.username_hash for e in locks[4:])
    assert "personne" not in {e.username_hash for e in locks}


def test_case_and_accents_do_not_open_a_new_counter(
    client: TestClient, factory: Factory, clock: Clock
) -> None:
    factory.policyholder("camille")
    for username in ("camille", "Camille", "CAMILLE", " camille", "camillé"):
        sign_in(client, username, "wrong password")
    assert sign_in(client, "camille").status_code == 429


def test_a_success_starts_the_account_over(client: TestClient, factory: Factory) -> None:
    factory.policyholder("camille")
    for _ in range(4):
        assert sign_in(client, "camille", "wrong password").status_code == 401
    assert sign_in(client, "camille").status_code == 200
    for _ in range(4):
        assert sign_in(client, "camille", "wrong password").status_code == 401
    assert sign_in(client, "camille").status_code == 200


def test_one_address_trying_many_usernames_is_locked(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")
    answers = [sign_in(client, f"inconnu{i}", "wrong password").status_code for i in range(30)]
    assert answers == [401] * 29 + [429]
    # The address is locked: even the right password of another account waits.
    assert sign_in(client, "camille").status_code == 429
    [locked] = events(db, SecurityEventKind.SIGNIN_LOCKED)
    assert (locked.scope, locked.failures) == (ThrottleScope.ADDRESS, 30)
    assert locked.account_id is None and locked.username_hash and locked.address_hash
    # An admin lifts it by the address.
    admin = factory.staff(StaffRole.ADMIN)
    unlocked = client.post(
        "/api/v1/admin/security/unlock", json={"address": "testclient"}, headers=factory.auth(admin)
    )
    assert unlocked.json() == {"unlocked": True}
    assert sign_in(client, "camille").status_code == 200
    [unlock] = events(db, SecurityEventKind.SIGNIN_UNLOCKED)
    assert (unlock.scope, unlock.address_hash) == (ThrottleScope.ADDRESS, locked.address_hash)


def test_the_sign_in_page_says_when_to_try_again(
    client: TestClient, factory: Factory, clock: Clock
) -> None:
    factory.staff(StaffRole.AGENT, "agnes")
    answers = [login(client, "agnes", "wrong password").status_code for _ in range(5)]
    assert answers == [400] * 4 + [429]
    response = login(client, "agnes")  # the right password, while locked
    assert response.status_code == 429
    # starlette's TestClient adds `template` and `context` to a template's response (untyped)
    assert response.template.name == "login.html"  # type: ignore[attr-defined]
    assert response.headers["retry-after"] == "30"
    error = response.context["error"]  # type: ignore[attr-defined]
    assert error.startswith(
        f"Trop de tentatives de connexion. Par sécurité, réessayez dans 30{NBSP}secondes"
    )
    assert client.get("/agent", follow_redirects=False).status_code == 303
    clock.advance(30)
    assert login(client, "agnes").status_code == 303


def test_concurrent_wrong_passwords_are_counted_exactly(
    live_server: str, factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")

    def attempt(_i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            return sign_in(http, "camille", "wrong password").status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(12)))
    # The fifth locks; the ones after it are refused without a password check.
    assert sorted(answers) == [401] * 4 + [429] * 8
    [account] = counters(db, ThrottleScope.ACCOUNT)
    [address] = counters(db, ThrottleScope.ADDRESS)
    assert (account.failures, address.failures) == (5, 5)
    assert len(events(db, SecurityEventKind.SIGNIN_LOCKED)) == 1


def test_concurrent_attempts_below_the_threshold_lose_no_count(
    live_server: str, app: FastAPI, factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")
    original = app.state.settings
    app.state.settings = original.model_copy(update={"signin_account_failures": 100})

    def attempt(_i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            return sign_in(http, "camille", "wrong password").status_code

    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(attempt, range(20)))
    finally:
        app.state.settings = original
    assert answers == [401] * 20
    [account] = counters(db, ThrottleScope.ACCOUNT)
    [address] = counters(db, ThrottleScope.ADDRESS)
    assert (account.failures, address.failures) == (20, 20)


def test_api_instances_share_the_throttle_through_redis(
    redis_apps: list[FastAPI], factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")
    admin = factory.staff(StaffRole.ADMIN)
    with TestClient(redis_apps[0]) as first, TestClient(redis_apps[1]) as second:
        answers = [sign_in(first, "camille", "wrong password").status_code for _ in range(3)]
        answers += [sign_in(second, "camille", "wrong password").status_code for _ in range(2)]
        assert answers == [401, 401, 401, 401, 429]
        assert sign_in(first, "camille").status_code == 429
        # Nothing went to the database's table: Redis holds the counters.
        assert counters(db, ThrottleScope.ACCOUNT) == []
        locks = first.get("/api/v1/admin/security/locks", headers=factory.auth(admin)).json()
        assert [(lock["scope"], lock["account"]["label"], lock["failures"]) for lock in locks] == [
            ("account", "camille", 5)
        ]
        unlocked = second.post(
            "/api/v1/admin/security/unlock",
            json={"key": locks[0]["key"]},
            headers=factory.auth(admin),
        )
        assert unlocked.json() == {"unlocked": True}
        assert sign_in(first, "camille").status_code == 200
    assert len(events(db, SecurityEventKind.SIGNIN_LOCKED)) == 1
    assert len(events(db, SecurityEventKind.SIGNIN_UNLOCKED)) == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "camille", "address": "203.0.113.7"}, {"key": "nimporte-quoi"}],
)
def test_an_unlock_names_exactly_one_lock(
    client: TestClient, factory: Factory, body: dict[str, str]
) -> None:
    admin = factory.staff(StaffRole.ADMIN)
    response = client.post("/api/v1/admin/security/unlock", json=body, headers=factory.auth(admin))
    assert response.status_code == 400 or response.status_code == 422
    assert response.json()["detail"]


def test_oversized_credentials_are_refused_without_counting(
    client: TestClient, factory: Factory, db: Session
) -> None:
    factory.policyholder("camille")
    for username, password in (("c" * 65, PASSWORD), ("camille", "p" * 1025)):
        response = sign_in(client, username, password)
        assert response.status_code == 401
        assert response.json()["detail"] == "Identifiant ou mot de passe incorrect."
    assert counters(db, ThrottleScope.ACCOUNT) == counters(db, ThrottleScope.ADDRESS) == []
