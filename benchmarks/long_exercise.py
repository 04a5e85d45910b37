"""A generated long exercise for the review benchmark: 4 hours at 1 s, about 2,000 series.

The seed plan stretched to its planned end (waves, throttle and breach as on
21 January 2022, then the platform runs on to T+4:00), polled each second through
the drill's own pipeline: the alert engine and the per-tick state are written at
every step, as the live collector writes them, so the review replays it like any
other exercise. Beside the platform's ~130 series, simulated faculty machines
report what a `vigie agent` reports (CPU, memory, throughput, TCP states, file
descriptors, conntrack) until the exercise holds the series asked for.

The machines' series are written after the drill, in chunks of 5 minutes, as
`vigie import` writes: written cycle by cycle, each second touches one page per
series and generating 4 hours would take ~12 minutes instead of ~4. The per-tick
states therefore show no machines (the wall and the review do not show them).

Run alone: python -m benchmarks.long_exercise --db URL [--hours H] [--series N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tomli_w

from vigie.collectors.host import TCP_STATES
from vigie.plan import Plan, parse_plan
from vigie.resources import seed_plan
from vigie.run.drill import DrillRun, run_drill
from vigie.series import Labels, Sample
from vigie.store import Store

AGENTS_SOURCE = "agents"
PLATFORM_SERIES = 131  # the seed plan's own series per cycle (signals and source health)


def long_plan_toml(hours: float) -> str:
    """The seed plan, run to T+`hours` instead of being stopped at minute 37."""
    plan: dict[str, Any] = tomllib.loads(seed_plan().read_text("utf-8"))
    minutes = round(hours * 60)
    plan["exercise"]["duration_min"] = minutes
    plan["exercise"]["name"] = f"ECNp load test run on to {hours:g} h (generated for benchmarks)"
    plan["simulation"]["stop_at_min"] = minutes
    plan["sources"].append({"id": AGENTS_SOURCE, "kind": "agent"})
    return tomli_w.dumps(plan)


@dataclass(frozen=True)
class Machine:
    faculty: str
    host: str
    index: int


class SimulatedMachines:
    """Faculty machines as their agents report them."""

    def __init__(self, machines: Sequence[Machine]) -> None:
        self._machines = machines
        self._labels = [_machine_labels(m) for m in machines]

    def collect(self, now: float) -> Sequence[Sample]:
        samples: list[Sample] = []
        for machine, labels in zip(self._machines, self._labels, strict=True):
            load = 0.5 + 0.4 * math.sin(now / 600 + machine.index)
            for key, value in _readings(load, machine.index):
                name, stored_labels = labels[key]
                samples.append(Sample(name, stored_labels, now, value))
        return samples


SERIES_PER_MACHINE = 10 + len(TCP_STATES)


def _readings(load: float, index: int) -> list[tuple[str, float]]:
    established = 400 * load + index
    return [
        ("host_cpu_ratio", 0.1 + 0.6 * load),
        ("host_memory_used_ratio", 0.3 + 0.2 * load),
        ("host_network_bytes_per_second:receive", 2e6 * load),
        ("host_network_bytes_per_second:transmit", 6e5 * load),
        *(
            (f"host_tcp_connections:{state}", established / (1 + i))
            for i, state in enumerate(TCP_STATES)
        ),
        ("host_open_fds", 3000 + 2000 * load),
        ("host_fd_limit", 1_048_576.0),
        ("host_process_open_fds", 40.0),
        ("host_process_fd_limit", 1024.0),
        ("host_conntrack_entries", 9000 * load),
        ("host_conntrack_limit", 65_536.0),
    ]


def _machine_labels(machine: Machine) -> dict[str, tuple[str, Labels]]:
    """Each reading's stored (name, labels), built once: `name:value` adds a label."""
    base = {"faculty": machine.faculty, "host": machine.host}
    named: dict[str, tuple[str, Labels]] = {}
    for key, _ in _readings(0.0, 0):
        name, _, extra = key.partition(":")
        labels = dict(base)
        if extra:
            labels["state" if name == "host_tcp_connections" else "direction"] = extra
        named[key] = (name, tuple(sorted(labels.items())))
    return named


def machines_for(plan: Plan, series: int) -> list[Machine]:
    """Enough machines, spread over the faculties in turn, for about `series` series."""
    count = max(0, round((series - PLATFORM_SERIES) / SERIES_PER_MACHINE))
    faculties = [f.id for f in plan.faculties]
    return [
        Machine(
            faculties[i % len(faculties)],
            f"{faculties[i % len(faculties)]}-{i // len(faculties) + 1}",
            i,
        )
        for i in range(count)
    ]


@dataclass(frozen=True)
class Generated:
    run: DrillRun
    series: int
    samples: int
    plan: Plan


def generate(
    store: Store, hours: float = 4.0, series: int = 2000, quiet: bool = False
) -> Generated:
    plan_toml = long_plan_toml(hours)
    plan = parse_plan(plan_toml)
    machines = SimulatedMachines(machines_for(plan, series))
    total_s = hours * 3600
    started = time.perf_counter()
    shown = [0]

    def progress(covered_s: float) -> None:
        tenth = int(10 * covered_s / total_s)
        if not quiet and tenth > shown[0]:
            shown[0] = tenth
            elapsed = time.perf_counter() - started
            print(f"  generated {tenth * 10}% ({elapsed:.0f} s)", file=sys.stderr, flush=True)

    run = run_drill(plan, plan_toml, store, progress=progress)
    if not quiet:
        print("  writing the machines' series", file=sys.stderr, flush=True)
    record = store.exercise(run.exercise_id)
    assert record is not None
    written = _write_machines(store, run.exercise_id, machines, record.t0, run.cycles)
    return Generated(run, store.series_count(run.exercise_id), run.samples + written, plan)


CHUNK_STEPS = 300


def _write_machines(
    store: Store, exercise_id: int, machines: SimulatedMachines, t0: float, steps: int
) -> int:
    """One sample per machine reading at each second of the drill, chunk by chunk."""
    written = 0
    for first in range(1, steps + 1, CHUNK_STEPS):
        chunk: list[Sample] = []
        for step in range(first, min(first + CHUNK_STEPS, steps + 1)):
            chunk += machines.collect(t0 + step)
        store.write_cycle(exercise_id, chunk)
        written += len(chunk)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="the store URL to write it into")
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--series", type=int, default=2000)
    args = parser.parse_args()
    store = Store.open(args.db)
    generated = generate(store, args.hours, args.series)
    run = generated.run
    print(
        f"exercise {run.exercise_id}: {run.cycles:,} cycles, {generated.series:,} series, "
        f"{generated.samples:,} samples"
    )
    store.close()


if __name__ == "__main__":
    main()
