"""Benchmark: the foresight on generated plans whose outcome is known on paper.

Drills N generated plans (benchmarks/plan_corpus.py: 1 to 6 waves, total,
per-source, background and kiosk-faculty limits that break, plans that hold,
late launches, misestimated ratios) and reports, against the targets of the
foresight issue:
- the share of breaking plans whose first HOLD or forecast names the limit that
  breaks (server, kind, and the faculty for a per-source limit): target 100%;
- the lead time before the breach, median and 5th percentile (target >= 5 min
  where the breaking wave starts at least 5 minutes in);
- false HOLDs and capacity alerts on plans that hold: target 0;
- firing episodes per (rule, subject), the most in any plan: target <= 1.

Run: python -m benchmarks.bench_foresight [--plans 240] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from multiprocessing import Pool

from benchmarks.foresight import Judged, drill_generated
from benchmarks.plan_corpus import generate


def judge(number: int) -> Judged:
    return drill_generated(generate(number))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(results: list[Judged]) -> list[str]:
    breaking = [r for r in results if r.outcome.breaks]
    broke = [r for r in breaking if r.breach_s is not None]
    named = [r for r in broke if r.named_right]
    leads = [r.lead_s / 60 for r in broke if r.lead_s is not None]
    room = [r.lead_s / 60 for r in broke if r.lead_s is not None and (r.breach_s or 0) >= 5 * 60]
    holding = [r for r in results if not r.outcome.breaks]
    kinds = Counter(r.outcome.kind for r in results)
    lines = [
        f"{len(results)} plans: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        f"breaking plans that broke in the drill: {len(broke)} of {len(breaking)}",
        f"first HOLD or forecast names the limit that breaks: {len(named)} of {len(broke)} "
        f"({len(named) / max(1, len(broke)):.0%}; target 100%)",
        f"lead time, all breaking plans: median {statistics.median(leads):.1f} min, "
        f"p5 {percentile(leads, 0.05):.1f} min",
        f"lead time where the breach comes 5 min or more in ({len(room)} plans): "
        f"median {statistics.median(room):.1f} min, p5 {percentile(room, 0.05):.1f} min "
        "(target >= 5)",
        f"false HOLDs on plans that hold: {sum(r.false_holds for r in holding)} "
        f"(in {len(holding)} plans; target 0)",
        f"capacity alerts on plans that hold with room: {sum(r.capacity_alerts for r in holding)} "
        "(target 0)",
        f"firing episodes per (rule, subject), most in one plan: "
        f"{max(r.most_episodes for r in results)} (target <= 1)",
    ]
    unbroken = [r for r in breaking if r.breach_s is None]
    misses = unbroken + [r for r in broke if not r.named_right]
    misses += [r for r in holding if r.false_holds]
    lines += [f"  look at plan {r.number}: {r.outcome}" for r in misses[:10]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=240)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(judge, range(args.plans), chunksize=1)
    for line in report(results):
        print(line)
    print(f"({time.perf_counter() - started:.0f} s with {args.workers} workers)")


if __name__ == "__main__":
    main()
