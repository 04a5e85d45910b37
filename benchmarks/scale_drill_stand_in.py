"""A stand-in for `benchmarks.scale_collector` until it is on main (TO BE REPLACED:
the lead wires the real module at merge; same contract).

`measure(sites, workdir)` drills a seed-shaped plan of `sites` sites into
workdir/f"scale-{sites}.db" (SQLite) and reports the drill's CPU per cycle, the
bytes written per cycle (the process's write_bytes, WAL included) and the store's
size. The simulation stops just after the breach (T+25:30) unless told otherwise:
the screens are measured at T+25.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import tomli_w

from vigie.drill import run_drill
from vigie.plan import Plan, load_plan
from vigie.plan.scaled import scaled_plan
from vigie.resources import seed_plan
from vigie.store import Store, sqlite_url

STOP_AT_MIN = 25.5  # just after the breach at T+24:55: the screens are read at T+25


@dataclass(frozen=True)
class CollectorFigures:
    sites: int
    cycles: int
    cpu_ms_per_cycle: float
    bytes_written_per_cycle: float
    store_bytes: int


def scale_plan(sites: int, stop_at_min: float | None = STOP_AT_MIN) -> Plan:
    base = scaled_plan(load_plan(seed_plan()), sites)
    if stop_at_min is None or base.simulation is None:
        return base
    simulation = base.simulation.model_copy(update={"stop_at_min": stop_at_min})
    return base.model_copy(update={"simulation": simulation})


def store_path(sites: int, workdir: Path) -> Path:
    return workdir / f"scale-{sites}.db"


def measure(sites: int, workdir: Path) -> CollectorFigures:
    plan = scale_plan(sites)
    path = store_path(sites, workdir)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = Store.open(sqlite_url(path))
    toml_text = tomli_w.dumps(plan.model_dump(mode="json", exclude_none=True))
    me = psutil.Process()
    written, cpu = me.io_counters().write_bytes, time.process_time()
    run = run_drill(plan, toml_text, store)
    cpu = time.process_time() - cpu
    written = me.io_counters().write_bytes - written
    store.engine.dispose()
    return CollectorFigures(
        sites,
        run.cycles,
        1000 * cpu / run.cycles,
        written / run.cycles,
        sum(p.stat().st_size for p in path.parent.glob(path.name + "*")),
    )


if __name__ == "__main__":  # python -m benchmarks.scale_drill_stand_in SITES WORKDIR
    print(measure(int(sys.argv[1]), Path(sys.argv[2])))
