"""Benchmark: the collector's cycle on seed-shaped plans of any size (issue 16, item 3).

Drills `scaled_plan(seed, sites)` on SQLite, its simulation stopped at T+25.5 (just
after the breach), and measures each poll cycle: CPU split into the simulator (its
collectors' reads), `write_cycle` (samples and source health), the alert engine and
the tick recorder (its own part: the per-tick state), and the bytes the process
passed to write() during the cycle (/proc/self/io `wchar`: SQLite's WAL and its
checkpoints into the database file). The drilled store is left at
workdir/scale-{sites}.db for the screens' benchmark.

"simulator" is the in-process collectors' reads: the simulated platform and the
mapping of its /metrics text to samples. "collector" is the rest, the target's
part: write_cycle + alert engine + tick recorder. Targets at 3,000 sites: that
<= 150 ms CPU and <= 5 MB written per cycle (the mean: it counts checkpoints).

Run: python -m benchmarks.scale_collector [SITES ...] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from benchmarks.common import pin_to_one_core
from vigie.alerts.engine import AlertEngine
from vigie.plan import Plan, load_plan
from vigie.plan.scaled import scaled_plan
from vigie.resources import seed_plan
from vigie.run import drill
from vigie.store import Store, sqlite_url
from vigie.tick.recorder import TickRecorder

STOP_AT_MIN = 25.5  # just after the breach at T+24:55: a 3,000-site run takes minutes
TARGET_CPU_MS = 150.0
TARGET_WRITTEN_MB = 5.0
STAGES = ("simulator", "write_cycle", "alert_engine", "tick_recorder")


@dataclass(frozen=True)
class CollectorFigures:
    sites: int
    cycles: int
    cpu_ms_per_cycle: float  # median over the cycles, the simulator included
    collector_cpu_ms_per_cycle: float  # median of write_cycle + engine + tick: the target's
    stage_cpu_ms: dict[str, float]  # median per stage (STAGES)
    bytes_per_cycle: float  # median over the cycles
    mean_bytes_per_cycle: float  # total / cycles: counts the checkpoints a median skips
    store_bytes: int  # the database file and its WAL after the drill
    series: int
    samples_per_cycle: float


@dataclass
class _CycleMeter:
    """Per cycle: CPU of each stage and bytes written, from the wrapped calls."""

    cpu: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    totals: list[float] = field(default_factory=list)
    collector: list[float] = field(default_factory=list)  # all but the simulator
    written: list[int] = field(default_factory=list)
    _open: dict[str, float] = field(default_factory=dict)
    _cycle_start: tuple[float, int] | None = None

    def timed(self, stage: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if stage == "cycle":
                self._cycle_start = (time.process_time(), _written_bytes())
            started = time.process_time()
            try:
                return call(*args, **kwargs)
            finally:
                self._open[stage] = time.process_time() - started
                if stage == "recorder":
                    self._close_cycle()

        return wrapper

    def _close_cycle(self) -> None:
        if self._cycle_start is None:
            return  # the pre-flight judgement at T+0, outside any cycle
        cpu0, written0 = self._cycle_start
        self._cycle_start = None
        spent = self._open
        self.cpu["simulator"].append(spent["cycle"] - spent["write_cycle"])
        self.cpu["write_cycle"].append(spent["write_cycle"])
        self.cpu["alert_engine"].append(spent["engine"])
        self.cpu["tick_recorder"].append(spent["recorder"] - spent["engine"])
        self.totals.append(time.process_time() - cpu0)
        self.collector.append(spent["write_cycle"] + spent["recorder"])
        self.written.append(_written_bytes() - written0)


def _written_bytes() -> int:
    """Bytes this process passed to write() so far (0 where /proc has no io file)."""
    try:
        text = Path("/proc/self/io").read_text(encoding="ascii")
    except OSError:
        return 0
    fields = dict(line.split(": ") for line in text.splitlines())
    return int(fields["wchar"])


@contextmanager
def _metered(store: Store, meter: _CycleMeter) -> Iterator[None]:
    """The drill's own code, with each stage's calls timed."""
    patches = [
        (drill, "run_cycle", "cycle"),
        (AlertEngine, "after_cycle", "engine"),
        (TickRecorder, "after_cycle", "recorder"),
    ]
    store.write_cycle = meter.timed("write_cycle", store.write_cycle)  # type: ignore[method-assign]
    with ExitStack() as undo:
        for owner, name, stage in patches:
            original = getattr(owner, name)
            setattr(owner, name, meter.timed(stage, original))
            undo.callback(setattr, owner, name, original)
        yield


def stopped_early(plan: Plan, stop_at_min: float = STOP_AT_MIN) -> Plan:
    sim = plan.simulation
    assert sim is not None, "the seed plan has a simulation"
    return plan.model_copy(
        update={"simulation": sim.model_copy(update={"stop_at_min": stop_at_min})}
    )


def measure(sites: int, workdir: Path, stop_at_min: float = STOP_AT_MIN) -> CollectorFigures:
    """Drill `sites` seed-shaped sites into workdir/scale-{sites}.db (replaced) and measure."""
    plan = stopped_early(scaled_plan(load_plan(seed_plan()), sites), stop_at_min)
    plan_toml = tomli_w.dumps(plan.model_dump(mode="json", exclude_none=True))
    path = workdir / f"scale-{sites}.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = Store.open(sqlite_url(path))
    meter = _CycleMeter()
    try:
        with _metered(store, meter):
            run = drill.run_drill(plan, plan_toml, store)
        series = store.series_count(run.exercise_id)
    finally:
        store.close()
    return CollectorFigures(
        sites=sites,
        cycles=run.cycles,
        cpu_ms_per_cycle=1000 * statistics.median(meter.totals),
        collector_cpu_ms_per_cycle=1000 * statistics.median(meter.collector),
        stage_cpu_ms={s: 1000 * statistics.median(v) for s, v in meter.cpu.items()},
        bytes_per_cycle=statistics.median(meter.written),
        mean_bytes_per_cycle=sum(meter.written) / len(meter.written),
        store_bytes=sum(p.stat().st_size for p in workdir.glob(f"{path.name}*")),
        series=series,
        samples_per_cycle=run.samples / run.cycles,
    )


def table(figures: list[CollectorFigures]) -> str:
    head = [
        "sites",
        "cycles",
        "series",
        "CPU ms",
        "collector",
        *STAGES,
        "MB/cycle",
        "mean",
        "store MB",
    ]
    rows = [
        [
            f"{f.sites:,}",
            f"{f.cycles:,}",
            f"{f.series:,}",
            f"{f.cpu_ms_per_cycle:.1f}",
            f"{f.collector_cpu_ms_per_cycle:.1f}",
            *(f"{f.stage_cpu_ms[s]:.1f}" for s in STAGES),
            f"{f.bytes_per_cycle / 1e6:.2f}",
            f"{f.mean_bytes_per_cycle / 1e6:.2f}",
            f"{f.store_bytes / 1e6:.0f}",
        ]
        for f in figures
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sites", type=int, nargs="*", default=[35, 1000, 3000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--stop-at-min", type=float, default=STOP_AT_MIN)
    args = parser.parse_args()
    where = pin_to_one_core()
    print(
        f"collector cycle on seed-shaped plans, SQLite, stopped at T+{args.stop_at_min}, {where};"
        f" medians per cycle (targets at 3,000 sites: <= {TARGET_CPU_MS:g} ms CPU,"
        f" <= {TARGET_WRITTEN_MB:g} MB written)"
    )
    with tempfile.TemporaryDirectory(prefix="vigie-scale-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = []
        for sites in args.sites:
            figures.append(measure(sites, workdir, args.stop_at_min))
            print(table(figures[-1:]), flush=True)
        print()
        print(table(figures))


if __name__ == "__main__":
    main()
