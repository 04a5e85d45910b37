"""Benchmark: how early and how fast alerts come, Vigie beside Prometheus's own rules.

1. Detection latency, real time, small plan at 1x: from the instant the gateway
   crosses 80% of its limit in the simulator to the alert being recorded, for
   Vigie polling /metrics every 1 s (headroom, hold 0) and for a real Prometheus
   alerting rule (`> 0.8 * limit`, `for: 0s`) at 15 s scrape / 15 s evaluation
   and at 1 s / 1 s, all three on the same simulator at the same time.
2. Lead time before the seed breach (waf-1, T+24:54): Vigie's wave gate,
   time to limit and headroom at 80% (from a drill on the virtual clock), and a
   real Prometheus evaluating `predict_linear(...[5m], 600) > limit` and the 80%
   threshold on the seed simulator played at 10x (windows scaled by 10, so
   1 s of Prometheus time is 10 s of exercise time).

Run: python -m benchmarks.bench_alerts [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from tests.support.prometheus import PrometheusServer
from vigie.alerts.engine import AlertEngine
from vigie.alerts.rules import headroom, time_to_limit, wave_gate
from vigie.clock import SpedUpClock
from vigie.collectors.cycle import run_cycle
from vigie.collectors.scrape import ScrapeCollector
from vigie.plan import Plan, load_plan, plan_from_dict
from vigie.resources import scenarios_folder, seed_plan
from vigie.review.summary import summarize
from vigie.run.drill import run_drill
from vigie.simulator import ExamPlatform
from vigie.simulator.serve import start_exporter
from vigie.store import Store, sqlite_url
from vigie.store.records import AlertState

THRESHOLD_RULE = """\
groups:
  - name: vigie-bench
    rules:
      - alert: Headroom80
        expr: exam_server_connections{{server="{server}"}} > 0.8 * {limit}
        for: 0s
      - alert: PredictLinear
        expr: >-
          predict_linear(exam_server_connections{{server="{server}"}}[{window}s], {horizon})
          > {limit}
        for: 0s
"""


def first_second(plan: Plan, server: str, above: float) -> int:
    """The first exercise second at which `server` holds more than `above` connections."""
    platform = ExamPlatform(plan)
    for second in range(1, 4 * 3600):
        platform.advance_to(second)
        if platform.snapshot().servers[server].connections > above:
            return second
    raise ValueError("never crossed")


def watch_prometheus(
    prometheus: PrometheusServer, alert: str, stop: threading.Event
) -> float | None:
    while not stop.is_set():
        if alert in prometheus.firing():
            return time.time()
        time.sleep(0.1)
    return None


def detection_run(plan: Plan, phase: float) -> dict[str, float]:
    """One real-time race: seconds from the 80% crossing to each detector's alert."""
    limit = plan.server("gw").connection_limit
    crossing_s = first_second(plan, "gw", 0.8 * limit - 1)  # at 80%: both detectors' condition
    origin = time.time()  # T+0: the small plan's 80% comes about 40 s later
    clock = SpedUpClock(origin, 1.0)
    exporter = start_exporter(plan, clock, origin)
    target = exporter.url.removeprefix("http://").removesuffix("/metrics")
    rules = THRESHOLD_RULE.format(server="gw", limit=limit, window=300, horizon=600)
    slow = PrometheusServer([target], scrape_s=15, evaluation_s=15, rules=rules)
    fast = PrometheusServer([target], scrape_s=1, evaluation_s=1, rules=rules)
    stop = threading.Event()
    detected: dict[str, float] = {}
    try:
        slow.start()
        fast.start()
        watchers = []
        for name, server in (("prometheus 15 s / 15 s", slow), ("prometheus 1 s / 1 s", fast)):

            def watch(name: str = name, server: PrometheusServer = server) -> None:
                at = watch_prometheus(server, "Headroom80", stop)
                if at is not None:
                    detected[name] = at

            watchers.append(threading.Thread(target=watch, daemon=True))
        for watcher in watchers:
            watcher.start()
        detected["vigie 1 s poll"] = vigie_detection(plan, exporter.url, origin, clock, phase)
        deadline = time.time() + 60
        while len(detected) < 3 and time.time() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        slow.cleanup()
        fast.cleanup()
        exporter.stop()
    crossing_real = origin + crossing_s
    return {name: at - crossing_real for name, at in detected.items()}


def vigie_detection(plan: Plan, url: str, origin: float, clock: SpedUpClock, phase: float) -> float:
    """Poll every second, `phase` seconds off the simulator's ticks (as a real poller is)."""
    data = plan.model_dump(mode="json", exclude_none=True)
    data["alerts"]["headroom"]["hold_s"] = 0
    data["sources"][0]["url"] = url
    vigie_plan = plan_from_dict(data)
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
        store = Store.open(sqlite_url(Path(scratch) / "a.db"))
        exercise = store.create_exercise(
            plan_id="bench", name="Bench", mode="live", plan_toml="", t0=origin
        )
        engine = AlertEngine(vigie_plan, store, exercise, origin, 1.0)
        collector = ScrapeCollector(vigie_plan, vigie_plan.sources[0])
        next_poll = origin + phase
        while True:
            time.sleep(max(0.0, next_poll - time.time()))
            next_poll += 1.0
            now = clock.now()
            result = run_cycle(store, exercise, [collector], now)
            engine.observe(result.samples)
            fired = [
                t
                for t in engine.evaluate(now)
                if t.rule == headroom.RULE
                and t.subject == "gw"
                and t.state == AlertState.FIRING
                and t.severity in ("warning", "critical")
            ]
            if fired:
                store.close()
                return time.time()


def vigie_lead_times() -> dict[str, float | None]:
    """Seconds each Vigie alert came before the seed breach, from a drill on the virtual clock."""
    path = seed_plan()
    plan = load_plan(path)
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as scratch:
        store = Store.open(sqlite_url(Path(scratch) / "seed.db"))
        run = run_drill(plan, path.read_text(encoding="utf-8"), store)
        summary = summarize(store, run.exercise_id, plan)
        transitions = store.alerts.transitions(run.exercise_id)
        record = store.exercise(run.exercise_id)
        store.close()
    assert record is not None
    breach_s = summary.breaches[0].at_s
    leads: dict[str, float | None] = {}
    for rule, subject, label in (
        (wave_gate.RULE, "wave-4", "vigie wave gate (HOLD)"),
        (time_to_limit.RULE, "waf-1", "vigie time to limit"),
    ):
        episode = next((a for a in summary.alerts if a.rule == rule and a.subject == subject), None)
        leads[label] = None if episode is None else episode.lead_time_s
    warning = next(
        (
            t
            for t in transitions
            if t.rule == headroom.RULE
            and t.subject == "waf-1"
            and t.state == AlertState.FIRING
            and t.severity in ("warning", "critical")
        ),
        None,
    )
    leads["vigie headroom at 80%"] = (
        None if warning is None else breach_s - (warning.at - record.t0)
    )
    return leads


def prometheus_lead_times(speed: float = 10.0) -> dict[str, str]:
    """Prometheus's rules on the seed played at `speed`: the firing that covers the breach."""
    plan = load_plan(seed_plan())
    breach_s = first_second(plan, "waf-1", plan.server("waf-1").connection_limit)
    origin = time.time()
    exporter = start_exporter(plan, SpedUpClock(origin, speed), origin)
    target = exporter.url.removeprefix("http://").removesuffix("/metrics")
    rules = THRESHOLD_RULE.format(
        server="waf-1", limit=16000, window=round(300 / speed), horizon=round(600 / speed)
    )
    prometheus = PrometheusServer([target], scrape_s=1, evaluation_s=1, rules=rules)
    episodes: dict[str, list[list[float]]] = {"PredictLinear": [], "Headroom80": []}
    try:
        prometheus.start()
        while time.time() < origin + breach_s / speed + 5:
            now_s = (time.time() - origin) * speed
            firing = prometheus.firing()
            for name, spans in episodes.items():
                if name in firing and (not spans or spans[-1][1] >= 0):
                    spans.append([now_s, -1.0])  # a new firing episode
                elif name not in firing and spans and spans[-1][1] < 0:
                    spans[-1][1] = now_s
            time.sleep(0.1)
    finally:
        prometheus.cleanup()
        exporter.stop()
    return {
        "prometheus predict_linear (5 min window, 10 min horizon)": _describe(
            breach_s, episodes["PredictLinear"]
        ),
        "prometheus 80% threshold": _describe(breach_s, episodes["Headroom80"]),
    }


def _describe(breach_s: float, spans: list[list[float]]) -> str:
    before = [s for s in spans if s[0] <= breach_s]
    covering = next((s for s in before if s[1] < 0 or s[1] >= breach_s), None)
    noise = len(before) - (covering is not None)
    extra = f" ({noise} earlier firings that resolved by themselves)" if noise else ""
    if covering is None:
        return "not firing when the breach came" + extra
    lead = breach_s - covering[0]
    return f"{lead / 60:5.1f} min ({lead:.0f} s){extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    small = load_plan(scenarios_folder() / "small-drill.toml")
    # Vigie's poll phase against the simulator's ticks is spread over the runs.
    runs = [detection_run(small, (k + 0.5) / args.runs) for k in range(args.runs)]
    print(f"detection latency, 80% of the limit crossed -> alert recorded ({args.runs} runs)")
    for name in ("vigie 1 s poll", "prometheus 1 s / 1 s", "prometheus 15 s / 15 s"):
        values = [run[name] for run in runs if name in run]
        shown = ", ".join(f"{v:.1f}" for v in values)
        median = statistics.median(values) if values else float("nan")
        print(f"  {name:<24} median {median:5.1f} s   (runs: {shown})")
    print("lead time before the seed breach (waf-1 at T+24:54)")
    for name, lead in vigie_lead_times().items():
        shown = "never fired before the breach" if lead is None else _describe(lead, [[0.0, -1.0]])
        print(f"  {name:<56} {shown}")
    for name, shown in prometheus_lead_times().items():
        print(f"  {name:<56} {shown}")


if __name__ == "__main__":
    main()
