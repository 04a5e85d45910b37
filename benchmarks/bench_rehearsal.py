"""Benchmark: `vigie rehearse` on the real staging platform, waves minutes apart.

The seed plan at 5 % (491 virtual students, 35 faculties on 35 loopback addresses,
4 waves), real Locust, real HAProxy, PostgreSQL and Prometheus. Two limits that
wave 4 breaks, each known on paper (tests/support/rehearsal_cases.py): HAProxy's
frontend maxconn (total) and its stick table per source address (per_source),
each rehearsed twice, held at the gate's HOLD and played --through. Reported:
- when the gate first said wave 4 would not fit, its HOLD, and the lead time to the
  wave's time (held) or to the breach (--through);
- the gate's projected peak against what HAProxy really reached;
- the plan's connections per student against the measured ones;
- HAProxy's refusals (its own stats socket) against what Vigie collected.

Run: python -m benchmarks.bench_rehearsal [--gap-min 1.5] [--cases total,per_source]
Takes about 5 minutes per rehearsal at the defaults (4 rehearsals).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.support.rehearsal_cases import Case, per_source_case, total_case
from vigie.i18n.formats import exercise_clock
from vigie.plan import load_plan
from vigie.plan.model import ConnectDelay
from vigie.rehearse.rehearsal import RehearsalSettings, run_rehearsal
from vigie.rehearse.report import RehearsalReport
from vigie.rehearse.target import checked_target
from vigie.staging import StagingStack, haproxy_show_stat
from vigie.staging.plan import Timing, staging_plan
from vigie.store import Store, sqlite_url

SEED = Path(__file__).resolve().parents[1] / "scenarios" / "ecnp-2022-01-21.toml"
SCALE = 0.05


def denied(stack: StagingStack) -> int:
    frontend = next(
        r
        for r in haproxy_show_stat(stack.haproxy_stats_socket)
        if r["pxname"] == "exam" and r["svname"] == "FRONTEND"
    )
    return int(frontend["dcon"] or 0)


def rehearse(case: Case, through: bool, folder: Path) -> list[str]:
    seed = load_plan(SEED)
    with StagingStack(case.settings) as stack:
        plan = staging_plan(seed, stack, case.settings, case.timing, case.shared)
        store = Store.open(sqlite_url(folder / f"{case.name}-{through}.db"))
        settings = RehearsalSettings(
            checked_target(stack.exam_url, None), scale=SCALE, through=through, settle_s=30
        )
        started, before = time.perf_counter(), denied(stack)
        try:
            report = run_rehearsal(plan, store, settings, announce=lambda _: None)
        finally:
            store.close()
        refused = denied(stack) - before
        took = time.perf_counter() - started
    return describe(case, through, report, refused, took)


def describe(
    case: Case, through: bool, report: RehearsalReport, refused: int, took: float
) -> list[str]:
    wave = report.decisions[-1]
    said = report.foresight.get(wave.wave)
    gw = report.server("gw")
    name = f"{case.name}{' --through' if through else ''}"
    lines = [f"{name}: HAProxy limit {case.limit} ({case.name}), rehearsal {took / 60:.1f} min"]
    hold = report.holds.get(wave.wave)
    if said is not None:
        lines.append(
            f"  wave {wave.wave} foreseen at T+{exercise_clock(said.said_s)} "
            f"({said.facts.verdict.value}), HOLD from "
            f"{'T+' + exercise_clock(hold.said_s) if hold else 'never'}; "
            f"at its time T+{exercise_clock(wave.planned_s)}: "
            f"{'launched' if wave.launched else 'HELD'}"
        )
    if wave.gate is not None:
        behind = ", ".join(wave.gate.faculties)
        where = f"{wave.gate.kind}{', ' + behind if behind else ''}"
        lines.append(
            f"  gate projected {wave.gate.projected:,.0f} on {wave.gate.server} ({where})"
            f" against {wave.gate.limit:,}; HAProxy really reached {gw.peak or 0:,.0f} in total"
        )
    lines.append(
        f"  connections per student: plan {gw.planned_per_student}, "
        f"measured {gw.measured_per_student or 0:.2f}"
    )
    lines.append(f"  refused: HAProxy's socket {refused}, collected by Vigie {gw.refused:,.0f}")
    breach = report.first_breach
    lines.append(
        f"  breach: {breach.server} at T+{exercise_clock(breach.at_s)} ({breach.kind})"
        if breach
        else "  breach: none"
    )
    if report.lead_time_s is not None:
        lines.append(f"  lead time: {report.lead_time_s / 60:.1f} min")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--gap-min", type=float, default=1.5, help="minutes between waves")
    parser.add_argument("--cases", default="total,per_source")
    args = parser.parse_args()
    timing = Timing(args.gap_min, ConnectDelay(median_s=15, sigma=0.6, max_s=60))
    seed = load_plan(SEED)
    builders = {"total": total_case, "per_source": per_source_case}
    with tempfile.TemporaryDirectory(prefix="vigie-bench-rehearsal-") as scratch:
        for name in args.cases.split(","):
            case = builders[name](seed, SCALE, timing)
            for through in (False, True):
                print("\n".join(rehearse(case, through, Path(scratch))), flush=True)


if __name__ == "__main__":
    main()
