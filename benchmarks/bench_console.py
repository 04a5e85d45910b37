"""Benchmark: the console's refresh at 35, 1,000 and 3,000 sites, at T+25 (the breach).

Each size is a seed-shaped store (measured at T+24:45) made by tests/support/scale_store.py (history
every 15 s from T+0, 5 wave-4 sites lagging and 2 stale). The console's refresh
callback is called over HTTP (Flask's test client, as the browser calls it) for
each chart view, and reported per view:
- first: the first viewer of a new tick, the worker having served the tick before
  (it builds what the tick and the second share: the steady state of a live room);
- viewer: each further viewer of the same second (median of VIEWERS);
- KiB: the serialised response.

Medians of --repeats runs (each run is a fresh second of a fresh app). One core.
Run: python -m benchmarks.bench_console [--sizes 35,1000,3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import pin_to_one_core
from tests.support.dash_client import console_request
from tests.support.scale_store import scaled_exercise
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.plan import load_plan
from vigie.plan.scaled import scaled_plan
from vigie.store import Store, sqlite_url

SEED = Path(__file__).resolve().parents[1] / "scenarios" / "ecnp-2022-01-21.toml"
AT_S = 1500.0  # T+25:00, the store's last poll
VIEWERS = 10
POLL_S = 15.0  # scale_store's poll interval
VIEWS = ("total", "waves", "faculties")


def measure(store: Store, exercise_id: int, at: float, view: str) -> tuple[float, float, int]:
    """(first viewer ms, further viewer ms, response bytes) for one fresh second."""
    # Two polls before the last: T+24:30 then T+24:45, on the same grid of buckets
    # (T+25:00.5 would be the first instant of a coarser one, read whole once).
    clock = VirtualClock(at - 2 * POLL_S + 0.5)
    app = create_app(store, clock, exercise_id)
    client = app.server.test_client()
    client.get("/")  # the pages' callbacks are registered on first use
    request = console_request(view=view)
    assert client.post("/_dash-update-component", json=request).status_code == 200
    clock.advance(POLL_S)  # the collector's next poll

    def one() -> tuple[float, int]:
        started = time.perf_counter()
        response = client.post("/_dash-update-component", json=request)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return elapsed * 1000, len(response.get_data())

    first, size = one()
    further = statistics.median(one()[0] for _ in range(VIEWERS))
    return first, further, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="35,1000,3000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"pinned to {pin_to_one_core()}")
    base = load_plan(SEED)
    print(f"{'sites':>6} {'view':>10} {'first ms':>9} {'viewer ms':>10} {'KiB':>8}")
    for sites in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(sqlite_url(Path(folder) / "scale.db"))
            ids = [f.id for f in scaled_plan(base, sites).faculties if f.wave == 4]
            made = scaled_exercise(store, base, sites, AT_S, lagging=ids[:5], stale=ids[5:7])
            for view in VIEWS:
                runs = [
                    measure(store, made.exercise_id, made.at, view) for _ in range(args.repeats)
                ]
                first = statistics.median(r[0] for r in runs)
                further = statistics.median(r[1] for r in runs)
                size = statistics.median(r[2] for r in runs) / 1024
                print(f"{sites:>6} {view:>10} {first:>9.1f} {further:>10.1f} {size:>8.1f}")
                sys.stdout.flush()
            store.close()


if __name__ == "__main__":
    main()
