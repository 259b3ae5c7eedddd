"""Sign-in under attack (issue 11 item 4): the answer takes as long for a name that does not exist
(or is disabled, or locked) as for a wrong password, so names cannot be enumerated by timing; and
the lock-out holds when many attempts arrive at once — in threads and in two processes, on SQLite
and on PostgreSQL — because each password check is reserved in the operational store before it
runs. Timing is compared as a ratio of medians with a generous bound: a correctness property (the
same work is done), not a speed budget."""

from __future__ import annotations

import dataclasses
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.access import audit, users
from dashboard.core.settings import PROJECT_DIR
from tests.access_kit import TEST_PASSWORD

ATTEMPTS = 12
LIMIT = 5


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    store = request.getfixturevalue("store")  # isolated settings: the audit key and anchors in tmp_path
    if request.param == "sqlite":
        return store.engine
    return request.getfixturevalue("pg_engine")


def add(engine, name: str, access) -> None:
    users.add_user(engine, name, "office", "test", password=TEST_PASSWORD, must_change_password=False, access=access)


def password_checks(engine, name: str) -> int:
    """Password checks that failed, as the audit log records them (a locked refusal checks none)."""
    log = audit.search(engine, user=name, action="sign_in_failed")
    return sum(json.loads(d)["reason"] in ("wrong_password", "unknown_user") for d in log["detail"])


def test_unknown_disabled_and_locked_names_take_as_long_as_a_wrong_password(store):
    # A cost where bcrypt is most of the work (the shipped 12 would only make the test slower).
    access = dataclasses.replace(store.access, bcrypt_rounds=10, max_failed_sign_ins=1000)
    for name in ("known", "disabled", "locked"):
        add(store.engine, name, access)
    users.set_disabled(store.engine, "disabled", True, "test")
    lock_now = dataclasses.replace(access, max_failed_sign_ins=1, lockout_minutes=60)
    assert users.authenticate(store.engine, "locked", "wrong-password", lock_now).reason == "locked"
    cases = {
        "wrong password": ("known", "wrong-password"),
        "unknown name": ("nobody.here", "wrong-password"),
        "disabled name": ("disabled", "wrong-password"),
        "locked name": ("locked", TEST_PASSWORD),
    }
    seconds: dict[str, list[float]] = {case: [] for case in cases}
    for round_no in range(16):  # interleaved, so that load on the machine hits every case alike
        for case, (name, password) in cases.items():
            started = time.perf_counter()
            result = users.authenticate(store.engine, name, password, access)
            elapsed = time.perf_counter() - started
            assert not result.ok
            if round_no:  # the first round warms the caches (the dummy hash is made once per process)
                seconds[case].append(elapsed)
    medians = {case: statistics.median(values) for case, values in seconds.items()}
    reference = medians["wrong password"]
    ratios = {case: round(m / reference, 2) for case, m in medians.items()}
    assert all(0.5 <= r <= 2.0 for r in ratios.values()), (ratios, medians)


def test_parallel_attempts_in_threads_check_at_most_the_limit(engine, store):
    access = dataclasses.replace(store.access, max_failed_sign_ins=LIMIT, bcrypt_rounds=8)
    add(engine, "target", access)
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(i: int) -> users.AuthResult:
        barrier.wait()  # all at once
        return users.authenticate(engine, "target", f"wrong-password-{i}", access)

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))
    assert sum(r.password_checked for r in results) == LIMIT
    assert password_checks(engine, "target") == LIMIT
    assert sum(r.reason == "locked" for r in results) == ATTEMPTS - LIMIT + 1  # the refused, and the one locking
    assert users.locked_until(engine, "target") is not None
    # one failure short of the limit, then a burst: exactly one more password is checked
    add(engine, "second", access)
    for i in range(LIMIT - 1):
        users.authenticate(engine, "second", f"wrong-{i}", access)
    barrier = threading.Barrier(ATTEMPTS)

    def burst(i: int) -> users.AuthResult:
        barrier.wait()
        return users.authenticate(engine, "second", TEST_PASSWORD if i == ATTEMPTS - 1 else f"guess-{i}", access)

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        results = list(pool.map(burst, range(ATTEMPTS)))
    assert sum(r.password_checked for r in results) == 1
    assert sum(r.ok for r in results) <= 1


ATTACKER = """
import dataclasses, json, sys, threading, time
from pathlib import Path
from sqlalchemy import create_engine, event
from dashboard.access import users
from dashboard.core.settings import get_settings
from dashboard.store import opstore
url, schema, who, n, barrier = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5])
engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"} if schema else {"timeout": 30})
if not schema:
    event.listen(engine, "connect", opstore._sqlite_pragmas)
engine.connect().close()
access = dataclasses.replace(get_settings().access, max_failed_sign_ins=int(sys.argv[6]), bcrypt_rounds=8)
(barrier / who).touch()
while not (barrier / "go").exists():  # both processes start at the same moment
    time.sleep(0.005)
checked = []
def attempt(i):
    checked.append(users.authenticate(engine, "target", f"wrong-{who}-{i}", access).password_checked)
threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(checked))
"""


def test_parallel_attempts_from_two_processes_check_at_most_the_limit(engine, store, tmp_path):
    access = dataclasses.replace(store.access, max_failed_sign_ins=LIMIT, bcrypt_rounds=8)
    add(engine, "target", access)
    schema = getattr(engine, "info_schema", "")
    url = engine.url.render_as_string(hide_password=False)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ATTACKER, url, schema, f"p{k}", str(ATTEMPTS // 2), str(tmp_path), str(LIMIT)],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    while not all((tmp_path / f"p{k}").exists() for k in range(2)):
        assert all(c.poll() is None for c in children), children[0].stderr
        time.sleep(0.01)
    (tmp_path / "go").touch()
    checked = []
    for child in children:
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
        checked += json.loads(out.strip().splitlines()[-1])
    assert len(checked) == ATTEMPTS
    assert sum(checked) == LIMIT
    assert password_checks(engine, "target") == LIMIT
    assert users.locked_until(engine, "target") is not None
    assert audit.verify(engine) == []
