"""Benchmark: the wall's callback answer at 35, 1,000 and 3,000 sites, in bytes and CPU.

Each size is a seed-shaped plan (tests/support/scale_store.py) at T+25:30, the poll
at which the gateway reaches its limit, with two wave-4 sites stale. Reported, as
medians of `--repeats` answers through the Flask app (no network):
- the answer's size (the JSON the browser receives), in KiB;
- the server's CPU for a second not seen before (the screen built, then serialised);
- the server's CPU for one more viewer of the same second (shared build, serialised).

Target (issue 16): at most 64 KiB at 3,000 sites.

    python -m benchmarks.bench_wall_size [--sites 35 1000 3000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import median_of, pin_to_one_core
from tests.conftest import SEED_PLAN
from tests.support.dash_client import wall_request
from tests.support.scale_store import scaled_exercise
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.plan import load_plan
from vigie.plan.scaled import scaled_plan
from vigie.store import Store, sqlite_url

AT_S = 1530.0
POLL_S = 30.0
TARGET_KIB = 64


def measure(sites: int, repeats: int, folder: Path) -> str:
    seed = load_plan(SEED_PLAN)
    stale = [f.id for f in scaled_plan(seed, sites).faculties_in_wave(4)][7:10:2]
    store = Store.open(sqlite_url(folder / f"wall{sites}.db"))
    try:
        made = scaled_exercise(store, seed, sites, AT_S, POLL_S, stale=stale)
        app = create_app(store, VirtualClock(made.at), made.exercise_id)
        client = app.server.test_client()
        sizes: list[int] = []
        seconds = iter(range(10**6))

        def answer(search: str) -> float:
            start = time.process_time()
            response = client.post("/_dash-update-component", json=wall_request(search, "en"))
            spent = time.process_time() - start
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            sizes.append(len(response.get_data()))
            return spent * 1000

        # A new second each time (?at=), so that each one is built, not shared.
        built, _ = median_of(repeats, lambda: answer(f"?at={AT_S - next(seconds)}"))
        answer("?at=1500")
        shared, _ = median_of(repeats, lambda: answer("?at=1500"))
    finally:
        store.close()
    size = sorted(sizes)[len(sizes) // 2] / 1024
    return (
        f"{sites:>6,} sites: {size:6.1f} KiB, {built:6.1f} ms CPU built, "
        f"{shared:5.1f} ms CPU per extra viewer"
        + (f" (target <= {TARGET_KIB} KiB)" if sites >= 3000 else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[35, 1000, 3000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"wall answer at T+25:30, medians of {args.repeats}, on {pin_to_one_core()}")
    with tempfile.TemporaryDirectory(prefix="vigie-wall-size-") as folder:
        for sites in args.sites:
            print(measure(sites, args.repeats, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
