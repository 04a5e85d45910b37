"""Benchmark: what logins and server-side sessions cost a request.

1. A wall refresh (`/_dash-update-component`, the wall's callback) in open demo mode
   and with an account's server-side session: the session row read on every request
   (and written at most once a minute) is the difference.
2. A login refused by its back-off (no password hashed) against a wrong password
   (one argon2id verification at the library's default cost): why a guesser in
   back-off costs the workers nothing.

In-process (Flask's test client, no network), SQLite in a temporary folder, on one
pinned core; medians of --runs batches.

Run: python -m benchmarks.bench_auth [--runs N] [--requests N]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import median_of, pin_to_one_core
from tests.support.dash_client import wall_request
from vigie.accounts.passwords import hash_password
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.store import Store, sqlite_url

PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0


def per_request_ms(client: Any, send: Callable[[Any], Any], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        send(client)
    return (time.perf_counter() - started) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    print(f"bench_auth on {pin_to_one_core()}, {options.runs} runs")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(sqlite_url(Path(folder) / "vigie.db"))
        store.accounts.add_user("olga", "operator", None, hash_password(PASSWORD), 0.0)
        clock = VirtualClock(T0)
        open_app = create_app(store, clock).server.test_client()
        accounts = AuthSettings(open_demo=False, secret_key="bench")
        app = create_app(store, clock, auth=accounts).server.test_client()
        app.post("/login", data={"name": "olga", "password": PASSWORD})

        def refresh(client: Any) -> Any:
            return client.post("/_dash-update-component", json=wall_request())

        def refreshes(client: Any) -> Callable[[], float]:
            return lambda: per_request_ms(client, refresh, options.requests)

        for name, client in (("open demo mode", open_app), ("account session", app)):
            median, _ = median_of(options.runs, refreshes(client))
            print(f"wall refresh, {name}: median {median:.2f} ms per request")

        addresses = itertools.count(1)

        def wrong(client: Any, address: str = "10.0.0.1") -> Any:
            form = {"name": "olga", "password": "a wrong guess"}
            return client.post("/login", data=form, environ_base={"REMOTE_ADDR": address})

        def from_a_new_address(client: Any) -> Any:
            return wrong(client, f"10.1.0.{next(addresses)}")

        guesser = create_app(store, clock, auth=accounts).server.test_client()
        median, _ = median_of(options.runs, lambda: per_request_ms(guesser, from_a_new_address, 1))
        print(f"wrong password (argon2id verified): median {median:.1f} ms")
        for _ in range(3):
            wrong(guesser)  # the pair 10.0.0.1 is now waiting
        median, _ = median_of(
            options.runs, lambda: per_request_ms(guesser, wrong, options.requests)
        )
        print(f"login refused by its back-off (no hash): median {median:.2f} ms")
        store.close()


if __name__ == "__main__":
    main()
